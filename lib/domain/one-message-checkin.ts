// The one-message check-in: every numbered item about a child asked in one SMS and answered in one
// reply of digits ('51211', '5 1 2 1 1', '５１２１１', '五一二一一'). It cuts a family's weekly
// messages several-fold. Pure: the reading of a reply, the question's text, and when to offer it.
import { normaliseInput } from '#lib/domain/answer-parsing.ts';
import type { FlowStep } from '#lib/domain/flow-schema.ts';
import type { AnswerValue, ContactView, Language } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS, weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { addWeeks } from '#lib/domain/weekly-schedule.ts';

/**
 * Offered after this many weeks in a row answered step by step: by the third week a carer has seen
 * every question and its numbers three times, so a digit per item is something they already know;
 * a first or second week is still learning the questions. Offered once; the carer chooses.
 */
export const ONE_MESSAGE_OFFER_WEEKS = 3;

/** Values every one of these steps takes, one digit each (0–9). */
function singleDigitValues(step: FlowStep): number[] | undefined {
  const spec = step.answer;
  if (spec.type === 'number') {
    if (spec.max > 9) return undefined;
    return Array.from({ length: spec.max - spec.min + 1 }, (_, i) => spec.min + i);
  }
  if (spec.type === 'choice') {
    const values = spec.options.map((o) => o.value);
    return values.every((v) => v <= 9) ? values : undefined;
  }
  return undefined;
}

/**
 * The items asked in the one message: the check-in's leading steps whose answers are one digit,
 * in flow order (here attendance, mood, school, health, parent contact). The free-text message is
 * asked once after the last child.
 */
export const ONE_MESSAGE_ITEMS: readonly FlowStep[] = (() => {
  const items: FlowStep[] = [];
  for (const step of weeklyCheckinFlow.steps) {
    // Branching steps would make the order depend on the answers; the one message has none.
    if (singleDigitValues(step) === undefined || step.next !== undefined) break;
    items.push(step);
  }
  return items;
})();

export function isOneMessageItem(stepId: string): boolean {
  return ONE_MESSAGE_ITEMS.some((s) => s.id === stepId);
}

/** Short labels for the items, with their numbers, as the one message lists them. */
const ITEM_LABELS: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  'zh-CN': {
    [WEEKLY_CHECKIN_ITEMS.attendance]: '去儿童之家几天(0-7)',
    [WEEKLY_CHECKIN_ITEMS.mood]: '心情(1很开心2还好3不太开心4很难过)',
    [WEEKLY_CHECKIN_ITEMS.school]: '上学(1很好2一般3有困难4没去)',
    [WEEKLY_CHECKIN_ITEMS.health]: '身体(1健康2小病3要帮助)',
    [WEEKLY_CHECKIN_ITEMS.parentContact]: '和爸妈联系了吗(1是2否)',
  },
  en: {
    [WEEKLY_CHECKIN_ITEMS.attendance]: 'days at the Centre 0-7',
    [WEEKLY_CHECKIN_ITEMS.mood]: 'mood 1 happy 2 OK 3 unhappy 4 very sad',
    [WEEKLY_CHECKIN_ITEMS.school]: 'school 1 good 2 so-so 3 hard 4 absent',
    [WEEKLY_CHECKIN_ITEMS.health]: 'health 1 well 2 ill 3 needs help',
    [WEEKLY_CHECKIN_ITEMS.parentContact]: 'talked to parents 1 yes 2 no',
  },
};

/** A reply that would be read as every item answered: a plausible week, for the example. */
export function exampleDigits(): string {
  return ONE_MESSAGE_ITEMS.map((step) => {
    const values = singleDigitValues(step) ?? [];
    return step.answer.type === 'number' ? Math.min(5, Math.max(...values)) : values[0];
  }).join('');
}

/**
 * The one message's question, the same for every child (the child is named before it): fixed text,
 * so that it is registered once as a template's fixed part (lib/domain/sms-templates.ts).
 */
