import { describe, expect, it } from 'vitest';
import {
  addWeeks,
  afterInvitation,
  atWeekTime,
  carerWeek,
  closeDelayedUntil,
  DEFAULT_WEEKLY_SCHEDULE,
  expiryOf,
  isAbandoned,
  parentWeek,
  parseWeek,
  planFrom,
  resumeFrom,
  type ScheduleState,
  stepAfter,
  stillWorthDoing,
  weekDates,
  weekOfDate,
  weekStart,
} from '#lib/domain/weekly-schedule.ts';

const S = DEFAULT_WEEKLY_SCHEDULE;
/** An instant from Shanghai local time. */
const sh = (local: string) => new Date(`${local}+08:00`);
const iso = (d: Date | undefined) => d?.toISOString();
const show = (s: ScheduleState) => `${s.step} ${s.week} ${iso(s.dueAt)}`;

describe('weeks in Asia/Shanghai', () => {
  it.each([
    ['2026-W49', '2026-11-30T00:00'],
    ['2026-W01', '2025-12-29T00:00'],
    ['2026-W53', '2026-12-28T00:00'],
    ['2027-W01', '2027-01-04T00:00'],
    ['2020-W53', '2020-12-28T00:00'],
    ['2025-W01', '2024-12-30T00:00'],
  ])('%s starts on Monday %s local', (week, monday) => {
    expect(iso(weekStart(week))).toBe(iso(sh(monday)));
  });

  it('refuses what is not an ISO week, or a week 53 a year does not have', () => {
    for (const bad of ['2026-49', '2026-W00', '2026-W54', '2025-W53', 'W49']) {
      expect(() => parseWeek(bad), bad).toThrow(RangeError);
    }
    expect(parseWeek('2026-W53')).toEqual({ year: 2026, week: 53 });
  });

  it.each([
    ['2026-W49', 1, '2026-W50'],
    ['2026-W52', 1, '2026-W53'],
    ['2026-W53', 1, '2027-W01'],
    ['2027-W01', -1, '2026-W53'],
    ['2026-W10', 52, '2027-W09'],
  ])('%s + %i week(s) is %s', (week, n, expected) => {
    expect(addWeeks(week, n)).toBe(expected);
  });

  it('places a weekday and time of a week in Shanghai time', () => {
    expect(iso(atWeekTime('2026-W49', { weekday: 6, time: '10:00' }))).toBe('2026-12-05T02:00:00.000Z');
    expect(iso(atWeekTime('2026-W49', { weekday: 7, time: '20:00' }))).toBe('2026-12-06T12:00:00.000Z');
    expect(iso(atWeekTime('2026-W49', { weekday: 1, time: '00:00' }))).toBe('2026-11-29T16:00:00.000Z');
    expect(() => atWeekTime('2026-W49', { weekday: 8, time: '10:00' })).toThrow(RangeError);
    expect(() => atWeekTime('2026-W49', { weekday: 1, time: '24:00' })).toThrow(RangeError);
  });

  it('knows the calendar days of a week, and the week of a day, across a year end', () => {
    expect(weekDates('2026-W53')).toEqual({ first: '2026-12-28', last: '2027-01-03' });
    expect(weekOfDate('2027-01-03')).toBe('2026-W53');
    expect(weekOfDate('2026-12-05')).toBe('2026-W49');
    expect(() => weekOfDate('2026-02-30')).toThrow(RangeError);
  });
});

describe("a carer's week", () => {
  it('is invited Saturday 10:00, reminded 24 h later, and closes Sunday 20:00 by default', () => {
    const week = carerWeek('2026-W49', undefined, S);
    expect(iso(week.invitation)).toBe(iso(sh('2026-12-05T10:00')));
    expect(iso(week.reminder)).toBe(iso(sh('2026-12-06T10:00')));
    expect(iso(week.deadline)).toBe(iso(sh('2026-12-06T20:00')));
  });

  it('follows their own day and time', () => {
    const week = carerWeek('2026-W49', { weekday: 4, time: '19:00' }, S);
    expect(iso(week.invitation)).toBe(iso(sh('2026-12-03T19:00')));
    expect(iso(week.reminder)).toBe(iso(sh('2026-12-04T19:00')));
  });

  it('has no reminder when it would leave too little time, or when reminders are off', () => {
    // Sunday 09:00: the reminder would be at 09:00 on Monday, after the deadline.
    expect(carerWeek('2026-W49', { weekday: 7, time: '09:00' }, S).reminder).toBeUndefined();
    // 17:00 on Sunday is exactly the deadline less the 3-hour window: still a reminder then.
    expect(iso(carerWeek('2026-W49', { weekday: 6, time: '17:00' }, S).reminder)).toBe(
      iso(sh('2026-12-06T17:00')),
    );
    expect(carerWeek('2026-W49', undefined, { ...S, reminderAfterHours: 0 }).reminder).toBeUndefined();
  });

  it('is invited no later than the deadline less the answer window', () => {
    const late = carerWeek('2026-W49', { weekday: 7, time: '19:30' }, S);
    expect(iso(late.invitation)).toBe(iso(sh('2026-12-06T17:00')));
    expect(late.reminder).toBeUndefined();
  });
});

