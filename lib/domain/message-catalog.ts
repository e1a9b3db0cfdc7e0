// Every text lianxin says in a conversation, in both languages. Kept SMS-short: 【连心】 makes any
// message UCS-2, where one segment is 70 characters, and carers pay attention to short texts.

import type { TemplateRefusal } from '#lib/domain/broadcast-template-limits.ts';
import type { AnswerSpec } from '#lib/domain/flow-schema.ts';
import type { Language } from '#lib/domain/model.ts';
import type { MainlandProvider } from '#lib/domain/sms-templates.ts';

/** The programme's name, at the head of every message (in English too: it is a name). */
export const BRAND = '【连心】';

export interface CentreInfo {
  centreName: string;
  centrePhone: string;
}

export interface MessageSet {
  checkinIntro(child: string): string;
  nextChild(child: string): string;
  /** Said before the next question after a valid answer. */
  ack: string;
  checkinDone: string;
  /** After an answer with words of harm: gentle, not alarming. */
  harmNoted: string;
  notUnderstood: string;
  /** After the last re-prompt failed and the question is left unanswered. */
  movingOn: string;
  /** How to answer a question, said on re-prompt unless the step has its own hint. */
  hint(spec: AnswerSpec): string;
  optedOut: string;
  optedIn: string;
  alreadySubscribed: string;
  replyCheckin: string;
  help(centre: CentreInfo, who: { carer: boolean; optedOut: boolean }): string;
  languageSet: string;
  idle(who: { carer: boolean }): string;
  checkinIsForCarers(centre: CentreInfo): string;
  noChildren(centre: CentreInfo): string;
  /** Appended on the first message of each ISO week on an address. */
  stopHint: string;
  /** The carer chose the one-message check-in (一条 / ONE TEXT), or went back (逐条 / STEPS). */
  oneMessageChosen: string;
  stepsChosen: string;
  /** After a few weeks answered step by step, once. */
  oneMessageOffer: string;
  /** A one-message reply not all clear: `kept` leading items are kept, the rest asked one by one. */
  oneByOne(kept: number): string;
}

function choiceValues(spec: Extract<AnswerSpec, { type: 'choice' }>): number[] {
  return spec.options.map((o) => o.value).sort((a, b) => a - b);
}

function isRun(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v === (values[i - 1] ?? Number.NaN) + 1);
}

const zh: MessageSet = {
  checkinIntro: (child) => `本周签到：先说说${child}。`,
  nextChild: (child) => `谢谢！再说说${child}。`,
  ack: '好的。',
  checkinDone: '谢谢您！本周签到完成。',
  harmNoted: '我们会告诉儿童之家。',
  notUnderstood: '抱歉，没看懂。',
  movingOn: '没关系，先跳过这题。',
  hint(spec) {
    switch (spec.type) {
      case 'number':
        return `请回复${spec.min}到${spec.max}的数字。`;
      case 'choice': {
        const v = choiceValues(spec);
        if (v.length === 2) return `请回复${v[0]}或${v[1]}。`;
        if (isRun(v)) return `请回复${v[0]}到${v[v.length - 1]}的数字。`;
        return `请回复${v.join('、')}中的一个。`;
      }
      case 'yesno':
        return '请回复“是”或“否”。';
      case 'text':
        return spec.skipWords[0] === undefined
          ? '请直接回复文字。'
          : `请直接回复文字，回复${spec.skipWords[0]}跳过。`;
    }
  },
  optedOut: '您已退订，不会再收到消息。回复“订阅”可恢复。',
  optedIn: '欢迎回来！您会继续收到连心的消息。',
  alreadySubscribed: '您已在接收连心的消息。',
  replyCheckin: '回复“签到”做本周签到。',
  help: (c, who) =>
    who.optedOut
      ? `${c.centreName}电话：${c.centrePhone}。您已退订，回复“订阅”恢复消息。`
      : `${c.centreName}电话：${c.centrePhone}。${who.carer ? '回复“签到”做本周签到，' : '回复“电话”约时间和孩子通话，'}“退订”停止消息，“English”改英文。`,
  languageSet: '已改为中文。',
  idle: (who) => (who.carer ? '您好！回复“签到”做本周签到。' : '您好！回复“帮助”查看说明。'),
  checkinIsForCarers: (c) => `签到由照顾孩子的家人填写。有事请联系${c.centreName}：${c.centrePhone}。`,
  noChildren: (c) => `目前没有要签到的孩子。请联系${c.centreName}：${c.centrePhone}。`,
  stopHint: '回复TD退订',
  oneMessageChosen: '好的，以后签到发一条短信，回复一串数字就行。回复“逐条”改回一题一题问。',
  stepsChosen: '好的，以后签到一题一题问。回复“一条”改为一条短信答完。',
  oneMessageOffer: '您已连续几周按时签到。想以后一条短信答完吗？回复“一条”。',
  oneByOne: (kept) => (kept > 0 ? `前${kept}个已记下，其余一题一题问。` : '没看懂，我们一题一题问。'),
};

