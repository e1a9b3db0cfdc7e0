// One contact's weekly schedule, stepped on by the tick: every step that is due is done (a tick
// after downtime catches up through several), and each is safe to do twice. Messages go through
// enqueue under a key per (contact, week, kind); the week's decision and the session it opens are
// written once, in one transaction guarded by the schedule's state; the schedule moves on only
// from the step it was read at. So overlapping ticks, a re-run or a crash half-way send nothing twice.
import { findStep, renderStepText } from '#lib/domain/flow-schema.ts';
import { sessionChildIndex } from '#lib/domain/model.ts';
import { isOneMessageItem, oneMessageQuestion } from '#lib/domain/one-message-checkin.ts';
import { PARENT_STEPS, parentWeeklyFlow } from '#lib/domain/parent-weekly-flow.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { invitationText, nudgeText, parentCheckinText, reminderText } from '#lib/domain/weekly-messages.ts';
import {
  closePlan,
  decideInvitation,
  decideParentCheckin,
  type FirstStepDecision,
  nudgeNeeded,
  reminderNeeded,
  streakAfter,
} from '#lib/domain/weekly-rhythm.ts';
import {
  afterInvitation,
  carerWeek,
  closeDelayedUntil,
  expiryOf,
  isAbandoned,
  type OpenCheckin,
  planFrom,
  resumeFrom,
  type ScheduleState,
  stepAfter,
  stillWorthDoing,
} from '#lib/domain/weekly-schedule.ts';
import { DependencyError } from '#lib/errors.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import { raiseMissedCheckinsTask } from '#lib/schedule/missed-checkins-task.ts';
import { sendParentDigests } from '#lib/schedule/parent-digests.ts';
import type { TickContext } from '#lib/schedule/tick-context.ts';
import { recipientOf, type ScheduleItem } from '#lib/store/schedule/schedule-items.ts';
import type { WeekSnapshot } from '#lib/store/schedule/schedule-repository.ts';

const HOUR_MS = 60 * 60 * 1000;
/** Steps one item may take in one tick: a week is at most three, so this catches up over two. */
const MAX_STEPS = 8;
/** Re-reads after losing a race (another tick decided, or the carer wrote meanwhile). */
const MAX_RETRIES = 3;

type StepResult =
  | { state: ScheduleState; extra?: { missedStreak?: number; lastMissedWeek?: string | undefined } }
  | 'moved'
  | 'retry';

export async function processSchedule(tick: TickContext, row: ScheduleItem): Promise<void> {
  let current: ScheduleItem | undefined = row;
  let retries = 0;
  for (let steps = 0; current && steps < MAX_STEPS; ) {
    if (Date.parse(current.dueAt) > tick.now.getTime()) return;
    const result = await step(tick, current);
    if (result === 'moved') return;
    if (result === 'retry') {
      if (++retries > MAX_RETRIES) {
        throw new DependencyError(`schedule of ${current.contactId} still contended`);
      }
      continue;
    }
    const from = current;
    current = await tick.deps.schedules.advance(from, result.state, tick.now, result.extra);
    // Undefined: someone else moved it on (another tick did this step): they carry on from there.
    if (current) {
      tick.report.steps++;
      tick.deps.logger.debug('schedule moved on', {
        contactId: from.contactId,
        from: `${from.step} ${from.week}`,
        to: `${current.step} ${current.week} ${current.dueAt}`,
      });
    }
    steps++;
    retries = 0;
  }
}

