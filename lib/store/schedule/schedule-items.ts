// The weekly schedule item of a contact (CONTACT#<id> / SCHEDULE): a snapshot of what the scheduler
// tick needs to act (role, where to write, quiet hours, day and time, children), kept in step with
// the roster in the same transaction as the contact, and the schedule's state (next step, week, due
// time, in the due index), which only the tick moves on.
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ChannelAddress, ContactRole } from '#lib/domain/model.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import { NO_WEEK, PLAN_NOW, type ScheduleStep } from '#lib/domain/weekly-schedule.ts';
import { dueIndexKeys, keys } from '#lib/store/keys.ts';
import type { Contact } from '#lib/store/roster/roster-types.ts';
import { UpdateBuilder } from '#lib/store/update-expression.ts';
import * as z from '#lib/zod.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The item id in the due index (`dueKey` = due time # id). */
export const scheduleItemId = (contactId: string): string => `schedule#${contactId}`;

const hhmm = z.lazy(() => z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/)));
const weekTime = z.lazy(() => z.object({ weekday: z.int().check(z.gte(1), z.lte(7)), time: hhmm }));

/** What the tick decided for a week's first step (a carer's invitation, a parent's check-in). */
export const WEEK_DECISIONS = [
  /** Sent (and the session opened). */
  'send',
  /** The carer had already started this week's check-in themselves: no invitation needed. */
  'in-progress',
  /** Every child's check-in for the week was already done. */
  'done',
  'opted-out',
  'no-address',
  'no-children',
  /** The tick came too late (downtime) to ask for anything this week. */
  'late',
  /** The Centre paused the week. */
  'paused',
] as const;
export type WeekDecision = (typeof WEEK_DECISIONS)[number];

export const scheduleItemSchema = z.lazy(() =>
  z.object({
    contactId: z.string(),
    role: z.enum(['carer', 'parent']),
    centreId: z.string(),
    channel: z.nullish(z.enum(['sms', 'wechat', 'local'])),
    address: z.nullish(z.string()),
    quietHours: z.nullish(z.object({ start: hhmm, end: hhmm })),
    checkinAt: z.nullish(weekTime),
    /** The children the contact answers for (carer) or hears about (parent), in the view's order. */
    children: z._default(z.array(z.object({ childId: z.string(), familyId: z.string() })), []),
    step: z.enum(['plan', 'invite', 'remind', 'close', 'parent-checkin', 'nudge']),
    week: z.string(),
    dueAt: z.string(),
    dueShard: z.string(),
    dueKey: z.string(),
    decidedWeek: z.optional(z.string()),
    /** The step that decided (a role change mid-week must not reuse another step's decision). */
    decidedStep: z.optional(z.string()),
    decision: z.optional(z.enum(WEEK_DECISIONS)),
    /** The decision's message carries how to stop (first of the week). */
    decisionHint: z.optional(z.boolean()),
    /** Carers: weeks missed in a row (paused weeks do not break or extend a run). */
    missedStreak: z._default(z.int(), 0),
    /** The last week counted as missed (for the coordinators' task). */
    lastMissedWeek: z.optional(z.string()),
  }),
);
export type ScheduleItem = z.output<typeof scheduleItemSchema>;

export function recipientOf(item: ScheduleItem): ChannelAddress | undefined {
  return item.channel && item.address ? { channel: item.channel, address: item.address } : undefined;
}

const sameWeekTime = (a: Contact['checkinAt'], b: Contact['checkinAt']) =>
  a?.weekday === b?.weekday && a?.time === b?.time;

const isScheduled = (role: ContactRole): role is 'carer' | 'parent' => role === 'carer' || role === 'parent';

/**
 * The schedule item's part of a contact write: the snapshot always; the state only for a new
 * schedule, or when the role or the day and time changed (then it starts again with a `plan` step,
 * due at once; the next tick works out the week). Coordinators have no schedule.
 */
export function scheduleWrite(
  tableName: string,
  contact: Contact,
  previous: Contact | undefined,
  children: { childId: string; familyId: string }[],
  now: Date,
): TransactItem {
  const key = keys.schedule(contact.contactId);
  if (!isScheduled(contact.role)) return { Delete: { TableName: tableName, Key: key } };
  const to = preferredAddress(contact);
  const u = new UpdateBuilder()
    .set('entity', 'schedule')
    .set('contactId', contact.contactId)
    .set('role', contact.role)
    .set('centreId', contact.centreId)
    .set('channel', to?.channel ?? null)
    .set('address', to?.address ?? null)
    .set('quietHours', contact.quietHours ?? null)
    .set('checkinAt', contact.checkinAt ?? null)
    .set('children', children)
    .set('updatedAt', now.toISOString());
  const replan =
    previous === undefined ||
    previous.role !== contact.role ||
    !sameWeekTime(previous.checkinAt, contact.checkinAt);
  const state: Record<string, string> = {
    step: 'plan' satisfies ScheduleStep,
    week: NO_WEEK,
    dueAt: PLAN_NOW.toISOString(),
    ...dueIndexKeys(scheduleItemId(contact.contactId), PLAN_NOW),
  };
  for (const [attribute, value] of Object.entries(state)) {
    if (replan) u.set(attribute, value);
    else u.setIfNotExists(attribute, value);
  }
  return { Update: { TableName: tableName, Key: key, ...u.build() } };
}