const en: MessageSet = {
  checkinIntro: (child) => `This week's check-in: first, ${child}.`,
  nextChild: (child) => `Thank you! Now ${child}.`,
  ack: 'Thanks.',
  checkinDone: "Thank you! This week's check-in is done.",
  harmNoted: 'We will let the Centre know.',
  notUnderstood: 'Sorry, I did not understand.',
  movingOn: "Never mind, let's skip that one.",
  hint(spec) {
    switch (spec.type) {
      case 'number':
        return `Please reply with a number from ${spec.min} to ${spec.max}.`;
      case 'choice': {
        const v = choiceValues(spec);
        if (v.length === 2) return `Please reply ${v[0]} or ${v[1]}.`;
        if (isRun(v)) return `Please reply with a number from ${v[0]} to ${v[v.length - 1]}.`;
        return `Please reply one of ${v.join(', ')}.`;
      }
      case 'yesno':
        return 'Please reply YES or NO.';
      case 'text':
        return spec.skipWords[0] === undefined
          ? 'Please reply in words.'
          : `Please reply in words, or ${spec.skipWords[0]} to skip.`;
    }
  },
  optedOut: 'You have unsubscribed and will get no more messages. Reply START to resume.',
  optedIn: 'Welcome back! You will get lianxin messages again.',
  alreadySubscribed: 'You are already getting lianxin messages.',
  replyCheckin: "Reply CHECKIN for this week's check-in.",
  help: (c, who) =>
    who.optedOut
      ? `${c.centreName}: ${c.centrePhone}. You have unsubscribed; reply START to get messages again.`
      : `${c.centreName}: ${c.centrePhone}. Reply ${who.carer ? "CHECKIN for this week's check-in, " : 'CALL to arrange a call with your child, '}STOP to stop messages, 中文 for Chinese.`,
  languageSet: 'Language set to English.',
  idle: (who) =>
    who.carer ? "Hello! Reply CHECKIN for this week's check-in." : 'Hello! Reply HELP for help.',
  checkinIsForCarers: (c) =>
    `The check-in is for the children's carers. For anything else call ${c.centreName}: ${c.centrePhone}.`,
  noChildren: (c) => `There is no child to check in for. Please call ${c.centreName}: ${c.centrePhone}.`,
  stopHint: 'Reply STOP to stop.',
  oneMessageChosen:
    'OK: from now on the check-in is one text, answered with a row of digits. Reply STEPS for one question at a time.',
  stepsChosen:
    'OK: from now on the check-in asks one question at a time. Reply ONE TEXT to answer in one text.',
  oneMessageOffer:
    'You have checked in several weeks running. Answer all in one text next time? Reply ONE TEXT.',
  oneByOne: (kept) =>
    kept > 0
      ? `The first ${kept} are noted; the rest one question at a time.`
      : "Sorry, I did not understand; let's go one question at a time.",
};

export const MESSAGES: Readonly<Record<Language, MessageSet>> = { 'zh-CN': zh, en };

const ENDS_SENTENCE = /[。！？!?.…：:）)]$/u;

// Parts are sentences; a question like '…4很难过' has no full stop, so one is added before more text.
function join(language: Language, parts: readonly string[]): string {
  const stop = language === 'zh-CN' ? '。' : '.';
  const gap = language === 'zh-CN' ? '' : ' ';
  return parts
    .filter((p) => p !== '')
    .reduce(
      (text, part) => (text === '' ? part : `${text}${ENDS_SENTENCE.test(text) ? '' : stop}${gap}${part}`),
      '',
    );
}

/** One reply: 【连心】 and the parts as sentences. */
export function composeReply(language: Language, parts: readonly string[]): string {
  return `${BRAND}${join(language, parts)}`;
}

/** A composed reply with how to stop added at the end. */
export function appendStopHint(reply: string, language: Language): string {
  return appendSentence(reply, language, MESSAGES[language].stopHint);
}

/** A composed reply with one more sentence at the end. */
export function appendSentence(reply: string, language: Language, sentence: string): string {
  return join(language, [reply, sentence]);
}

/**
 * To a number that is not registered: both languages in one message, since we know nothing of
 * the sender, and nothing about anyone in it.
 */
export function unregisteredText(): string {
  return `${BRAND}此号码未在连心登记，请联系您的儿童之家老师。This number is not registered with lianxin. Please contact your Children's Centre coordinator.`;
}

