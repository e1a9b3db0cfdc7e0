// The weekly update a migrant parent gets about one child: what the carer agreed to share from this
// week's check-in (or, honestly, that none came) and the Centre's activities, in at most two SMS
// segments. 【连心】 makes every message UCS-2, so two segments are 134 characters in either
// language. When everything does not fit, the least important goes first; nothing is ever cut in
// the middle: a child's name or an activity's title is said whole or not at all. When the carer
// corrected last week's answers after its update went out, this update says so (no second update).
import { appendStopHint, BRAND } from '#lib/domain/message-catalog.ts';
import type { Language } from '#lib/domain/model.ts';
import { segmentsOf } from '#lib/domain/outbound-message.ts';

export const DIGEST_MAX_SEGMENTS = 2;

/** The check-in items a carer may agree to share, in the order the check-in asks them. */
export const SHAREABLE_ITEMS = ['attendance', 'mood', 'school', 'health'] as const;
export type ShareableItem = (typeof SHAREABLE_ITEMS)[number];

/** Per child and item: may it be passed on to the parents? Absent or false: no (the safe default). */
export type ShareConsent = Partial<Record<ShareableItem, boolean>>;

/** When room runs out, items are dropped from the end of this list first. */
const KEEP_ORDER: readonly ShareableItem[] = ['mood', 'health', 'school', 'attendance'];

export interface DigestActivity {
  title: string;
  /** YYYY-MM-DD; activities are listed in date order. */
  date: string;
}

export interface DigestInput {
  language: Language;
  childName: string;
  /** The week's check-in: the answer values by item id, or none when the carer did not check in. */
  checkin: { answers: Partial<Record<string, number | string | boolean>> } | undefined;
  consent: ShareConsent;
  activities: readonly DigestActivity[];
  /** Say how to stop (the recipient's first message of the week). */
  stopHint: boolean;
  /**
   * Last week's answers corrected after its update went out: the new values by item id
   * (correctionSinceDigest). Only the items the carer agreed to share are said.
   */
  correction?: Partial<Record<string, number | string | boolean>> | undefined;
}

/** One entry of a check-in's answer history (every run, in order). */
export interface AnswerHistoryEntry {
  itemId: string;
  status: string;
  value?: number | string | boolean | undefined;
  answeredAt: string;
}

/**
 * The answers that changed after the parents' update went out (`digestAt`): the final value of each
 * item whose last answer at `digestAt` differs. Empty when nothing the update could have said changed.
 */
export function correctionSinceDigest(
  history: readonly AnswerHistoryEntry[],
  final: Partial<Record<string, number | string | boolean>>,
  digestAt: string,
): Partial<Record<string, number | string | boolean>> {
  const atDigest = new Map<string, number | string | boolean>();
  const later = new Set<string>();
  const cutoff = Date.parse(digestAt);
  for (const h of history) {
    if (h.status !== 'answered' || h.value === undefined) continue;
    if (Date.parse(h.answeredAt) <= cutoff) atDigest.set(h.itemId, h.value);
    else later.add(h.itemId);
  }
  const changed: Partial<Record<string, number | string | boolean>> = {};
  for (const item of later) {
    const value = final[item];
    if (value !== undefined && value !== atDigest.get(item)) changed[item] = value;
  }
  return changed;
}

interface Phrases {
  item(item: ShareableItem, value: number): string | undefined;
  shared(child: string, items: string[]): string;
  checkedIn(child: string): string;
  noCheckin(child: string): string;
  activities(titles: string[], total: number): string;
  activityCount(total: number): string;
  replyLong(child: string): string;
  replyShort: string;
  corrected(items: string[]): string;
  correctedShort: string;
}

const ZH: Phrases = {
  item(item, value) {
    switch (item) {
      case 'attendance':
        return value === 0 ? '没去儿童之家' : `去儿童之家${value}天`;
      case 'mood':
        return (
          { 1: '心情很开心', 2: '心情还好', 3: '心情不太开心', 4: '心情很难过' } as Record<number, string>
        )[value];
      case 'school':
        return ({ 1: '上学很好', 2: '上学一般', 3: '上学有困难', 4: '没去上学' } as Record<number, string>)[
          value
        ];
      case 'health':
        return ({ 1: '身体健康', 2: '有点小病', 3: '身体需要帮助' } as Record<number, string>)[value];
    }
  },
  shared: (child, items) => `${child}本周：${items.join('，')}。`,
  checkedIn: (child) => `${child}本周已签到。`,
  noCheckin: (child) => `本周没有收到${child}的签到。`,
  activities: (titles, total) =>
    titles.length === total
      ? `本周活动：${titles.join('、')}。`
      : `本周活动：${titles.join('、')}等${total}项。`,
  activityCount: (total) => `本周有${total}项活动。`,
  replyLong: () => '回复留言，我们转告孩子。',
  replyShort: '回复可给孩子留言。',
  corrected: (items) => `上周更正：${items.join('，')}。`,
  correctedShort: '上周的情况有更正。',
};

