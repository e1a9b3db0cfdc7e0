import { compactInput } from '#lib/domain/answer-parsing.ts';
import type { Language } from '#lib/domain/model.ts';

/** What a keyword asks for. Keywords work at any step of any conversation. */
export type Keyword =
  | 'stop'
  | 'start'
  | 'help'
  | 'checkin'
  | 'one-message'
  | 'steps'
  | { language: Language };

// The carrier-standard English opt-out words plus TD/T/退订, which Chinese SMS users know
// from 回复TD退订. The list is deliberately not wider: a false stop silences a family.
const STOP = ['stop', 'stopall', 'unsubscribe', 'end', 'quit', 'cancel', 'td', 't', '退订'];
const START = ['start', 'unstop', '订阅'];
const HELP = ['help', 'info', '帮助'];
const CHECKIN = ['checkin', '签到'];
// The check-in's form (lib/domain/one-message-checkin.ts). Not 一次: '一次' reads as the number 1
// (parseNumber drops a trailing 次), and an answer must never be taken for a keyword.
const ONE_MESSAGE = ['一条', '一条短信', 'onetext'];
const STEPS = ['逐条', '一题一题', 'steps', 'stepbystep'];
// 英文/chinese too: someone asking for the other language may name it in their own.
const ZH = ['中文', 'chinese'];
const EN = ['english', '英文'];

const KEYWORDS: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ...STOP.map((w) => [w, 'stop'] as const),
  ...START.map((w) => [w, 'start'] as const),
  ...HELP.map((w) => [w, 'help'] as const),
  ...CHECKIN.map((w) => [w, 'checkin'] as const),
  ...ONE_MESSAGE.map((w) => [w, 'one-message'] as const),
  ...STEPS.map((w) => [w, 'steps'] as const),
  ...ZH.map((w) => [w, { language: 'zh-CN' }] as const),
  ...EN.map((w) => [w, { language: 'en' }] as const),
]);

/**
 * The keyword a message is, or undefined. Only the whole message counts ('stop' yes, 'please
 * stop hitting him' no), after normalisation: any case, full-width letters, spaces and
 * surrounding punctuation ('ＳＴＯＰ', ' Stop。', 'check in').
 */
export function detectKeyword(text: string): Keyword | undefined {
  return KEYWORDS.get(compactInput(text));
}

// A parent asking the Centre to arrange a call with their child (电话 / CALL), as the whole message.
const CALL_REQUEST = new Set(['电话', '打电话', '通电话', '约电话', 'call', 'callme', 'phone']);

/** Whether a parent's message asks for a call with the child (a task for the coordinators). */
export function isCallRequest(text: string): boolean {
  return CALL_REQUEST.has(compactInput(text));
}

// What mainland carriers teach people to reply to stop application SMS (回复T/TD退订, 回复R拒收). Only on
// the domestic channel: there a lone "R" means nothing else, and carriers expect it to work.
const DOMESTIC_STOP = new Set(['t', 'td', 'r', '退订', '拒收']);

/** A reply on the domestic SMS channel that asks to stop (any case and width, spaces ignored). */
export function isDomesticOptOut(text: string): boolean {
  return DOMESTIC_STOP.has(compactInput(text));
}
