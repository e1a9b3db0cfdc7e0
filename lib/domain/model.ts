// Shared vocabulary of the product. Pure types: no AWS, no I/O.

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const CHILD_CATEGORIES = ['both-away', 'one-away', 'with-parents'] as const;
export type ChildCategory = (typeof CHILD_CATEGORIES)[number];

export const CONTACT_ROLES = ['carer', 'parent', 'coordinator'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const CHANNEL_NAMES = ['sms', 'wechat', 'local'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export interface ChannelAddress {
  channel: ChannelName;
  /** E.164 for SMS, OpenID for WeChat. */
  address: string;
}

/** A child as a conversation refers to them: the name the family uses. */
export interface ChildRef {
  childId: string;
  familyId: string;
  name: string;
  category: ChildCategory;
}

/**
 * What a conversation needs to know about the person writing. It is a projection of the
 * contact, stored with each of the contact's channel addresses so that one read serves a turn.
 */
export interface ContactView {
  contactId: string;
  role: ContactRole;
  language: Language;
  optedOut: boolean;
  displayName: string;
  centreId: string;
  centreName: string;
  /** The Centre's phone, given in help texts. */
  centrePhone: string;
  /** Children this contact answers for (carer) or hears about (parent), in the order asked. */
  children: ChildRef[];
  /** Every channel address of the contact, so a change (opt-out, language) reaches each copy. */
  addresses: ChannelAddress[];
  /** ISO week (e.g. 2026-W48) of the last message on this address that said how to stop. */
  stopHintWeek?: string | undefined;
  /** The ISO week whose check-in this address finished: a second 签到 that week asks first. */
  checkinDoneWeek?: string | undefined;
  /** When this address last got the idle reply (kept per address, like stopHintWeek). */
  lastIdleReplyAt?: string | undefined;
  /**
   * How the carer's check-in is asked: `one-message` (every numbered item in one SMS, answered in one
   * reply of digits) or `steps` (one question at a time, chosen explicitly). Unset: step by step, and
   * the one message is offered after a few weeks (lib/domain/one-message-checkin.ts).
   */
  checkinForm?: CheckinForm | undefined;
  /** Weeks in a row, ending with stepStreakWeek, this address completed a check-in step by step. */
  stepStreak?: number | undefined;
  stepStreakWeek?: string | undefined;
  /** The one-message check-in was offered on this address (it is offered once). */
  oneMessageOffered?: boolean | undefined;
}

export const CHECKIN_FORMS = ['one-message', 'steps'] as const;
export type CheckinForm = (typeof CHECKIN_FORMS)[number];

/** A conversation in progress on one channel address. */
export interface Session {
  flowId: string;
  flowVersion: number;
  /** ISO week the answers belong to, fixed when the session starts, so late answers land there. */
  week: string;
  /** Index into ContactView.children of the child being asked about. */
  childIndex: number;
  /**
   * The child being asked about, by id: the roster may change under an open session (a child added
   * or removed reorders the list), and an answer must never land on another child.
   */
  childId?: string | undefined;
  stepId: string;
  /** Invalid answers already given at the current step. */
  attempts: number;
  startedAt: string;
  expiresAt: string;
  /**
   * A second run in a week already answered (lib/domain/answered-week.ts): `correction` asks every
   * item again, `message` only the free text. Its answers are kept beside the first run's, not instead.
   */
  mode?: 'correction' | 'message' | undefined;
  /**
   * A one-message run: `one-message` while the open question is the child's one message (or, at the
   * free-text step, the message asked once for all children); `one-message-steps` after an unclear
   * reply, while the rest of that child's items are asked one by one.
   */
  form?: 'one-message' | 'one-message-steps' | undefined;
  /** A coordinator's broadcast (GB by SMS) waiting for YES: the draft's id. */
  broadcastId?: string | undefined;
}

export type AnswerValue = number | string | boolean;

export interface AnswerRecord {
  childId: string;
  familyId: string;
  week: string;
  flowId: string;
  itemId: string;
  status: 'answered' | 'unanswered' | 'skipped';
  value?: AnswerValue | undefined;
  /** Exactly what was typed (after truncation for free text). */
  raw: string;
  truncated?: boolean | undefined;
  answeredAt: string;
  /** The run the answer belongs to (its session's start), and whether it corrects an answered week. */
  run?: string | undefined;
  correction?: boolean | undefined;
}

export interface CompletedCheckin {
  childId: string;
  familyId: string;
  week: string;
  flowId: string;
  completedAt: string;
  /** A correction run completed: the week was answered before (no second parents' update). */
  correction?: boolean | undefined;
}

export interface AlertRecord {
  /** Deterministic id so a replayed turn cannot raise the same alert twice. */
  alertId: string;
  centreId: string;
  childId: string;
  familyId: string;
  week: string;
  itemId: string;
  reason: 'answer' | 'words';
  value?: AnswerValue | undefined;
  raisedAt: string;
}

export interface ContactChanges {
  optedOut?: boolean | undefined;
  language?: Language | undefined;
  stopHintWeek?: string | undefined;
  lastIdleReplyAt?: string | undefined;
  checkinDoneWeek?: string | undefined;
  checkinForm?: CheckinForm | undefined;
  stepStreak?: number | undefined;
  stepStreakWeek?: string | undefined;
  oneMessageOffered?: boolean | undefined;
}

/**
 * A parent's free-text message for their child, kept for the Centre to read out or print. The
 * store adds the inbound message's id, which makes it once per message.
 */
export interface ChildMessageRecord {
  centreId: string;
  fromContactId: string;
  fromName: string;
  /** The children it is for: those the text names, else all of the parent's children. */
  children: ChildRef[];
  text: string;
  truncated: boolean;
  /** ISO week it was written in (Asia/Shanghai). */
  week: string;
  receivedAt: string;
}

/** A parent asks the Centre to arrange a call with their children (电话 / CALL): a coordinators' task. */
export interface CallRequest {
  centreId: string;
  contactId: string;
  contactName: string;
  /** The parent's SMS number, for the coordinator to call back. */
  phone?: string | undefined;
  children: ChildRef[];
  /** ISO week it was asked in: one task per parent and week. */
  week: string;
  requestedAt: string;
}

/** A parent's answer to "did you talk with your child this week?". */
export interface ParentWeekAnswer {
  contactId: string;
  week: string;
  talked: boolean;
  answeredAt: string;
}

/**
 * Where the session's child stands in the contact's children now: found by id when the session
 * names one (the list may have been reordered since), else by position. Undefined when the child
 * is no longer there: the session cannot go on.
 */
export function sessionChildIndex(session: Session, children: readonly ChildRef[]): number | undefined {
  if (session.childId === undefined)
    return session.childIndex < children.length ? session.childIndex : undefined;
  const index = children.findIndex((c) => c.childId === session.childId);
  return index < 0 ? undefined : index;
}
