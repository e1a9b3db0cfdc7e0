// A second 签到 in a week already answered: the carer is asked first, never silently starts over.
// 1 corrects the answers (a new run; the first run's answers stay as history), 2 adds a message for the
// Centre (kept beside the earlier ones, through the same alert rules), 3 keeps everything as it is.
import { parseNumber } from '#lib/domain/answer-parsing.ts';
import type { Language, Session } from '#lib/domain/model.ts';

/** The session that waits for the carer's 1/2/3 (not a flow: no answers are recorded in it). */
export const ANSWERED_WEEK_FLOW_ID = 'answered-week';
const CHOICE_STEP = 'choice';
/** A reply that is not 1, 2 or 3 is asked again this many times, then everything is kept. */
export const ANSWERED_WEEK_REPROMPTS = 2;

export type AnsweredWeekChoice = 'correct' | 'message' | 'keep';

export const ANSWERED_WEEK_MESSAGES: Record<
  Language,
  { prompt: string; kept: string; messageAdded: string; notUnderstood: string }
> = {
  'zh-CN': {
    prompt: '本周签到已经完成了。回复1修改答案，回复2给儿童之家留言，回复3保持不变。',
    kept: '好的，本周的答案保持不变。',
    messageAdded: '谢谢！留言已转给儿童之家，之前的答案和留言都保留着。',
    notUnderstood: '请回复1、2或3。',
  },
  en: {
    prompt:
      "This week's check-in is already done. Reply 1 to correct the answers, 2 to add a message for the Centre, 3 to keep them as they are.",
    kept: "OK, this week's answers stay as they are.",
    messageAdded: 'Thank you! Your message goes to the Centre; the earlier answers and messages are kept.',
    notUnderstood: 'Please reply 1, 2 or 3.',
  },
};

export function answeredWeekSession(week: string, now: Date, expiresAt: string): Session {
  return {
    flowId: ANSWERED_WEEK_FLOW_ID,
    flowVersion: 1,
    week,
    childIndex: 0,
    stepId: CHOICE_STEP,
    attempts: 0,
    startedAt: now.toISOString(),
    expiresAt,
  };
}

/** '1', '１', '一', '1个' … as everywhere else; anything other than 1-3 is undefined. */
export function readAnsweredWeekChoice(text: string): AnsweredWeekChoice | undefined {
  switch (parseNumber(text)) {
    case 1:
      return 'correct';
    case 2:
      return 'message';
    case 3:
      return 'keep';
    default:
      return undefined;
  }
}
