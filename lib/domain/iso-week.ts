// Weeks are counted where the families live: Asia/Shanghai. China has used a fixed UTC+8 with no
// daylight saving since 1991, so a constant offset is exact and needs no time-zone database.
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date as read on a clock in Shanghai. */
export interface ShanghaiDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /** ISO numbering: 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
}

export interface IsoWeek {
  /** The ISO week-numbering year, which differs from the calendar year around 1 January. */
  year: number;
  /** 1–53 */
  week: number;
}

/** The Shanghai calendar date of an instant. */
export function localDateInShanghai(at: Date): ShanghaiDate {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid date');
  const shifted = new Date(ms + SHANGHAI_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    isoWeekday: shifted.getUTCDay() === 0 ? 7 : shifted.getUTCDay(),
  };
}

/** The ISO-8601 week (year and number) of an instant, in Shanghai. */
export function isoWeekPartsOf(at: Date): IsoWeek {
  const local = localDateInShanghai(at);
  // An ISO week belongs to the year its Thursday falls in.
  const thursday = Date.UTC(local.year, local.month - 1, local.day) + (4 - local.isoWeekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { year, week };
}

/** The ISO-8601 week of an instant in Shanghai, e.g. '2026-W48'. */
export function isoWeekOf(at: Date): string {
  const { year, week } = isoWeekPartsOf(at);
  return `${year}-W${String(week).padStart(2, '0')}`;
}