async function step(tick: TickContext, row: ScheduleItem): Promise<StepResult> {
  const { schedule: s } = tick.deps;
  const checkinAt = row.checkinAt ?? undefined;
  if (row.step === 'plan') return { state: planFrom(tick.now, row.role, checkinAt, s) };
  if (isAbandoned(row.week, tick.now, s)) {
    // Days of downtime: nothing of that week is worth doing any more; start again from now.
    tick.deps.logger.warn('schedule far overdue; starting afresh', {
      contactId: row.contactId,
      week: row.week,
    });
    return { state: resumeFrom(tick.now, row.role, checkinAt, s) };
  }
  const snap = await tick.deps.schedules.loadWeek(row, row.week);
  const item = snap.schedule;
  // Moved on since the index was read (the index lags), or re-planned by a roster change.
  if (!item || item.dueKey !== row.dueKey) return 'moved';
  if (snap.paused) {
    // The Centre paused the week: nothing of it happens (no invitation, reminder, missed week).
    const last = item.role === 'carer' ? 'close' : 'nudge';
    return { state: stepAfter({ step: last, week: item.week }, item.role, checkinAt, s) };
  }
  switch (item.step) {
    case 'invite':
      return invite(tick, item, snap);
    case 'remind':
      return remind(tick, item, snap);
    case 'close':
      return close(tick, item, snap);
    case 'parent-checkin':
      return parentCheckin(tick, item, snap);
    case 'nudge':
      return nudge(tick, item, snap);
    default:
      return { state: planFrom(tick.now, item.role, checkinAt, s) };
  }
}

const after = (tick: TickContext, item: ScheduleItem): ScheduleState =>
  stepAfter(item, item.role, item.checkinAt ?? undefined, tick.deps.schedule);

function completedOf(snap: WeekSnapshot): Set<string> {
  return new Set([...snap.checkins].filter(([, status]) => status === 'completed').map(([id]) => id));
}

const recipient = (item: ScheduleItem) => {
  const to = recipientOf(item);
  return to ? { contactId: item.contactId, ...to, quietHours: item.quietHours ?? undefined } : undefined;
};

/**
 * The week's decision: the one already recorded, or a new one recorded now (with its session).
 * 'retry' when another tick or a turn got there first: the step reads again.
 */
async function decided(
  tick: TickContext,
  item: ScheduleItem,
  snap: WeekSnapshot,
  decide: () => FirstStepDecision,
): Promise<{ decision: string; stopHint: boolean } | 'retry'> {
  if (item.decidedWeek === item.week && item.decidedStep === item.step && item.decision) {
    return { decision: item.decision, stopHint: item.decisionHint === true };
  }
  const d = decide();
  const to = recipientOf(item);
  const result = await tick.deps.schedules.decide(
    {
      contactId: item.contactId,
      week: item.week,
      step: item.step,
      decision: d.decision,
      stopHint: d.stopHint,
      session:
        d.decision === 'send' && to
          ? { address: to, session: d.session, expectedVersion: snap.session?.version }
          : undefined,
    },
    tick.now,
  );
  if (result !== 'decided') return 'retry';
  // The invitation opens the week's check-in run (the carer's first answer continues it).
  const opened = d.decision === 'send' && to ? d.session : undefined;
  if (
    to &&
    opened?.flowId === weeklyCheckinFlow.id &&
    opened.startedAt !== snap.session?.session?.startedAt
  ) {
    tick.deps.metrics?.count(METRIC.checkinsStarted, { channel: to.channel });
  }
  return { decision: d.decision, stopHint: d.stopHint };
}