describe("a parent's week", () => {
  it('asks on Friday 12:00 and nudges on Saturday 18:00 by default', () => {
    const week = parentWeek('2026-W49', undefined, S);
    expect(iso(week.checkin)).toBe(iso(sh('2026-12-04T12:00')));
    expect(iso(week.nudge)).toBe(iso(sh('2026-12-05T18:00')));
  });

  it('has no nudge when their own check-in comes after it', () => {
    expect(parentWeek('2026-W49', { weekday: 7, time: '09:00' }, S).nudge).toBeUndefined();
  });
});

describe('planning a schedule from now', () => {
  it.each([
    ['Wednesday', '2026-12-02T09:00', 'invite 2026-W49 2026-12-05T02:00:00.000Z'],
    ['Saturday 09:59', '2026-12-05T09:59', 'invite 2026-W49 2026-12-05T02:00:00.000Z'],
    // A contact added once their time has passed waits for next week: nothing goes at once.
    ['Saturday 10:00', '2026-12-05T10:00', 'invite 2026-W50 2026-12-12T02:00:00.000Z'],
    ['Sunday night', '2026-12-06T23:00', 'invite 2026-W50 2026-12-12T02:00:00.000Z'],
  ])('a carer on %s', (_label, local, expected) => {
    expect(show(planFrom(sh(local), 'carer', undefined, S))).toBe(expected);
  });

  it('a parent before and after their Friday question', () => {
    expect(show(planFrom(sh('2026-12-04T11:00'), 'parent', undefined, S))).toBe(
      'parent-checkin 2026-W49 2026-12-04T04:00:00.000Z',
    );
    expect(show(planFrom(sh('2026-12-04T13:00'), 'parent', undefined, S))).toBe(
      'parent-checkin 2026-W50 2026-12-11T04:00:00.000Z',
    );
  });
});

describe('the steps of a week', () => {
  it('a carer: invite → remind → close → next week', () => {
    let state: ScheduleState = { step: 'invite', week: '2026-W52', dueAt: new Date(0) };
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      state = stepAfter(state, 'carer', undefined, S);
      seen.push(show(state));
    }
    expect(seen).toEqual([
      'remind 2026-W52 2026-12-27T02:00:00.000Z',
      'close 2026-W52 2026-12-27T12:00:00.000Z',
      'invite 2026-W53 2027-01-02T02:00:00.000Z',
      'remind 2026-W53 2027-01-03T02:00:00.000Z',
    ]);
  });

  it('a late invitation (after downtime) gets its reminder a full day later, or none', () => {
    const onTime = afterInvitation('2026-W49', sh('2026-12-05T10:00'), undefined, S);
    expect(show(onTime)).toBe('remind 2026-W49 2026-12-06T02:00:00.000Z');
    const late = afterInvitation('2026-W49', sh('2026-12-05T15:00'), undefined, S);
    expect(show(late)).toBe('remind 2026-W49 2026-12-06T07:00:00.000Z');
    const tooLate = afterInvitation('2026-W49', sh('2026-12-05T18:00'), undefined, S);
    expect(show(tooLate)).toBe('close 2026-W49 2026-12-06T12:00:00.000Z');
  });

  it('a carer without a reminder goes from invite to close', () => {
    const next = stepAfter({ step: 'invite', week: '2026-W49' }, 'carer', undefined, {
      ...S,
      reminderAfterHours: 0,
    });
    expect(show(next)).toBe('close 2026-W49 2026-12-06T12:00:00.000Z');
  });

  it('a parent: question → nudge → next week', () => {
    const nudge = stepAfter({ step: 'parent-checkin', week: '2026-W49' }, 'parent', undefined, S);
    expect(show(nudge)).toBe('nudge 2026-W49 2026-12-05T10:00:00.000Z');
    expect(show(stepAfter(nudge, 'parent', undefined, S))).toBe(
      'parent-checkin 2026-W50 2026-12-11T04:00:00.000Z',
    );
  });

  it('refuses a step of the other role', () => {
    expect(() => stepAfter({ step: 'nudge', week: '2026-W49' }, 'carer', undefined, S)).toThrow(RangeError);
    expect(() => stepAfter({ step: 'close', week: '2026-W49' }, 'parent', undefined, S)).toThrow(RangeError);
  });
});