export function oneMessageQuestion(language: Language): string {
  const labels = ONE_MESSAGE_ITEMS.map((s) => {
    const label = ITEM_LABELS[language][s.id];
    if (label === undefined) throw new RangeError(`no one-message label for ${s.id}`);
    return label;
  });
  const n = ONE_MESSAGE_ITEMS.length;
  return language === 'zh-CN'
    ? `请一条短信回复${n}个数字，依次是：${labels.join('；')}。例如${exampleDigits()}`
    : `One text, ${n} digits in order: ${labels.join('; ')}. E.g. ${exampleDigits()}`;
}

const CHINESE_DIGIT: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  一: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};
// Between digits: spaces, commas, dots, dashes, slashes, and a unit word after a number ('5天').
const SEPARATOR = /[\s,，、.。;；:：/\\|_+\-—~·个天次号分]/u;

/** What a one-message reply says, item by item, up to the first item it does not make clear. */
export interface OneMessageRead {
  /** Values of the leading items the reply made clear, in item order. */
  values: AnswerValue[];
  /** Index of the first item that is not clear; undefined when every item is. */
  unclearAt: number | undefined;
  /** What the carer typed, trimmed. */
  raw: string;
}

type Token = { digit: number } | { other: true };

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let inOther = false;
  for (const ch of normaliseInput(text)) {
    const digit = /^\d$/.test(ch) ? ch : CHINESE_DIGIT[ch];
    if (digit !== undefined) {
      out.push({ digit: Number(digit) });
      inOther = false;
    } else if (SEPARATOR.test(ch)) {
      inOther = false;
    } else if (!inOther) {
      // A run of anything else (a word, a 十, a letter) stands for one unclear answer.
      out.push({ other: true });
      inOther = true;
    }
  }
  return out;
}

/**
 * Reads one reply as the answers to `items` in order, one digit each, in any width, as Chinese
 * numerals, with or without separators. The items before the first unclear one are kept:
 * - a digit out of an item's range, or a word where a digit should be, is unclear there;
 * - too few digits: the ones given are the first items (the question lists them in order, and a
 *   reply that stops early has stopped early), the first missing one is unclear;
 * - too many: nothing is kept. A doubled key press shifts every later answer, and a wrong answer
 *   kept as clear is worse than asking again.
 */
export function readOneMessageReply(items: readonly FlowStep[], text: string): OneMessageRead {
  const raw = text.trim();
  const read = tokens(text);
  if (read.length > items.length) return { values: [], unclearAt: 0, raw };
  const values: AnswerValue[] = [];
  for (const [i, step] of items.entries()) {
    const token = read[i];
    const allowed = singleDigitValues(step) ?? [];
    if (token === undefined || !('digit' in token) || !allowed.includes(token.digit)) {
      return { values, unclearAt: i, raw };
    }
    values.push(token.digit);
  }
  return { values, unclearAt: undefined, raw };
}

/** The streak of weeks a carer has answered step by step, after a check-in completed in `week`. */
export function nextStepStreak(
  contact: Pick<ContactView, 'stepStreak' | 'stepStreakWeek'>,
  week: string,
): { stepStreak: number; stepStreakWeek: string } {
  const before = contact.stepStreak ?? 0;
  if (contact.stepStreakWeek === week) return { stepStreak: before, stepStreakWeek: week };
  const running = contact.stepStreakWeek === addWeeks(week, -1);
  return { stepStreak: running ? before + 1 : 1, stepStreakWeek: week };
}

/** Whether to offer the one message now: a carer who has not chosen, not offered before, N weeks running. */
export function shouldOfferOneMessage(
  contact: Pick<ContactView, 'checkinForm' | 'oneMessageOffered'>,
  streak: number,
): boolean {
  return contact.checkinForm === undefined && !contact.oneMessageOffered && streak >= ONE_MESSAGE_OFFER_WEEKS;
}