async function invite(tick: TickContext, item: ScheduleItem, snap: WeekSnapshot): Promise<StepResult> {
  const { schedule: s, sessionTtlHours } = tick.deps;
  const week = item.week;
  const checkinAt = item.checkinAt ?? undefined;
  if (!stillWorthDoing('invite', week, tick.now, 'carer', checkinAt, s)) {
    // Too late to ask this week (the tick was down): no invitation, no reminder; the week closes.
    tick.deps.logger.warn('invitation skipped: too close to the deadline', {
      contactId: item.contactId,
      week,
    });
    return { state: { step: 'close', week, dueAt: carerWeek(week, checkinAt, s).deadline } };
  }
  const completed = completedOf(snap);
  const made = await decided(tick, item, snap, () =>
    decideInvitation({
      week,
      now: tick.now,
      view: snap.view,
      session: snap.session?.session,
      completed,
      sessionTtlHours,
    }),
  );
  if (made === 'retry') return 'retry';
  const view = snap.view;
  const to = recipient(item);
  const child = view?.children.find((c) => !completed.has(c.childId));
  const first = weeklyCheckinFlow.steps[0];
  if (made.decision === 'send' && view && to && child && first) {
    await tick.enqueue({
      key: `invitation#${item.contactId}#${week}`,
      recipient: to,
      body: invitationText({
        language: view.language,
        carerName: view.displayName,
        childName: child.name,
        firstQuestion: first,
        stopHint: made.stopHint,
        oneMessage: view.checkinForm === 'one-message',
      }),
      kind: 'invitation',
      expiresAt: expiryOf('invitation', week, 'carer', checkinAt, s),
    });
  }
  return { state: afterInvitation(week, tick.now, checkinAt, s) };
}

async function remind(tick: TickContext, item: ScheduleItem, snap: WeekSnapshot): Promise<StepResult> {
  const { schedule: s } = tick.deps;
  const week = item.week;
  const checkinAt = item.checkinAt ?? undefined;
  const decision = item.decidedWeek === week && item.decidedStep === 'invite' ? item.decision : undefined;
  const view = snap.view;
  const to = recipient(item);
  if (
    stillWorthDoing('remind', week, tick.now, 'carer', checkinAt, s) &&
    view &&
    to &&
    reminderNeeded({ decision, view, completed: completedOf(snap) })
  ) {
    // The open question, when the session the invitation opened (or the carer's own) still waits.
    const open = snap.session?.session;
    const live = open && tick.now.getTime() < Date.parse(open.expiresAt) ? open : undefined;
    const stepOpen =
      live?.flowId === weeklyCheckinFlow.id && live.week === week
        ? findStep(weeklyCheckinFlow, live.stepId)
        : undefined;
    const index = live ? sessionChildIndex(live, view.children) : undefined;
    const child = index === undefined ? undefined : view.children[index];
    const oneMessage =
      live?.form === 'one-message' && stepOpen !== undefined && isOneMessageItem(stepOpen.id);
    const openQuestion =
      stepOpen && child
        ? oneMessage
          ? oneMessageQuestion(view.language)
          : renderStepText(stepOpen, view.language, child.name)
        : undefined;
    await tick.enqueue({
      key: `reminder#${item.contactId}#${week}`,
      recipient: to,
      body: reminderText({ language: view.language, openQuestion }),
      kind: 'reminder',
      expiresAt: expiryOf('reminder', week, 'carer', checkinAt, s),
    });
  }
  return { state: after(tick, item) };
}

async function close(tick: TickContext, item: ScheduleItem, snap: WeekSnapshot): Promise<StepResult> {
  const { schedule: s, schedules } = tick.deps;
  const week = item.week;
  const delayed = closeDelayedUntil(week, tick.now, openCheckin(tick, snap, week), s);
  if (delayed) {
    // She is answering right now: close when she is done (or stops), not under her fingers.
    tick.deps.logger.info('close delayed: the carer is still answering', {
      contactId: item.contactId,
      week,
      until: delayed.toISOString(),
    });
    return { state: { step: 'close', week, dueAt: delayed } };
  }
  const decision = item.decidedWeek === week && item.decidedStep === 'invite' ? item.decision : undefined;
  const plan = closePlan({
    decision,
    childIds: item.children.map((c) => c.childId),
    completed: completedOf(snap),
    optedOut: snap.view?.optedOut === true,
  });
  const missed: { childId: string; familyId: string }[] = [];
  for (const child of item.children.filter((c) => plan.missed.includes(c.childId))) {
    // False when the last answer came in during this tick: then it is not missed after all.
    if (await schedules.markMissed({ ...child, centreId: item.centreId }, week, plan.reason, tick.now)) {
      missed.push(child);
    }
  }
  const { streak, raiseTask } = streakAfter({
    streak: item.missedStreak,
    counted: plan.counted,
    anyMissed: missed.length > 0,
  });
  if (raiseTask) {
    const weeks = [item.lastMissedWeek, week].filter((w): w is string => w !== undefined);
    await raiseMissedCheckinsTask(
      tick,
      item,
      weeks,
      missed.map((c) => c.childId),
    );
  }
  // The parents hear at the deadline, honestly, that no check-in came.
  const expiresAt = expiryOf('missed-digest', week, 'carer', item.checkinAt ?? undefined, s);
  for (const child of missed) {
    await sendParentDigests(tick, { ...child, week, checkin: undefined, expiresAt });
  }
  const counted = plan.counted && missed.length > 0;
  return {
    state: after(tick, item),
    extra: { missedStreak: streak, lastMissedWeek: counted ? week : item.lastMissedWeek },
  };
}