describe('catching up after downtime', () => {
  const worth = (step: 'invite' | 'remind' | 'close' | 'parent-checkin' | 'nudge', local: string) =>
    stillWorthDoing(
      step,
      '2026-W49',
      sh(local),
      step.startsWith('p') || step === 'nudge' ? 'parent' : 'carer',
      undefined,
      S,
    );

  it('sends an invitation late, but never within the last 3 hours before the deadline, nor after', () => {
    expect(worth('invite', '2026-12-05T18:00')).toBe(true);
    expect(worth('invite', '2026-12-06T16:59')).toBe(true);
    expect(worth('invite', '2026-12-06T17:00')).toBe(false);
    expect(worth('invite', '2026-12-06T21:00')).toBe(false);
    expect(worth('remind', '2026-12-06T17:30')).toBe(false);
  });

  it('always closes a week; asks a parent until the nudge; nudges until a day after', () => {
    expect(worth('close', '2026-12-08T09:00')).toBe(true);
    expect(worth('parent-checkin', '2026-12-05T17:59')).toBe(true);
    expect(worth('parent-checkin', '2026-12-05T18:00')).toBe(false);
    expect(worth('nudge', '2026-12-06T17:59')).toBe(true);
    expect(worth('nudge', '2026-12-06T18:00')).toBe(false);
  });

  it('resumes after days of downtime with this week if its first step is still worth doing', () => {
    expect(show(resumeFrom(sh('2026-12-05T10:00'), 'carer', undefined, S))).toBe(
      'invite 2026-W49 2026-12-05T02:00:00.000Z',
    );
    expect(show(resumeFrom(sh('2026-12-06T18:00'), 'carer', undefined, S))).toBe(
      'invite 2026-W50 2026-12-12T02:00:00.000Z',
    );
    expect(show(resumeFrom(sh('2026-12-05T17:00'), 'parent', undefined, S))).toBe(
      'parent-checkin 2026-W49 2026-12-04T04:00:00.000Z',
    );
    expect(show(resumeFrom(sh('2026-12-02T08:00'), 'parent', undefined, S))).toBe(
      'parent-checkin 2026-W49 2026-12-04T04:00:00.000Z',
    );
  });

  it('gives a week up two days after its deadline, and starts afresh', () => {
    expect(isAbandoned('2026-W49', sh('2026-12-08T19:59'), S)).toBe(false);
    expect(isAbandoned('2026-W49', sh('2026-12-08T20:00'), S)).toBe(true);
    expect(isAbandoned('-', sh('2030-01-01T00:00'), S)).toBe(false);
  });

  it('lets no message of a week outlive its use', () => {
    const expiry = (m: Parameters<typeof expiryOf>[0], role: 'carer' | 'parent') =>
      iso(expiryOf(m, '2026-W49', role, undefined, S));
    expect(expiry('invitation', 'carer')).toBe(iso(sh('2026-12-06T17:00')));
    expect(expiry('reminder', 'carer')).toBe(iso(sh('2026-12-06T17:00')));
    expect(expiry('parent-checkin', 'parent')).toBe(iso(sh('2026-12-05T18:00')));
    expect(expiry('nudge', 'parent')).toBe(iso(sh('2026-12-06T18:00')));
    expect(expiry('missed-digest', 'carer')).toBe(iso(sh('2026-12-08T20:00')));
  });
});

describe('closing a week while the carer is answering', () => {
  const open = (lastTurn: string, expires = '2026-12-08T19:55') => ({
    lastTurnAt: sh(lastTurn),
    expiresAt: sh(expires),
  });
  it('waits half an hour after her last answer', () => {
    expect(iso(closeDelayedUntil('2026-W49', sh('2026-12-06T20:00'), open('2026-12-06T19:55'), S))).toBe(
      iso(sh('2026-12-06T20:25')),
    );
  });
  it('closes now without a session, or when she has gone quiet (a session the invitation opened)', () => {
    expect(closeDelayedUntil('2026-W49', sh('2026-12-06T20:00'), undefined, S)).toBeUndefined();
    expect(
      closeDelayedUntil('2026-W49', sh('2026-12-06T20:00'), open('2026-12-05T10:00'), S),
    ).toBeUndefined();
    expect(
      closeDelayedUntil('2026-W49', sh('2026-12-06T20:25'), open('2026-12-06T19:55'), S),
    ).toBeUndefined();
  });
  it('never waits past the session expiry, nor two hours after the deadline', () => {
    const expiring = open('2026-12-06T19:55', '2026-12-06T20:10');
    expect(iso(closeDelayedUntil('2026-W49', sh('2026-12-06T20:00'), expiring, S))).toBe(
      iso(sh('2026-12-06T20:10')),
    );
    expect(closeDelayedUntil('2026-W49', sh('2026-12-06T20:10'), expiring, S)).toBeUndefined();
    expect(iso(closeDelayedUntil('2026-W49', sh('2026-12-06T21:50'), open('2026-12-06T21:45'), S))).toBe(
      iso(sh('2026-12-06T22:00')),
    );
    expect(
      closeDelayedUntil('2026-W49', sh('2026-12-06T22:00'), open('2026-12-06T21:59'), S),
    ).toBeUndefined();
  });
});
