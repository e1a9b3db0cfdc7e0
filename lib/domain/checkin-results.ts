// The Centre's weekly results as a programme evaluation needs them: one row per child per ISO week
// (the CSV export), and per week the response rate per centre and per category with the distributions
// of the mood, school and health answers. Pure: the rows come from the store, the figures from here.
import type { AnswerValue, ChildCategory } from '#lib/domain/model.ts';
import { CHILD_CATEGORIES } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK = /^(\d{4})-W(\d{2})$/;

/** A child on the Centre's roster, with what the export says about them. */
export interface ResultChild {
  centreId: string;
  centreName: string;
  village: string;
  familyId: string;
  childId: string;
  childName: string;
  category: ChildCategory;
}

/** The check-in of one child in one week, as stored. */
export interface ResultCheckin {
  childId: string;
  week: string;
  status: 'in-progress' | 'completed' | 'missed';
  completedAt?: string | undefined;
  missedAt?: string | undefined;
  answers: Record<string, { status: string; value?: AnswerValue | undefined }>;
  /** Every free text written for the Centre that week, in order (a later run adds, never replaces). */
  messages?: string[] | undefined;
}

/** `none`: no check-in item that week (before the rhythm started, a pause week, a new child). */
export type WeekStatus = ResultCheckin['status'] | 'none';

export interface ResultRow {
  week: string;
  child: ResultChild;
  status: WeekStatus;
  completedAt: string;
  missedAt: string;
  answers: Record<string, AnswerValue | undefined>;
}

/** The answer columns, in the order of the weekly flow. */
export const ANSWER_COLUMNS = [
  WEEKLY_CHECKIN_ITEMS.attendance,
  WEEKLY_CHECKIN_ITEMS.mood,
  WEEKLY_CHECKIN_ITEMS.school,
  WEEKLY_CHECKIN_ITEMS.health,
  WEEKLY_CHECKIN_ITEMS.parentContact,
  WEEKLY_CHECKIN_ITEMS.message,
] as const;

/** The items whose answers are counted per value in the summary. */
export const DISTRIBUTION_ITEMS = [
  WEEKLY_CHECKIN_ITEMS.mood,
  WEEKLY_CHECKIN_ITEMS.school,
  WEEKLY_CHECKIN_ITEMS.health,
] as const;

export function isIsoWeek(week: string): boolean {
  const m = WEEK.exec(week);
  if (!m) return false;
  const n = Number(m[2]);
  return n >= 1 && n <= weeksInYear(Number(m[1]));
}

/** Every ISO week from `from` to `to`, both included (empty when to < from). */
export function weeksBetween(from: string, to: string): string[] {
  const weeks: string[] = [];
  for (let t = mondayOf(from); t <= mondayOf(to); t += 7 * DAY_MS) weeks.push(weekOfUtcDay(t));
  return weeks;
}

/** One row per child per week, weeks in order, children in roster order. */
export function resultRows(children: ResultChild[], checkins: ResultCheckin[], weeks: string[]): ResultRow[] {
  const byKey = new Map(checkins.map((c) => [`${c.childId}|${c.week}`, c]));
  return weeks.flatMap((week) =>
    children.map((child): ResultRow => {
      const c = byKey.get(`${child.childId}|${week}`);
      const answers: Record<string, AnswerValue | undefined> = {};
      for (const item of ANSWER_COLUMNS) {
        const a = c?.answers[item];
        answers[item] = a?.status === 'answered' ? a.value : undefined;
      }
      // Every free text, not only the last run's: a correction never drops a message to the Centre.
      if (c?.messages && c.messages.length > 0) answers[WEEKLY_CHECKIN_ITEMS.message] = c.messages.join('\n');
      return {
        week,
        child,
        status: c?.status ?? 'none',
        completedAt: c?.completedAt ?? '',
        missedAt: c?.missedAt ?? '',
        answers,
      };
    }),
  );
}

const CSV_HEADER = [
  'week',
  'centre_id',
  'centre',
  'village',
  'family_id',
  'child_id',
  'child',
  'category',
  'status',
  'completed_at',
  'missed_at',
  ...ANSWER_COLUMNS,
];

/**
 * RFC 4180 CSV, CRLF, UTF-8 with a byte order mark so that Excel shows Chinese. A cell that a
 * spreadsheet would run as a formula (= + - @ at the start) is prefixed with ', as OWASP advises.
 */
export function toCsv(rows: ResultRow[]): string {
  const lines = [CSV_HEADER.map(csvCell).join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.week,
        r.child.centreId,
        r.child.centreName,
        r.child.village,
        r.child.familyId,
        r.child.childId,
        r.child.childName,
        r.child.category,
        r.status,
        r.completedAt,
        r.missedAt,
        ...ANSWER_COLUMNS.map((item) => r.answers[item]),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function csvCell(value: AnswerValue | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export interface ResponseFigures {
  /** Children on the roster (each expected to check in every week). */
  children: number;
  completed: number;
  missed: number;
  inProgress: number;
  none: number;
  /** completed / children, rounded to 4 places; null with no children. */
  responseRate: number | null;
}

export interface CategoryFigures extends ResponseFigures {
  /** Per item (mood, school, health): how many answered each value, among this week's answers. */
  distributions: Record<string, Record<string, number>>;
}

export interface WeekSummary {
  week: string;
  centre: ResponseFigures;
  categories: Record<ChildCategory, CategoryFigures>;
}

/** The week-by-week figures of one Centre, from the same rows as the export. */
export function summarise(rows: ResultRow[], weeks: string[]): WeekSummary[] {
  return weeks.map((week) => {
    const ofWeek = rows.filter((r) => r.week === week);
    const categories = Object.fromEntries(
      CHILD_CATEGORIES.map((category) => {
        const inCategory = ofWeek.filter((r) => r.child.category === category);
        const distributions: Record<string, Record<string, number>> = {};
        for (const item of DISTRIBUTION_ITEMS) {
          const counts: Record<string, number> = {};
          for (const r of inCategory) {
            const v = r.answers[item];
            if (v !== undefined) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
          }
          distributions[item] = counts;
        }
        return [category, { ...figures(inCategory), distributions }];
      }),
    ) as Record<ChildCategory, CategoryFigures>;
    return { week, centre: figures(ofWeek), categories };
  });
}

function figures(rows: ResultRow[]): ResponseFigures {
  const count = (status: WeekStatus) => rows.filter((r) => r.status === status).length;
  const completed = count('completed');
  return {
    children: rows.length,
    completed,
    missed: count('missed'),
    inProgress: count('in-progress'),
    none: count('none'),
    responseRate: rows.length === 0 ? null : Math.round((completed / rows.length) * 10_000) / 10_000,
  };
}

/** The Monday (UTC midnight of that calendar day) of an ISO week. */
function mondayOf(week: string): number {
  const m = WEEK.exec(week);
  if (!m) throw new RangeError(`not an ISO week: ${week}`);
  const year = Number(m[1]);
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Weekday = new Date(jan4).getUTCDay() || 7;
  return jan4 - (jan4Weekday - 1) * DAY_MS + (Number(m[2]) - 1) * 7 * DAY_MS;
}

/** The ISO week of a calendar day given as its UTC midnight. */
function weekOfUtcDay(t: number): string {
  const d = new Date(t);
  const weekday = d.getUTCDay() || 7;
  const thursday = t + (4 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const n = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

function weeksInYear(year: number): number {
  return weekOfUtcDay(Date.UTC(year, 11, 28)) === `${year}-W53` ? 53 : 52;
}