/** What a coordinator's broadcast by SMS (GB / 群发) is told, in the coordinator's language. */
export interface BroadcastSmsMessages {
  preview(p: {
    recipients: number;
    centreName: string;
    segments: number;
    totalSegments: number;
    cost: string;
    sample: string;
  }): string;
  approved(recipients: number): string;
  cancelled: string;
  expired: string;
  nothingPending: string;
  noRecipients: string;
  usage: string;
  tooLong(length: number, max: number): string;
  /** A +86 provider's templates cannot carry the text (lib/domain/broadcast-template-limits.ts). */
  templateTooLong(r: Pick<TemplateRefusal, 'language' | 'provider' | 'fits' | 'chars'>): string;
  /** GB without the PIN in front of the message. */
  pinMissing: string;
  /** The coordinator has no PIN yet. */
  pinNotSet(centrePhone: string): string;
  pinWrong(triesLeft: number): string;
  locked(centrePhone: string): string;
}

/** The +86 providers as a coordinator knows them. */
const PROVIDER_NAMES: Readonly<Record<Language, Record<MainlandProvider, string>>> = {
  'zh-CN': { aliyun: '阿里云', tencent: '腾讯云' },
  en: { aliyun: 'Alibaba Cloud', tencent: 'Tencent Cloud' },
};

export const BROADCAST_SMS_MESSAGES: Readonly<Record<Language, BroadcastSmsMessages>> = {
  'zh-CN': {
    preview: (p) =>
      `群发预览：将发给${p.centreName}的${p.recipients}位家长和照顾者，每条${p.segments}段短信（共${p.totalSegments}段，约${p.cost}）。内容：「${p.sample}」。10分钟内回复“是”发送，回复“否”取消。`,
    approved: (n) => `已确认，几分钟内发给${n}人。`,
    cancelled: '群发已取消，不会发送。',
    expired: '这条群发预览已过期，没有发送。请重新发送“GB 内容”。',
    nothingPending: '没有待确认的群发。群发请回复“GB 内容”。',
    noRecipients: '没有可以收到这条群发的人，没有发送。',
    usage: '群发请回复“GB 密码 内容”，例如：GB 4821 周六活动取消。',
    tooLong: (length, max) => `群发内容太长（${length}字），最多${max}字。请改短后重新发送。`,
    templateTooLong: (r) =>
      `没有发送：${PROVIDER_NAMES['zh-CN'][r.provider]}短信模板装不下这条${r.language === 'zh-CN' ? '中文' : '英文'}通知。加上中心名称和退订提示，最多能写${r.fits}字，现在有${r.chars}字。请改短。`,
    pinMissing: '没有发送。群发要先写您的群发密码：GB 密码 内容，例如：GB 4821 周六活动取消。',
    pinNotSet: (phone) => `没有发送。您还没有群发密码，请在管理系统里设置（或联系${phone}）。`,
    pinWrong: (left) => `群发密码不对，没有发送。再错${left}次将锁定群发。`,
    locked: (phone) => `群发已锁定（密码错误次数过多），没有发送。请在管理系统里重设密码（或联系${phone}）。`,
  },
  en: {
    preview: (p) =>
      `Broadcast preview: to ${p.recipients} carers and parents of ${p.centreName}, ${p.segments} SMS segment(s) each (${p.totalSegments} in all, about ${p.cost}). It reads: "${p.sample}". Reply YES within 10 minutes to send, NO to cancel.`,
    approved: (n) => `Approved: it goes out to ${n} people within minutes.`,
    cancelled: 'Broadcast cancelled; nothing will be sent.',
    expired: 'This broadcast preview has expired and nothing was sent. Text GB and your message again.',
    nothingPending: 'There is no broadcast waiting for your YES. To send one, text GB and your message.',
    noRecipients: 'No one could receive this broadcast, so nothing will be sent.',
    usage: 'To broadcast, text GB, your PIN and your message, e.g. GB 4821 No club on Saturday.',
    tooLong: (length, max) =>
      `The broadcast is too long (${length} characters, at most ${max}). Please shorten it and text GB again.`,
    templateTooLong: (r) =>
      `Nothing was sent: ${PROVIDER_NAMES.en[r.provider]}'s SMS templates cannot carry this ${r.language === 'zh-CN' ? 'Chinese' : 'English'} notice. With the Centre's name and how to stop added, ${r.fits} characters fit; it has ${r.chars}. Please shorten it.`,
    pinMissing:
      'Nothing was sent. A broadcast needs your GB PIN first: GB, your PIN and your message, e.g. GB 4821 No club on Saturday.',
    pinNotSet: (phone) =>
      `Nothing was sent. You have no GB PIN yet: set one in the console (or call ${phone}).`,
    pinWrong: (left) => `Wrong GB PIN; nothing was sent. ${left} more wrong and GB will be locked.`,
    locked: (phone) =>
      `GB is locked after too many wrong PINs; nothing was sent. Set a new PIN in the console (or call ${phone}).`,
  },
};
