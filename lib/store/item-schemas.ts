// Shapes of stored items as they are read back. A stored item that does not parse is a bug or
// corruption, surfaced as a DependencyError rather than passed on half-formed.
import {
  type AnswerValue,
  CHECKIN_FORMS,
  CHILD_CATEGORIES,
  CONTACT_ROLES,
  type ContactView,
  LANGUAGES,
  type Session,
} from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import { channelAddressSchema } from '#lib/store/roster/roster-types.ts';
import * as z from '#lib/zod.ts';

const childRefSchema = z.lazy(() =>
  z.object({
    childId: z.string(),
    familyId: z.string(),
    name: z.string(),
    category: z.enum(CHILD_CATEGORIES),
  }),
);

export const contactViewSchema = z.lazy(
  () =>
    z.object({
      contactId: z.string(),
      role: z.enum(CONTACT_ROLES),
      language: z.enum(LANGUAGES),
      optedOut: z.boolean(),
      displayName: z.string(),
      centreId: z.string(),
      centreName: z.string(),
      centrePhone: z.string(),
      children: z.array(childRefSchema),
      addresses: z.array(channelAddressSchema),
      stopHintWeek: z.optional(z.string()),
      lastIdleReplyAt: z.optional(z.string()),
      checkinDoneWeek: z.optional(z.string()),
      checkinForm: z.optional(z.enum(CHECKIN_FORMS)),
      stepStreak: z.optional(z.int()),
      stepStreakWeek: z.optional(z.string()),
      oneMessageOffered: z.optional(z.boolean()),
    }) satisfies z.ZodMiniType<ContactView>,
);

export const sessionSchema = z.lazy(
  () =>
    z.object({
      flowId: z.string(),
      flowVersion: z.number(),
      week: z.string(),
      childIndex: z.int(),
      childId: z.optional(z.string()),
      stepId: z.string(),
      attempts: z.int(),
      startedAt: z.string(),
      expiresAt: z.string(),
      broadcastId: z.optional(z.string()),
      mode: z.optional(z.enum(['correction', 'message'])),
      form: z.optional(z.enum(['one-message', 'one-message-steps'])),
    }) satisfies z.ZodMiniType<Session>,
);

export const sessionItemSchema = z.lazy(() => z.object({ session: sessionSchema, version: z.int() }));

export const messageItemSchema = z.lazy(() => z.object({ replies: z.array(z.string()) }));

export const answerValueSchema = z.lazy(
  () => z.union([z.number(), z.string(), z.boolean()]) satisfies z.ZodMiniType<AnswerValue>,
);

export const storedAnswerSchema = z.lazy(() =>
  z.object({
    status: z.enum(['answered', 'unanswered', 'skipped']),
    value: z.optional(answerValueSchema),
    raw: z.string(),
    truncated: z.optional(z.boolean()),
    answeredAt: z.string(),
  }),
);

/** Parses a stored item, turning a mismatch into a DependencyError that names the item kind. */
export function parseItem<S extends z.core.$ZodType>(schema: S, item: unknown, what: string): z.output<S> {
  const parsed = z.safeParse(schema, item);
  if (!parsed.success) {
    throw new DependencyError(`stored ${what} item has an unexpected shape`, { cause: parsed.error });
  }
  return parsed.data;
}

// Compile-time guard: if the domain model gains or changes a field, these fail to type-check
// here, instead of the schema silently dropping the new field on read.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const modelInSync: [
  Same<z.output<typeof contactViewSchema>, ContactView>,
  Same<z.output<typeof sessionSchema>, Session>,
] = [true, true];
void modelInSync;

/**
 * The fields of an alert item (CENTRE#<id> / ALERT#<id>) that a turn writes; readers add their state.
 * A function, so that they are built with the schema that spreads them (on first use).
 */
export const alertItemFields = () => ({
  alertId: z.string(),
  centreId: z.string(),
  childId: z.string(),
  familyId: z.string(),
  week: z.string(),
  itemId: z.string(),
  reason: z.enum(['answer', 'words']),
  value: z.optional(answerValueSchema),
});

/**
 * What a coordinator did with an alert or a task (and when the tick escalated it): the state both
 * items carry beside their own fields.
 */
export const auditFields = () => ({
  status: z.enum(['open', 'closed']),
  raisedAt: z.string(),
  acknowledgedAt: z.optional(z.string()),
  acknowledgedBy: z.optional(z.string()),
  acknowledgeNote: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  closedBy: z.optional(z.string()),
  closeNote: z.optional(z.string()),
  /** The short reference a coordinator answers it by text with (A7, T3), once it was sent. */
  ref: z.optional(z.string()),
  /** The contact who raised it (an alert's carer), kept with the reference. */
  raisedBy: z.optional(z.string()),
  /** Set once by the tick when no one had acknowledged it in a day: when, and how many coordinators it told. */
  escalatedAt: z.optional(z.string()),
  escalatedTo: z.optional(z.int()),
});

/**
 * A coordinator task item (CENTRE#<id> / TASK#<id>): raised by the tick (CoordinatorTaskRepository),
 * worked by the coordinators (CoordinatorWorkRepository), one schema for both.
 */
export const taskItemSchema = z.lazy(() =>
  z.object({
    taskId: z.string(),
    centreId: z.string(),
    /** missed-checkins: two weeks; gb-locked: wrong GB PINs; parent-call: a parent asks for a call. */
    kind: z.enum(['missed-checkins', 'gb-locked', 'parent-call']),
    contactId: z.string(),
    contactName: z.string(),
    childIds: z.array(z.string()),
    childNames: z.array(z.string()),
    /** The weeks missed in a row when the task was raised, oldest first. */
    weeks: z.array(z.string()),
    /** The carer had stopped messages (TD) when the task was raised. */
    optedOut: z.boolean(),
    ...auditFields(),
  }),
);