/** The carer's session of this week's check-in, when there is one. */
function openCheckin(tick: TickContext, snap: WeekSnapshot, week: string): OpenCheckin | undefined {
  const open = snap.session?.session;
  if (!open || open.flowId !== weeklyCheckinFlow.id || open.week !== week) return undefined;
  const expiresAt = Date.parse(open.expiresAt);
  if (Number.isNaN(expiresAt)) return undefined;
  // Every turn (and the invitation that opened it) sets the expiry a full TTL ahead: so it was then.
  const lastTurnAt = new Date(expiresAt - tick.deps.sessionTtlHours * HOUR_MS);
  return { lastTurnAt, expiresAt: new Date(expiresAt) };
}

async function parentCheckin(tick: TickContext, item: ScheduleItem, snap: WeekSnapshot): Promise<StepResult> {
  const { schedule: s, sessionTtlHours } = tick.deps;
  const week = item.week;
  const checkinAt = item.checkinAt ?? undefined;
  if (!stillWorthDoing('parent-checkin', week, tick.now, 'parent', checkinAt, s)) {
    return { state: after(tick, item) };
  }
  const made = await decided(tick, item, snap, () =>
    decideParentCheckin({
      week,
      now: tick.now,
      view: snap.view,
      session: snap.session?.session,
      completed: new Set(),
      sessionTtlHours,
    }),
  );
  if (made === 'retry') return 'retry';
  const view = snap.view;
  const to = recipient(item);
  const question = findStep(parentWeeklyFlow, PARENT_STEPS.talked);
  if (made.decision === 'send' && view && to && question) {
    await tick.enqueue({
      key: `parent-checkin#${item.contactId}#${week}`,
      recipient: to,
      body: parentCheckinText({
        language: view.language,
        parentName: view.displayName,
        children: view.children.map((c) => c.name),
        question,
        stopHint: made.stopHint,
      }),
      kind: 'invitation',
      expiresAt: expiryOf('parent-checkin', week, 'parent', checkinAt, s),
    });
  }
  return { state: after(tick, item) };
}

async function nudge(tick: TickContext, item: ScheduleItem, snap: WeekSnapshot): Promise<StepResult> {
  const { schedule: s } = tick.deps;
  const week = item.week;
  const checkinAt = item.checkinAt ?? undefined;
  const view = snap.view;
  const to = recipient(item);
  if (
    stillWorthDoing('nudge', week, tick.now, 'parent', checkinAt, s) &&
    view &&
    to &&
    nudgeNeeded({ view, talked: snap.talked })
  ) {
    await tick.enqueue({
      key: `nudge#${item.contactId}#${week}`,
      recipient: to,
      body: nudgeText(
        view.language,
        view.children.map((c) => c.name),
      ),
      kind: 'nudge',
      expiresAt: expiryOf('nudge', week, 'parent', checkinAt, s),
    });
  }
  return { state: after(tick, item) };
}
