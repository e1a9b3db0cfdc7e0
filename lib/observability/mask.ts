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

// A WeChat OpenID as WeChat issues them: 28 characters of base64url (o6_bmjrPTlm6_2sgVt7hMZOPfL2M),
// standing on its own.
const OPENID = /(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])/g;

/** o6_bmjrPTlm6_2sgVt7hMZOPfL2M → o6_****L2M: tells users apart in logs without naming them. */
export function maskOpenId(openId: string): string {
  return openId.length < 10 ? '****' : `${openId.slice(0, 3)}****${openId.slice(-3)}`;
}

/** Phone numbers and WeChat OpenIDs masked in free text (log messages, error texts, keys). */
export function maskPersonalIn(text: string): string {
  return maskPhonesIn(text).replace(OPENID, maskOpenId);
}

// Log attributes that hold a channel address (a phone number or an OpenID of any length).
const ADDRESS_KEYS = new Set(['from', 'to', 'address', 'openId', 'openid', 'touser']);

/** Deep-copies a log attribute value with phone numbers and OpenIDs masked in every string. */
export function maskDeep(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    const masked = maskPersonalIn(value);
    // An address attribute is masked whole, whatever it looks like (an OpenID, a short test id).
    return key !== undefined && ADDRESS_KEYS.has(key) && masked === value && !value.includes('****')
      ? maskOpenId(value)
      : masked;
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, k)]));
  }
  return value;
}
