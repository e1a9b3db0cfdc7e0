// Parsing the way people type on a phone: full-width characters from a Chinese input method,
// Chinese numerals, a unit after the number, a full stop or a smiley tilde around the answer.

// Punctuation, brackets and quotes people put around a short answer (after NFKC, which already
// folds full-width ！？，～ to ASCII). Quotes matter: our texts say 回复“签到”, and some copy them.
const SURROUNDING =
  /^[\s。.!?,、~…;:'"“”‘’「」『』【】[\]()（）《》<>·*#-]+|[\s。.!?,、~…;:'"“”‘’「」『』【】[\]()（）《》<>·*#-]+$/gu;

/**
 * The form answers are matched in: NFKC (full-width １ → 1, Ｙ → Y, ① → 1), trimmed, surrounding
 * punctuation stripped, inner whitespace collapsed, lower case.
 */
export function normaliseInput(text: string): string {
  return text.normalize('NFKC').replace(SURROUNDING, '').replace(/\s+/gu, ' ').toLowerCase();
}

/** normaliseInput without any whitespace: for matching whole-message words ('STOP ALL', ' 签 到 '). */
export function compactInput(text: string): string {
  return normaliseInput(text).replace(/\s+/gu, '');
}

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

// 0–99 in Chinese numerals: 七, 十, 十二, 二十, 二十五.
function parseChineseNumeral(text: string): number | undefined {
  const chars = Array.from(text);
  const digit = (c: string | undefined): number | undefined =>
    c === undefined ? undefined : CHINESE_DIGITS[c];
  if (chars.length === 1) return chars[0] === '十' ? 10 : digit(chars[0]);
  const tenAt = chars.indexOf('十');
  if (tenAt === -1 || chars.lastIndexOf('十') !== tenAt || chars.length > 3) return undefined;
  const before = chars.slice(0, tenAt);
  const after = chars.slice(tenAt + 1);
  const tens = before.length === 0 ? 1 : before.length === 1 ? digit(before[0]) : undefined;
  const units = after.length === 0 ? 0 : after.length === 1 ? digit(after[0]) : undefined;
  if (tens === undefined || units === undefined || tens === 0) return undefined;
  // 十零 is not a way anyone writes 10.
  if (after.length === 1 && units === 0) return undefined;
  return tens * 10 + units;
}

/**
 * A whole, non-negative number as typed: '1', '１', '一', '两', '十二', '1个', '3天', ' 1。', '①'.
 * Anything else (words, fractions, several numbers) is undefined, never a guess.
 */
export function parseNumber(text: string): number | undefined {
  const core = normaliseInput(text).replace(/\s*[个天次号分]$/u, '');
  if (/^\d{1,6}$/.test(core)) return Number.parseInt(core, 10);
  if (core === '') return undefined;
  return parseChineseNumeral(core);
}

const YES = new Set([
  '是',
  '是的',
  '对',
  '对的',
  '有',
  '有的',
  '好',
  '好的',
  '嗯',
  'yes',
  'y',
  'ok',
  'okay',
  'yeah',
  'yep',
]);
const NO = new Set(['否', '不', '不是', '不对', '没有', '没', 'no', 'n', 'nope']);

/** Yes or no as typed: 是/对/有/好/yes/y/ok → true; 否/不/不是/没有/没/no/n → false; else undefined. */
export function parseYesNo(text: string): boolean | undefined {
  const key = compactInput(text);
  if (YES.has(key)) return true;
  if (NO.has(key)) return false;
  return undefined;
}
