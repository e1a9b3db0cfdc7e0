// When the weekly rhythm happens, as pure maths: weeks are ISO weeks in Asia/Shanghai (fixed UTC+8,
// see iso-week.ts), every time of the week is a local weekday and HH:MM, and each contact's schedule
// is a small state machine whose next step and due time are computed here. No I/O, no clock: `now`
// is always an argument.
import { isoWeekOf, localDateInShanghai } from '#lib/domain/iso-week.ts';

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A moment of the week on a Shanghai clock: ISO weekday 1 (Monday) … 7 (Sunday) and HH:MM. */
export interface WeekTime {
  weekday: number;
  time: string;
}

export interface WeeklySchedule {
  /** A carer's invitation when their contact sets no `checkinAt`. */
  carerInvitation: WeekTime;
  /** The week closes here: an unfinished check-in is then missed, and parents hear either way. */
  deadline: WeekTime;
  /** One reminder this long after the invitation if the check-in is unfinished; 0 = none. */
  reminderAfterHours: number;
  /** Nothing asks a carer for an answer with less time than this left before the deadline. */
  minAnswerWindowHours: number;
  /** A parent's "did you talk with your child?" when their contact sets no `checkinAt`. */
  parentCheckin: WeekTime;
  /** The reminder to call home, unless the parent said they talked: an evening, before quiet hours. */
  parentNudge: WeekTime;
  /** How long after the deadline an honest "no check-in came" update is still worth sending. */
  lateDigestHours: number;
  /**
   * A carer answering at the deadline keeps the week open while their last answer is this recent
   * (and their session live), so the week is not closed as missed under their fingers.
   */
  closeGraceMinutes: number;
  /** …but the week closes this long after the deadline at the latest, answering or not. */
  closeMaxDelayHours: number;
}

export const DEFAULT_WEEKLY_SCHEDULE: WeeklySchedule = {
  carerInvitation: { weekday: 6, time: '10:00' },
  deadline: { weekday: 7, time: '20:00' },
  reminderAfterHours: 24,
  minAnswerWindowHours: 3,
  // Friday lunchtime: the break when a factory or building-site worker looks at the phone.
  parentCheckin: { weekday: 5, time: '12:00' },
  parentNudge: { weekday: 6, time: '18:00' },
  lateDigestHours: 48,
  // A check-in is a few questions per child; half an hour without a reply means she has stopped.
  closeGraceMinutes: 30,
  // The parents still hear the same evening, before most quiet hours.
  closeMaxDelayHours: 2,
};

export const CARER_STEPS = ['plan', 'invite', 'remind', 'close'] as const;
export const PARENT_STEPS = ['plan', 'parent-checkin', 'nudge'] as const;
export type CarerStep = (typeof CARER_STEPS)[number];
export type ParentStep = (typeof PARENT_STEPS)[number];
export type ScheduleStep = CarerStep | ParentStep;
export type ScheduledRole = 'carer' | 'parent';

/** What a contact's schedule does next, and when. `plan` has no week: it is worked out from now. */
export interface ScheduleState {
  step: ScheduleStep;
  week: string;
  dueAt: Date;
}

/** The week a `plan` step belongs to (none); also sorts before every real week. */
export const NO_WEEK = '-';
/** Due time of a `plan` step: always already due, whatever the clock says. */
export const PLAN_NOW = new Date(0);

export function parseWeek(week: string): { year: number; week: number } {
  const match = WEEK_PATTERN.exec(week);
  const year = Number(match?.[1]);
  const number = Number(match?.[2]);
  if (!match || number < 1 || number > weeksInYear(year)) throw new RangeError(`not an ISO week: ${week}`);
  return { year, week: number };
}

function weeksInYear(year: number): number {
  // A year has 53 ISO weeks when 28 December falls in week 53.
  const dec28 = new Date(Date.UTC(year, 11, 28));
  return isoWeekOf(new Date(dec28.getTime() - SHANGHAI_OFFSET_MS + 12 * HOUR_MS)) === `${year}-W53` ? 53 : 52;
}