const EN: Phrases = {
  item(item, value) {
    switch (item) {
      case 'attendance':
        return value === 0 ? 'no Centre days' : `Centre ${value} day${value === 1 ? '' : 's'}`;
      case 'mood':
        return (
          { 1: 'very happy', 2: 'feeling OK', 3: 'not very happy', 4: 'very sad' } as Record<number, string>
        )[value];
      case 'school':
        return (
          { 1: 'school good', 2: 'school so-so', 3: 'struggling at school', 4: 'missed school' } as Record<
            number,
            string
          >
        )[value];
      case 'health':
        return ({ 1: 'healthy', 2: 'a little ill', 3: 'needs health help' } as Record<number, string>)[value];
    }
  },
  shared: (child, items) => `${child}'s week: ${items.join(', ')}.`,
  checkedIn: (child) => `${child}'s carer checked in this week.`,
  noCheckin: (child) => `No check-in came for ${child} this week.`,
  activities: (titles, total) =>
    titles.length === total
      ? `Activities: ${titles.join(', ')}.`
      : `Activities: ${titles.join(', ')} and ${total - titles.length} more.`,
  activityCount: (total) => `${total} activit${total === 1 ? 'y' : 'ies'} at the Centre this week.`,
  replyLong: (child) => `Reply with a message for ${child}.`,
  replyShort: 'Reply to leave a message.',
  corrected: (items) => `Last week corrected: ${items.join(', ')}.`,
  correctedShort: "Last week's update was corrected.",
};

export const DIGEST_PHRASES: Readonly<Record<Language, Phrases>> = { 'zh-CN': ZH, en: EN };

export function fitsDigest(body: string): boolean {
  return segmentsOf(body).segments <= DIGEST_MAX_SEGMENTS;
}

/** The shared items' phrases, in check-in order, for the items kept. */
function itemPhrases(input: DigestInput, kept: ReadonlySet<ShareableItem>): string[] {
  const p = DIGEST_PHRASES[input.language];
  const out: string[] = [];
  for (const item of SHAREABLE_ITEMS) {
    if (!kept.has(item)) continue;
    const value = input.checkin?.answers[item];
    if (typeof value !== 'number') continue;
    const phrase = p.item(item, value);
    if (phrase !== undefined) out.push(phrase);
  }
  return out;
}

/** Items the carer agreed to share and answered this week, most important first. */
function shareable(input: DigestInput): ShareableItem[] {
  return KEEP_ORDER.filter(
    (item) =>
      input.consent[item] === true &&
      typeof input.checkin?.answers[item] === 'number' &&
      DIGEST_PHRASES[input.language].item(item, input.checkin.answers[item] as number) !== undefined,
  );
}

/**
 * How last week's correction is said: with the corrected items the carer agreed to share, then
 * briefly; nothing when no shared item changed (the parents were told nothing that is now wrong).
 */
function correctionForms(input: DigestInput): string[] {
  const p = DIGEST_PHRASES[input.language];
  const correction = input.correction ?? {};
  const phrases: string[] = [];
  for (const item of SHAREABLE_ITEMS) {
    const value = correction[item];
    if (input.consent[item] !== true || typeof value !== 'number') continue;
    const phrase = p.item(item, value);
    if (phrase !== undefined) phrases.push(phrase);
  }
  return phrases.length === 0 ? [''] : [p.corrected(phrases), p.correctedShort];
}

function activityForms(input: DigestInput): string[] {
  const p = DIGEST_PHRASES[input.language];
  const titles = [...input.activities]
    .sort((a, b) => a.date.localeCompare(b.date) || a.title.localeCompare(b.title))
    .map((a) => a.title.trim())
    .filter((t) => t !== '');
  const unique = [...new Set(titles)];
  if (unique.length === 0) return [''];
  const forms: string[] = [];
  for (let n = unique.length; n >= 1; n--) forms.push(p.activities(unique.slice(0, n), unique.length));
  forms.push(p.activityCount(unique.length), '');
  return forms;
}

/**
 * The digest, within two segments: the fullest version that fits, dropping in this order — the
 * longer reply line, the later activities (then just their number, then none), the corrected items
 * of last week (then just that it was corrected), then the shared items from the least important
 * (attendance, school, health, mood). What it says about the check-in itself (shared items,
 * "checked in", or "no check-in came") and that last week was corrected are never dropped.
 */
export function composeDigest(input: DigestInput): string {
  const p = DIGEST_PHRASES[input.language];
  const name = input.childName.trim();
  const order = shareable(input);
  const activities = activityForms(input);
  const corrections = correctionForms(input);
  const replies = [p.replyLong(name), p.replyShort];
  const build = (kept: ShareableItem[], correction: string, activity: string, reply: string): string => {
    let status: string;
    if (input.checkin === undefined) status = p.noCheckin(name);
    else {
      const phrases = itemPhrases(input, new Set(kept));
      status = phrases.length > 0 ? p.shared(name, phrases) : p.checkedIn(name);
    }
    const gap = input.language === 'zh-CN' ? '' : ' ';
    const body = `${BRAND}${[status, correction, activity, reply].filter((s) => s !== '').join(gap)}`;
    return input.stopHint ? appendStopHint(body, input.language) : body;
  };

  let last = '';
  for (let keep = order.length; keep >= 0; keep--) {
    const kept = order.slice(0, keep);
    // The reply line shortens before an activity goes; activities go before the correction is
    // shortened, and that before any shared item.
    for (const correction of corrections) {
      for (const activity of activities) {
        for (const reply of replies) {
          last = build(kept, correction, activity, reply);
          if (fitsDigest(last)) return last;
        }
      }
    }
  }
  // Only a child's name far beyond the roster's 32 characters gets here: still whole.
  return last;
}
