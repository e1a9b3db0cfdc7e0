// What a coordinator can text about the alerts and tasks they were sent: acknowledge (收到 A7 /
// OK A7), close with a note (完成 A7 已家访 / DONE A7 visited), ask the state (A7 ?). Pure: the
// text in, the command out. A reference is a letter and the Centre's running number: A for an
// alert, T for a task.
import { normaliseInput } from '#lib/domain/answer-parsing.ts';

export type WorkRefKind = 'alert' | 'task';

const REF_LETTER: Readonly<Record<WorkRefKind, string>> = { alert: 'A', task: 'T' };

/** `A7` for the Centre's 7th reference, an alert. */
export function formatWorkRef(kind: WorkRefKind, n: number): string {
  return `${REF_LETTER[kind]}${n}`;
}

/** The kind a reference names (`A7` → alert), or undefined when it is not one. */
export function workRefKind(ref: string): WorkRefKind | undefined {
  const letter = ref.charAt(0).toUpperCase();
  return letter === 'A' ? 'alert' : letter === 'T' ? 'task' : undefined;
}

export type CoordinatorCommand =
  /** ref undefined: the most recent open alert. */
  | { kind: 'acknowledge'; ref: string | undefined }
  | { kind: 'close'; ref: string | undefined; note: string }
  | { kind: 'state'; ref: string };

// Words for "I have it": 确认 and OK were once read as a broadcast's YES, which only 是/YES are now.
const ACK = ['收到', '确认', '知道了', '好的收到', 'ok', 'okay', 'ack', 'got it'];
const CLOSE = ['完成', '已完成', '办完', '关闭', 'done', 'close', 'closed'];
const STATE = ['状态', '查询', 'status', 'state'];

const words = (list: readonly string[]) =>
  [...list].sort((a, b) => b.length - a.length).map((w) => w.replace(/ /g, '\\s*'));
// A letter and up to 5 digits, not run into more Latin letters or digits ('A7B' is no reference);
// Chinese may follow straight on (完成A7已家访).
const REF = '([at]\\d{1,5})(?![a-z\\d])';
const ACK_RE = new RegExp(`^(?:${words(ACK).join('|')})(?:\\s*${REF})?$`, 'iu');
const CLOSE_RE = new RegExp(`^(?:${words(CLOSE).join('|')})(?:\\s*${REF})?(?:[\\s,:，：]+(.*))?$`, 'isu');
const CLOSE_JOINED_RE = new RegExp(`^(?:${words(CLOSE).join('|')})\\s*${REF}(.+)$`, 'isu');
const STATE_RE = new RegExp(
  `^(?:${REF}\\s*\\?|\\?\\s*${REF}|(?:${words(STATE).join('|')})\\s*${REF}|${REF})$`,
  'iu',
);

/**
 * The coordinator command a message is, or undefined. Matched after the usual normalisation
 * (full width, case, surrounding punctuation kept for `?`), so `收到Ａ７`, `ok a7`, `Ａ７？` work.
 * The note after 完成 is kept as written.
 */
export function parseCoordinatorCommand(text: string): CoordinatorCommand | undefined {
  // normaliseInput strips a trailing `?`, which is the state command's mark: look for it first.
  const folded = text.normalize('NFKC').trim().replace(/\s+/gu, ' ');
  const state = STATE_RE.exec(folded.replace(/[。.!！]+$/u, ''));
  if (state) return { kind: 'state', ref: upperRef(state.slice(1).find((g) => g !== undefined)) ?? '' };
  const compact = normaliseInput(text);
  const ack = ACK_RE.exec(compact);
  if (ack) return { kind: 'acknowledge', ref: upperRef(ack[1]) };
  const close = CLOSE_RE.exec(folded) ?? CLOSE_JOINED_RE.exec(folded);
  if (close) {
    return { kind: 'close', ref: upperRef(close[1]), note: (close[2] ?? '').trim() };
  }
  return undefined;
}

const upperRef = (ref: string | undefined): string | undefined => ref?.toUpperCase();