/** Monday 00:00 in Shanghai of an ISO week, as an instant. */
export function weekStart(week: string): Date {
  const { year, week: number } = parseWeek(week);
  // Week 1 is the week with 4 January in it.
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Weekday = new Date(jan4).getUTCDay() || 7;
  const mondayLocal = jan4 - (jan4Weekday - 1) * DAY_MS + (number - 1) * 7 * DAY_MS;
  return new Date(mondayLocal - SHANGHAI_OFFSET_MS);
}

/** The ISO week `n` weeks after (or before, when negative) `week`. */
export function addWeeks(week: string, n: number): string {
  // Noon on the Monday: far from any week boundary.
  return isoWeekOf(new Date(weekStart(week).getTime() + n * 7 * DAY_MS + 12 * HOUR_MS));
}

function minutesOf(time: string): number {
  const match = HHMM.exec(time);
  if (!match) throw new RangeError(`not HH:MM: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The instant a weekday and time of `week` happens in Shanghai. */
export function atWeekTime(week: string, at: WeekTime): Date {
  if (!Number.isInteger(at.weekday) || at.weekday < 1 || at.weekday > 7) {
    throw new RangeError(`weekday must be 1-7: ${at.weekday}`);
  }
  return new Date(weekStart(week).getTime() + (at.weekday - 1) * DAY_MS + minutesOf(at.time) * 60_000);
}

/** The Shanghai calendar date of an instant as YYYY-MM-DD. */
export function localDateString(at: Date): string {
  const d = localDateInShanghai(at);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** First and last calendar day (YYYY-MM-DD) of an ISO week. */
export function weekDates(week: string): { first: string; last: string } {
  const start = weekStart(week);
  return {
    first: localDateString(start),
    last: localDateString(new Date(start.getTime() + 6 * DAY_MS)),
  };
}

/** The ISO week a calendar day (YYYY-MM-DD, Shanghai) belongs to. */
export function weekOfDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not YYYY-MM-DD: ${date}`);
  const noon = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12) - SHANGHAI_OFFSET_MS;
  if (localDateString(new Date(noon)) !== date) throw new RangeError(`no such day: ${date}`);
  return isoWeekOf(new Date(noon));
}

export interface CarerWeek {
  invitation: Date;
  /** Absent when there is no reminder, or it would come too close to the deadline. */
  reminder: Date | undefined;
  deadline: Date;
}

/**
 * A carer's week: the invitation at their own day and time (moved earlier if it would leave less
 * than the minimum answer window before the deadline), one reminder, and the deadline.
 */
export function carerWeek(week: string, checkinAt: WeekTime | undefined, s: WeeklySchedule): CarerWeek {
  const deadline = atWeekTime(week, s.deadline);
  const latest = deadline.getTime() - s.minAnswerWindowHours * HOUR_MS;
  const invitation = new Date(Math.min(atWeekTime(week, checkinAt ?? s.carerInvitation).getTime(), latest));
  const reminderAt = invitation.getTime() + s.reminderAfterHours * HOUR_MS;
  const reminder = s.reminderAfterHours > 0 && reminderAt <= latest ? new Date(reminderAt) : undefined;
  return { invitation, reminder, deadline };
}

export interface ParentWeek {
  checkin: Date;
  /** Absent when the parent's own check-in time comes after the nudge. */
  nudge: Date | undefined;
  deadline: Date;
}

export function parentWeek(week: string, checkinAt: WeekTime | undefined, s: WeeklySchedule): ParentWeek {
  const checkin = atWeekTime(week, checkinAt ?? s.parentCheckin);
  const nudgeAt = atWeekTime(week, s.parentNudge);
  return { checkin, nudge: nudgeAt > checkin ? nudgeAt : undefined, deadline: atWeekTime(week, s.deadline) };
}

