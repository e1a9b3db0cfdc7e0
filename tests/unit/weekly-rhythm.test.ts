import { describe, expect, it } from 'vitest';
import {
  closePlan,
  decideInvitation,
  decideParentCheckin,
  type FirstStepInput,
  nudgeNeeded,
  reminderNeeded,
  streakAfter,
} from '#lib/domain/weekly-rhythm.ts';
import {
  grandmother,
  hoursAfter,
  parent,
  session,
  WEDNESDAY,
  WEEK,
  XIAOHONG,
  XIAOMING,
} from '#tests/unit/fixtures.ts';

const input = (overrides: Partial<FirstStepInput> = {}): FirstStepInput => ({
  week: WEEK,
  now: WEDNESDAY,
  view: grandmother({ stopHintWeek: '2026-W47' }),
  session: undefined,
  completed: new Set(),
  sessionTtlHours: 48,
  ...overrides,
});

describe("a carer's invitation", () => {
  it('opens a session at the first question about the eldest child, and says how to stop', () => {
    const d = decideInvitation(input());
    expect(d).toMatchObject({ decision: 'send', child: XIAOMING, stopHint: true });
    if (d.decision !== 'send') throw new Error('not sent');
    expect(d.session).toEqual({
      flowId: 'weekly-checkin',
      flowVersion: 1,
      week: WEEK,
      childIndex: 0,
      childId: XIAOMING.childId,
      stepId: 'attendance',
      attempts: 0,
      startedAt: WEDNESDAY.toISOString(),
      expiresAt: hoursAfter(WEDNESDAY, 48).toISOString(),
    });
  });

  it('starts at the first child not yet checked in', () => {
    const d = decideInvitation(input({ completed: new Set([XIAOMING.childId]) }));
    expect(d).toMatchObject({ decision: 'send', child: XIAOHONG, session: { childIndex: 1 } });
  });

  it('does not say how to stop twice in a week', () => {
    expect(decideInvitation(input({ view: grandmother({ stopHintWeek: WEEK }) })).stopHint).toBe(false);
  });

  it.each<[string, Partial<FirstStepInput>, string]>([
    ['every child done already', { completed: new Set([XIAOMING.childId, XIAOHONG.childId]) }, 'done'],
    ['the carer is answering already', { session: session({ stepId: 'mood' }) }, 'in-progress'],
    ['opted out', { view: grandmother({ optedOut: true }) }, 'opted-out'],
    ['no usable address', { view: undefined }, 'no-address'],
    ['no children on the roster', { view: grandmother({ children: [] }) }, 'no-children'],
  ])('is not sent when %s', (_label, overrides, decision) => {
    expect(decideInvitation(input(overrides)).decision).toBe(decision);
  });

  it("is sent over last week's or an expired session", () => {
    expect(decideInvitation(input({ session: session({ week: '2026-W47' }) })).decision).toBe('send');
    const expired = session({}, hoursAfter(WEDNESDAY, -49));
    expect(decideInvitation(input({ session: expired })).decision).toBe('send');
  });
});

describe("a parent's question", () => {
  it("opens the parent's session at 'talked'", () => {
    const d = decideParentCheckin(input({ view: parent({ stopHintWeek: undefined }) }));
    expect(d).toMatchObject({
      decision: 'send',
      stopHint: true,
      session: { flowId: 'parent-weekly', stepId: 'talked' },
    });
  });

  it('is not asked again while it is open', () => {
    const open = session({ flowId: 'parent-weekly', stepId: 'talked' });
    expect(decideParentCheckin(input({ view: parent(), session: open })).decision).toBe('in-progress');
  });
});

describe('reminders and nudges', () => {
  it('remind only a carer who was asked or had started, and has not finished', () => {
    const view = grandmother();
    expect(reminderNeeded({ decision: 'send', view, completed: new Set([XIAOMING.childId]) })).toBe(true);
    expect(reminderNeeded({ decision: 'in-progress', view, completed: new Set() })).toBe(true);
    const both = new Set([XIAOMING.childId, XIAOHONG.childId]);
    expect(reminderNeeded({ decision: 'send', view, completed: both })).toBe(false);
    expect(reminderNeeded({ decision: 'opted-out', view, completed: new Set() })).toBe(false);
    expect(reminderNeeded({ decision: undefined, view, completed: new Set() })).toBe(false);
    expect(
      reminderNeeded({ decision: 'send', view: grandmother({ optedOut: true }), completed: new Set() }),
    ).toBe(false);
  });

  it('nudge a parent who did not say they talked', () => {
    expect(nudgeNeeded({ view: parent(), talked: undefined })).toBe(true);
    expect(nudgeNeeded({ view: parent(), talked: false })).toBe(true);
    expect(nudgeNeeded({ view: parent(), talked: true })).toBe(false);
    expect(nudgeNeeded({ view: parent({ optedOut: true }), talked: false })).toBe(false);
  });
});

describe('closing a week', () => {
  const ids = [XIAOMING.childId, XIAOHONG.childId];

  it.each<[string | undefined, string[], boolean, string]>([
    ['send', [], true, 'no-answer'],
    ['in-progress', [XIAOMING.childId], true, 'no-answer'],
    ['opted-out', [], true, 'opted-out'],
    ['no-address', [], true, 'no-address'],
    // The tick was down and nobody was asked: missed, but not held against the carer.
    [undefined, [], false, 'not-invited'],
  ])('decision %s, done %j: counted %s, reason %s', (decision, done, counted, reason) => {
    const plan = closePlan({ decision, childIds: ids, completed: new Set(done), optedOut: false });
    expect(plan).toEqual({ missed: ids.filter((c) => !done.includes(c)), counted, reason });
  });

  it('says why: a carer invited who then stopped messages missed it as opted out', () => {
    const plan = closePlan({ decision: 'send', childIds: ids, completed: new Set(), optedOut: true });
    expect(plan).toMatchObject({ counted: true, reason: 'opted-out' });
  });

  it('raises a task when the run of counted missed weeks reaches two, once', () => {
    expect(streakAfter({ streak: 0, counted: true, anyMissed: true })).toEqual({
      streak: 1,
      raiseTask: false,
    });
    expect(streakAfter({ streak: 1, counted: true, anyMissed: true })).toEqual({
      streak: 2,
      raiseTask: true,
    });
    expect(streakAfter({ streak: 2, counted: true, anyMissed: true })).toEqual({
      streak: 3,
      raiseTask: false,
    });
    expect(streakAfter({ streak: 1, counted: false, anyMissed: true })).toEqual({
      streak: 1,
      raiseTask: false,
    });
    expect(streakAfter({ streak: 3, counted: true, anyMissed: false })).toEqual({
      streak: 0,
      raiseTask: false,
    });
  });
});
