// A run of digits (with spaces or dashes) that stands on its own, not inside a longer alphanumeric
// id such as a MessageSid (a URL-encoded %2B before the number is still a boundary). ISO dates
// (2026-11-25) are matched first, as group 1, so that they are left alone.
const PHONE =
  /(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])|(?<![0-9A-Za-z](?<!%2[Bb]))\+?\d[\d -]{8,18}\d(?![0-9A-Za-z])/g;

/** +8613800000001 → +86138****0001: enough to tell numbers apart, not enough to call. */
export function maskPhone(phone: string): string {
  const plus = phone.trimStart().startsWith('+') ? '+' : '';
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return '****';
  // At least four digits stay hidden: 13800000001 → 138****0001, 12345678 → ****5678.
  const lead = Math.min(5, digits.length - 8);
  return `${plus}${digits.slice(0, lead)}****${digits.slice(-4)}`;
}

/** Masks every phone-number-like run in free text (log messages, error texts). */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE, (m, date?: string) => (date ? m : maskPhone(m)));
}

/** Deep-copies a log attribute value with phone numbers masked in every string. */
export function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskPhonesIn(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]));
  }
  return value;
}