/**
 * Where a schedule starts (a new contact, or a changed day/time): this week's first step if it is
 * still ahead, else next week's. A contact added on Saturday afternoon is invited the next
 * Saturday, not at once: nothing is ever sent the moment a coordinator edits the roster.
 */
export function planFrom(
  now: Date,
  role: ScheduledRole,
  checkinAt: WeekTime | undefined,
  s: WeeklySchedule,
): ScheduleState {
  const first = (week: string): ScheduleState =>
    role === 'carer'
      ? { step: 'invite', week, dueAt: carerWeek(week, checkinAt, s).invitation }
      : { step: 'parent-checkin', week, dueAt: parentWeek(week, checkinAt, s).checkin };
  const thisWeek = first(isoWeekOf(now));
  return now < thisWeek.dueAt ? thisWeek : first(addWeeks(thisWeek.week, 1));
}

/**
 * Where a schedule resumes after days of downtime: this week's first step if it is still worth
 * doing (late, but the carer still has time to answer), else next week's.
 */
export function resumeFrom(
  now: Date,
  role: ScheduledRole,
  checkinAt: WeekTime | undefined,
  s: WeeklySchedule,
): ScheduleState {
  const week = isoWeekOf(now);
  const first: ScheduleState =
    role === 'carer'
      ? { step: 'invite', week, dueAt: carerWeek(week, checkinAt, s).invitation }
      : { step: 'parent-checkin', week, dueAt: parentWeek(week, checkinAt, s).checkin };
  const step = first.step as 'invite' | 'parent-checkin';
  if (now < first.dueAt || stillWorthDoing(step, week, now, role, checkinAt, s)) return first;
  return planFrom(now, role, checkinAt, s);
}

/** The step after `current` has been done (or skipped), whatever the clock says. */
export function stepAfter(
  current: { step: ScheduleStep; week: string },
  role: ScheduledRole,
  checkinAt: WeekTime | undefined,
  s: WeeklySchedule,
): ScheduleState {
  const { step, week } = current;
  if (role === 'carer') {
    const times = carerWeek(week, checkinAt, s);
    const nextWeek = addWeeks(week, 1);
    switch (step) {
      case 'invite':
        return times.reminder
          ? { step: 'remind', week, dueAt: times.reminder }
          : { step: 'close', week, dueAt: times.deadline };
      case 'remind':
        return { step: 'close', week, dueAt: times.deadline };
      case 'close':
        return { step: 'invite', week: nextWeek, dueAt: carerWeek(nextWeek, checkinAt, s).invitation };
      default:
        throw new RangeError(`${step} is not a carer step`);
    }
  }
  const times = parentWeek(week, checkinAt, s);
  const nextWeek = addWeeks(week, 1);
  switch (step) {
    case 'parent-checkin':
      if (times.nudge) return { step: 'nudge', week, dueAt: times.nudge };
      return { step: 'parent-checkin', week: nextWeek, dueAt: parentWeek(nextWeek, checkinAt, s).checkin };
    case 'nudge':
      return { step: 'parent-checkin', week: nextWeek, dueAt: parentWeek(nextWeek, checkinAt, s).checkin };
    default:
      throw new RangeError(`${step} is not a parent step`);
  }
}

/**
 * The step after a carer's invitation went at `invitedAt`: the reminder a full `reminderAfterHours`
 * later (so an invitation sent late, after downtime, is not followed by its reminder at once), if
 * that still leaves the answer window before the deadline; else the deadline.
 */
export function afterInvitation(
  week: string,
  invitedAt: Date,
  checkinAt: WeekTime | undefined,
  s: WeeklySchedule,
): ScheduleState {
  const times = carerWeek(week, checkinAt, s);
  const latest = times.deadline.getTime() - s.minAnswerWindowHours * HOUR_MS;
  const reminder = Math.max(
    times.reminder?.getTime() ?? Number.POSITIVE_INFINITY,
    invitedAt.getTime() + s.reminderAfterHours * HOUR_MS,
  );
  return times.reminder && reminder <= latest
    ? { step: 'remind', week, dueAt: new Date(reminder) }
    : { step: 'close', week, dueAt: times.deadline };
}

