// What the weekly rhythm decides at each step, as pure functions of what was read: whether a
// week's invitation (or a parent's check-in) goes and which session it opens, whether a reminder
// or a nudge is needed, and what closing a week records. The scheduler tick reads, calls these,
// and writes; tests call them directly.
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import type { ChildRef, ContactView, Session } from '#lib/domain/model.ts';
import { PARENT_STEPS, parentWeeklyFlow } from '#lib/domain/parent-weekly-flow.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';

const HOUR_MS = 60 * 60 * 1000;

/** Decisions that mean a carer was asked this week, so an unfinished check-in counts as missed. */
export const COUNTED_DECISIONS = ['send', 'in-progress', 'opted-out', 'no-address'] as const;

export type FirstStepDecision =
  | { decision: 'send'; session: Session; child: ChildRef; stopHint: boolean }
  | { decision: 'in-progress' | 'done' | 'opted-out' | 'no-address' | 'no-children'; stopHint: false };

export interface FirstStepInput {
  week: string;
  now: Date;
  /** The contact as their recipient address shows them; undefined when they have no usable address. */
  view: ContactView | undefined;
  /** The session open on that address, if any (expired ones count as none). */
  session: Session | undefined;
  /** Children whose check-in for the week is already completed (carers). */
  completed: ReadonlySet<string>;
  sessionTtlHours: number;
}

function isLive(session: Session | undefined, now: Date): session is Session {
  return session !== undefined && now.getTime() < Date.parse(session.expiresAt);
}

function newSession(
  flowId: string,
  version: number,
  week: string,
  stepId: string,
  now: Date,
  ttlHours: number,
) {
  return (childIndex: number, childId?: string): Session => ({
    flowId,
    flowVersion: version,
    week,
    childIndex,
    childId,
    stepId,
    attempts: 0,
    startedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlHours * HOUR_MS).toISOString(),
  });
}

function unreachable(input: FirstStepInput): FirstStepDecision | undefined {
  if (input.view === undefined) return { decision: 'no-address', stopHint: false };
  if (input.view.optedOut) return { decision: 'opted-out', stopHint: false };
  if (input.view.children.length === 0) return { decision: 'no-children', stopHint: false };
  return undefined;
}

/**
 * A carer's invitation: sent with a session that starts at the first child not yet checked in, so
 * the carer answers without typing 签到 — unless every child is done, or the carer is already in
 * the middle of this week's check-in (then an invitation would only confuse).
 */
export function decideInvitation(input: FirstStepInput): FirstStepDecision {
  const stop = unreachable(input);
  if (stop) return stop;
  const view = input.view as ContactView;
  const childIndex = view.children.findIndex((c) => !input.completed.has(c.childId));
  const child = view.children[childIndex];
  if (child === undefined) return { decision: 'done', stopHint: false };
  const open = input.session;
  if (isLive(open, input.now) && open.flowId === weeklyCheckinFlow.id && open.week === input.week) {
    return { decision: 'in-progress', stopHint: false };
  }
  const first = weeklyCheckinFlow.steps[0];
  if (first === undefined) return { decision: 'no-children', stopHint: false };
  const session = newSession(
    weeklyCheckinFlow.id,
    weeklyCheckinFlow.version,
    input.week,
    first.id,
    input.now,
    input.sessionTtlHours,
  )(childIndex, child.childId);
  // A carer who chose the one message gets it as the invitation (lib/domain/one-message-checkin.ts).
  if (view.checkinForm === 'one-message') session.form = 'one-message';
  return { decision: 'send', session, child, stopHint: view.stopHintWeek !== isoWeekOf(input.now) };
}

/** A parent's weekly question, with the session that takes "1" or "2" as the answer. */
export function decideParentCheckin(input: FirstStepInput): FirstStepDecision {
  const stop = unreachable(input);
  if (stop) return stop;
  const view = input.view as ContactView;
  const open = input.session;
  if (
    isLive(open, input.now) &&
    open.flowId === parentWeeklyFlow.id &&
    open.week === input.week &&
    open.stepId === PARENT_STEPS.talked
  ) {
    return { decision: 'in-progress', stopHint: false };
  }
  const session = newSession(
    parentWeeklyFlow.id,
    parentWeeklyFlow.version,
    input.week,
    PARENT_STEPS.talked,
    input.now,
    input.sessionTtlHours,
  )(0);
  const child = view.children[0] as ChildRef;
  return { decision: 'send', session, child, stopHint: view.stopHintWeek !== isoWeekOf(input.now) };
}

/**
 * The one reminder: only to a carer who was asked (or had started) and has not finished, still
 * subscribed. Says the open question when the session is still open.
 */
export function reminderNeeded(input: {
  decision: string | undefined;
  view: ContactView | undefined;
  completed: ReadonlySet<string>;
}): boolean {
  if (input.decision !== 'send' && input.decision !== 'in-progress') return false;
  if (input.view === undefined || input.view.optedOut) return false;
  return input.view.children.some((c) => !input.completed.has(c.childId));
}

/** The weekend call nudge: unless the parent said they talked, or cannot be reached. */
export function nudgeNeeded(input: { view: ContactView | undefined; talked: boolean | undefined }): boolean {
  if (input.view === undefined || input.view.optedOut || input.view.children.length === 0) return false;
  return input.talked !== true;
}

export type MissedReason = 'no-answer' | 'opted-out' | 'no-address' | 'not-invited';

/** What the deadline records: whose week is missed, why, and whether it counts toward a task. */
export function closePlan(input: {
  decision: string | undefined;
  childIds: readonly string[];
  completed: ReadonlySet<string>;
  /** The carer has stopped messages by now (perhaps after this week's invitation). */
  optedOut: boolean;
}): {
  missed: string[];
  reason: MissedReason;
  counted: boolean;
} {
  const missed = input.childIds.filter((c) => !input.completed.has(c));
  const counted = (COUNTED_DECISIONS as readonly string[]).includes(input.decision ?? '');
  const reason: MissedReason =
    input.decision === 'opted-out' || (counted && input.optedOut)
      ? 'opted-out'
      : input.decision === 'no-address'
        ? 'no-address'
        : counted
          ? 'no-answer'
          : 'not-invited';
  return { missed, reason, counted };
}

/**
 * Weeks missed in a row after this one: one more when a counted week was missed, none once every
 * child was checked in, unchanged for a week nobody could be asked (downtime). A task is raised
 * when the run reaches two, once per run.
 */
export function streakAfter(input: { streak: number; counted: boolean; anyMissed: boolean }): {
  streak: number;
  raiseTask: boolean;
} {
  if (!input.anyMissed) return { streak: 0, raiseTask: false };
  if (!input.counted) return { streak: input.streak, raiseTask: false };
  const streak = input.streak + 1;
  return { streak, raiseTask: streak === 2 };
}
