const PHONE = /\+?\d[\d -]{8,18}\d/g;

/** +8613800000001 → +86138****0001: enough to tell numbers apart, not enough to call. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length < 8) return '****';
  return `${digits.slice(0, digits.startsWith('+') ? 6 : 5)}****${digits.slice(-4)}`;
}

/** Masks every phone-number-like run in free text (log messages, error texts). */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE, (m) => maskPhone(m));
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