/**
 * Whether a due step is still worth doing at `now` (a tick after downtime catches up, but never
 * sends what has gone stale): an invitation or a reminder only while the carer has the minimum
 * window left before the deadline; a parent's check-in until the evening nudge (or the deadline);
 * the nudge until a day after its time. Closing a week is always done.
 */
export function stillWorthDoing(
  step: Exclude<ScheduleStep, 'plan'>,
  week: string,
  now: Date,
  role: ScheduledRole,
  checkinAt: WeekTime | undefined,
  s: WeeklySchedule,
): boolean {
  if (step === 'close') return true;
  if (role === 'carer') {
    const latest = carerWeek(week, checkinAt, s).deadline.getTime() - s.minAnswerWindowHours * HOUR_MS;
    return now.getTime() < latest;
  }
  const times = parentWeek(week, checkinAt, s);
  if (step === 'parent-checkin') return now < (times.nudge ?? times.deadline);
  return times.nudge !== undefined && now.getTime() < times.nudge.getTime() + DAY_MS;
}

/** A step so far overdue (days of downtime) that the schedule starts afresh from now instead. */
export function isAbandoned(week: string, now: Date, s: WeeklySchedule): boolean {
  if (week === NO_WEEK) return false;
  return now.getTime() >= atWeekTime(week, s.deadline).getTime() + s.lateDigestHours * HOUR_MS;
}

/** The carer's session of the week's check-in, as closing the week needs it. */
export interface OpenCheckin {
  /** When the carer last answered in it (or it was opened). */
  lastTurnAt: Date;
  expiresAt: Date;
}

/**
 * Until when the week's close waits for a carer still answering at the deadline, or undefined to
 * close now. Closing under her fingers would record the week missed and tell the parents "no
 * check-in came" minutes before the real update, which then shares its key and is dropped. It
 * waits only while her session is live and she answered within `closeGraceMinutes` (a session the
 * invitation opened on Saturday and nobody touched does not count), and never past
 * `closeMaxDelayHours` after the deadline. The close then runs again: completed, nothing is missed.
 */
export function closeDelayedUntil(
  week: string,
  now: Date,
  open: OpenCheckin | undefined,
  s: WeeklySchedule,
): Date | undefined {
  if (!open) return undefined;
  const latest = atWeekTime(week, s.deadline).getTime() + s.closeMaxDelayHours * HOUR_MS;
  const until = Math.min(
    open.expiresAt.getTime(),
    open.lastTurnAt.getTime() + s.closeGraceMinutes * 60_000,
    latest,
  );
  return until > now.getTime() ? new Date(until) : undefined;
}

/** The message kinds of the weekly rhythm, and until when each is worth sending. */
export type RhythmMessage = 'invitation' | 'reminder' | 'parent-checkin' | 'nudge' | 'missed-digest';

export function expiryOf(
  message: RhythmMessage,
  week: string,
  role: ScheduledRole,
  checkinAt: WeekTime | undefined,
  s: WeeklySchedule,
): Date {
  const deadline = atWeekTime(week, s.deadline).getTime();
  switch (message) {
    case 'invitation':
    case 'reminder':
      // Held by quiet hours past this, it would ask for an answer there is no time left to give.
      return new Date(deadline - s.minAnswerWindowHours * HOUR_MS);
    case 'parent-checkin': {
      const times = parentWeek(week, role === 'parent' ? checkinAt : undefined, s);
      return times.nudge ?? times.deadline;
    }
    case 'nudge': {
      const nudge = atWeekTime(week, s.parentNudge).getTime();
      return new Date(nudge + DAY_MS);
    }
    case 'missed-digest':
      return new Date(deadline + s.lateDigestHours * HOUR_MS);
  }
}

/** Validates a WeekTime (a contact's `checkinAt`); throws RangeError. */
export function assertWeekTime(at: WeekTime): void {
  atWeekTime('2026-W01', at);
}
