// The texts of the weekly rhythm that lianxin starts (invitations, reminders, parents' check-ins and
// nudges, coordinators' tasks) and the parents' side of a conversation. Short: each is one SMS
// segment where it can be (70 UCS-2 characters), since 【连心】 makes every message UCS-2.
import { type FlowStep, renderStepText } from '#lib/domain/flow-schema.ts';
import { appendSentence, appendStopHint, composeReply, MESSAGES } from '#lib/domain/message-catalog.ts';
import type { Language } from '#lib/domain/model.ts';
import { oneMessageQuestion } from '#lib/domain/one-message-checkin.ts';

/** Names as a sentence says them: 小明、小红 / Xiaoming and Xiaohong. */
export function joinNames(names: readonly string[], language: Language): string {
  if (language === 'zh-CN') return names.join('、');
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function greeting(name: string, language: Language): string {
  return language === 'zh-CN' ? `${name}您好！` : `Hello ${name}!`;
}

function withHint(text: string, language: Language, stopHint: boolean): string {
  return stopHint ? appendStopHint(text, language) : text;
}

/**
 * The carer's weekly invitation: it opens the check-in session, so it asks the first question and
 * the carer simply answers.
 */
export function invitationText(options: {
  language: Language;
  carerName: string;
  childName: string;
  firstQuestion: FlowStep;
  stopHint: boolean;
  /** The carer answers in one message: its question comes last, after the stop hint (a template's fixed ending). */
  oneMessage?: boolean | undefined;
}): string {
  const { language, childName } = options;
  if (options.oneMessage) {
    const text = composeReply(language, [
      greeting(options.carerName, language),
      MESSAGES[language].checkinIntro(childName),
    ]);
    return appendSentence(withHint(text, language, options.stopHint), language, oneMessageQuestion(language));
  }
  const text = composeReply(language, [
    greeting(options.carerName, language),
    MESSAGES[language].checkinIntro(childName),
    renderStepText(options.firstQuestion, language, childName),
  ]);
  return withHint(text, language, options.stopHint);
}

/** The one reminder: with the open question when the session is still open, else how to start. */
export function reminderText(options: {
  language: Language;
  /** The question the session waits on, already rendered; undefined when no session is open. */
  openQuestion: string | undefined;
}): string {
  const { language, openQuestion } = options;
  if (language === 'zh-CN') {
    return openQuestion === undefined
      ? composeReply(language, ['提醒：本周签到还没完成。回复“签到”开始。'])
      : composeReply(language, ['提醒：本周签到还没完成，直接回复就能接着答。', openQuestion]);
  }
  return openQuestion === undefined
    ? composeReply(language, ["Reminder: this week's check-in is not done yet. Reply CHECKIN to start."])
    : composeReply(language, [
        "Reminder: this week's check-in is not finished; just reply to go on.",
        openQuestion,
      ]);
}

/** A parent's weekly question; it opens their session, so "1" or "2" is the whole answer. */
export function parentCheckinText(options: {
  language: Language;
  parentName: string;
  children: readonly string[];
  question: FlowStep;
  stopHint: boolean;
}): string {
  const { language } = options;
  const names = joinNames(options.children, language);
  const text = composeReply(language, [
    greeting(options.parentName, language),
    renderStepText(options.question, language, names, names),
  ]);
  return withHint(text, language, options.stopHint);
}

/** The weekend reminder to call home. */
export function nudgeText(language: Language, children: readonly string[]): string {
  const names = joinNames(children, language);
  return language === 'zh-CN'
    ? composeReply(language, [`周末到了，给${names}打个电话吧，孩子盼着听到您的声音。`])
    : composeReply(language, [`It's the weekend: give ${names} a call. They would love to hear your voice.`]);
}

interface MissedCheckinsText {
  language: Language;
  carerName: string;
  carerPhone: string | undefined;
  children: readonly string[];
  optedOut: boolean;
  /** The task's short reference (T3), to answer it by text. */
  ref?: string | undefined;
}

/** To the Centre's coordinators when a carer has missed two weekly check-ins in a row. */
export function missedCheckinsTaskText(options: MissedCheckinsText): string {
  return missedCheckinsText(options, false);
}

/** To every coordinator of the Centre when that task is still unacknowledged a day after it was raised. */
export function missedCheckinsEscalationText(options: MissedCheckinsText): string {
  return missedCheckinsText(options, true);
}

function missedCheckinsText(options: MissedCheckinsText, escalated: boolean): string {
  const { language, carerName, carerPhone, optedOut, ref } = options;
  const names = joinNames(options.children, language);
  if (language === 'zh-CN') {
    const why = optedOut ? '（已退订消息）' : '';
    const who = carerPhone ? `联系：${carerPhone}` : '联系家里';
    const head = escalated ? `待办${ref ?? ''}已超过24小时无人确认：` : `待办${ref ?? ''}：`;
    const call = escalated ? (ref ? `请今天${who}。` : `请今天${who}，并在系统中确认。`) : `请${who}`;
    const answer = ref ? `回复“收到 ${ref}”确认。` : '';
    return composeReply(language, [
      `${head}${carerName}${why}已连续两周没有完成${names}的签到。${call}`,
      answer,
    ]);
  }
  const why = optedOut ? ' (has unsubscribed)' : '';
  const head = escalated
    ? `To do${ref ? ` ${ref}` : ''} unacknowledged for 24 h`
    : `To do${ref ? ` ${ref}` : ''}`;
  const reach = carerPhone ? `Please call ${carerPhone}` : 'Please get in touch';
  const call = escalated ? (ref ? `${reach} today.` : `${reach} today and acknowledge it.`) : `${reach}.`;
  const answer = ref ? `Reply OK ${ref} to acknowledge.` : '';
  return composeReply(language, [
    `${head}: ${carerName}${why} has missed the check-in for ${names} two weeks running. ${call}`,
    answer,
  ]);
}

/** What the parents' side of a conversation says back. */
export const PARENT_REPLIES: Readonly<
  Record<
    Language,
    {
      talkedYes(children: string): string;
      talkedNo(children: string): string;
      messageKept(children: string): string;
      skipped: string;
      pleasantry: string;
      /** After 电话 / CALL: the Centre will arrange a call. */
      callRequested(children: string): string;
    }
  >
> = {
  'zh-CN': {
    talkedYes: (c) => `太好了！想对${c}说什么，直接回复，我们转告。`,
    talkedNo: (c) => `没关系，周末记得给${c}打个电话。想对孩子说什么，直接回复，我们转告。`,
    messageKept: (c) => `收到，我们会把您的话转告${c}。`,
    skipped: '好的，谢谢您！',
    pleasantry: '不客气！想给孩子留言，直接回复文字就行。',
    callRequested: (c) => `好的，儿童之家老师会联系您，约时间和${c}通电话。`,
  },
  en: {
    talkedYes: (c) => `Wonderful! Anything to tell ${c}? Just reply and we will pass it on.`,
    talkedNo: (c) => `Never mind: give ${c} a call this weekend. Anything to tell them? Just reply.`,
    messageKept: (c) => `Thank you. We will pass your message on to ${c}.`,
    skipped: 'All right, thank you!',
    pleasantry: "You're welcome! To leave a message for your child, just reply in words.",
    callRequested: (c) => `All right: the Centre will get in touch to arrange a call with ${c}.`,
  },
};
