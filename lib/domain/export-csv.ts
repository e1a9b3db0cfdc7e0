// The check-in export as the Centre's staff open it in Excel: column headers and labels in Chinese by
// default (English on request), times in the Centre's local time, UTF-8 with a byte order mark; the
// final answers, every free text of the week, and on request each week's answer history (every run,
// corrections included). Pure: the rows come from lib/domain/checkin-results.ts.
import {
  ANSWER_COLUMNS,
  csvCell,
  type ResultCheckin,
  type ResultRow,
  type WeekStatus,
} from '#lib/domain/checkin-results.ts';
import type { AnswerValue, ChildCategory } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';

export const EXPORT_LANGUAGES = ['zh-CN', 'en'] as const;
export type ExportLanguage = (typeof EXPORT_LANGUAGES)[number];

/** One entry of a week's answer history, as the check-in keeps it. */
export interface ExportHistoryEntry {
  itemId: string;
  raw: string;
  answeredAt: string;
  run?: string | undefined;
  correction?: boolean | undefined;
}

export type ExportCheckin = ResultCheckin & { history?: readonly ExportHistoryEntry[] | undefined };

interface Labels {
  columns: Record<string, string>;
  items: Record<string, string>;
  category: Record<ChildCategory, string>;
  status: Record<WeekStatus, string>;
  yes: string;
  no: string;
  correction: string;
}

const LABELS: Record<ExportLanguage, Labels> = {
  'zh-CN': {
    columns: {
      week: '周',
      centre: '中心',
      village: '村',
      family: '家庭',
      familyId: '家庭编号',
      childId: '儿童编号',
      child: '儿童',
      category: '类别',
      status: '状态',
      completedAt: '完成时间',
      missedAt: '错过时间',
      history: '回答记录',
    },
    items: {
      [WEEKLY_CHECKIN_ITEMS.attendance]: '出勤',
      [WEEKLY_CHECKIN_ITEMS.mood]: '心情',
      [WEEKLY_CHECKIN_ITEMS.school]: '学习',
      [WEEKLY_CHECKIN_ITEMS.health]: '健康',
      [WEEKLY_CHECKIN_ITEMS.parentContact]: '与父母联系',
      [WEEKLY_CHECKIN_ITEMS.message]: '留言',
    },
    category: { 'both-away': '父母均外出', 'one-away': '父母一方外出', 'with-parents': '与父母同住' },
    status: { completed: '已完成', 'in-progress': '进行中', missed: '未回答', none: '无' },
    yes: '是',
    no: '否',
    correction: '更正',
  },
  en: {
    columns: {
      week: 'Week',
      centre: 'Centre',
      village: 'Village',
      family: 'Family',
      familyId: 'Family id',
      childId: 'Child id',
      child: 'Child',
      category: 'Category',
      status: 'Status',
      completedAt: 'Completed at',
      missedAt: 'Missed at',
      history: 'Answer history',
    },
    items: {
      [WEEKLY_CHECKIN_ITEMS.attendance]: 'Attendance',
      [WEEKLY_CHECKIN_ITEMS.mood]: 'Mood',
      [WEEKLY_CHECKIN_ITEMS.school]: 'School',
      [WEEKLY_CHECKIN_ITEMS.health]: 'Health',
      [WEEKLY_CHECKIN_ITEMS.parentContact]: 'Talked with parents',
      [WEEKLY_CHECKIN_ITEMS.message]: 'Messages',
    },
    category: {
      'both-away': 'Both parents away',
      'one-away': 'One parent away',
      'with-parents': 'With parents',
    },
    status: { completed: 'Completed', 'in-progress': 'In progress', missed: 'Missed', none: 'None' },
    yes: 'yes',
    no: 'no',
    correction: 'correction',
  },
};

export interface ExportOptions {
  language: ExportLanguage;
  /** The Centre's time zone (IANA): every time is written in it. */
  timeZone: string;
  /** A column with each week's answer history. */
  history: boolean;
  /** Family names by id (the roster's). */
  familyNames: ReadonlyMap<string, string>;
}

/** The rows as CSV (RFC 4180, CRLF), UTF-8 with a byte order mark so that Excel shows Chinese. */
export function exportCsv(
  rows: readonly ResultRow[],
  checkins: readonly ExportCheckin[],
  options: ExportOptions,
): string {
  const l = LABELS[options.language];
  const byKey = new Map(checkins.map((c) => [`${c.childId}|${c.week}`, c]));
  const time = localTime(options.timeZone);
  const header = [
    l.columns.week,
    l.columns.centre,
    l.columns.village,
    l.columns.family,
    l.columns.familyId,
    l.columns.childId,
    l.columns.child,
    l.columns.category,
    l.columns.status,
    l.columns.completedAt,
    l.columns.missedAt,
    ...ANSWER_COLUMNS.map((item) => l.items[item] ?? item),
    ...(options.history ? [l.columns.history] : []),
  ];
  const lines = [header.map((h) => csvCell(h)).join(',')];
  for (const r of rows) {
    const cells: (AnswerValue | undefined)[] = [
      r.week,
      r.child.centreName,
      r.child.village,
      options.familyNames.get(r.child.familyId) ?? '',
      r.child.familyId,
      r.child.childId,
      r.child.childName,
      l.category[r.child.category],
      l.status[r.status],
      r.completedAt ? time(r.completedAt) : '',
      r.missedAt ? time(r.missedAt) : '',
      ...ANSWER_COLUMNS.map((item) => label(r.answers[item], l)),
    ];
    if (options.history) {
      const entries = byKey.get(`${r.child.childId}|${r.week}`)?.history ?? [];
      cells.push(
        entries
          .map(
            (h) =>
              `${time(h.answeredAt)} ${l.items[h.itemId] ?? h.itemId}: ${h.raw}${h.correction ? ` (${l.correction})` : ''}`,
          )
          .join('\n'),
      );
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function label(value: AnswerValue | undefined, l: Labels): AnswerValue | undefined {
  if (value === true) return l.yes;
  if (value === false) return l.no;
  return value;
}

/** `YYYY-MM-DD HH:mm` in the zone. */
function localTime(timeZone: string): (iso: string) => string {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (iso) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  };
}
