// The coordinators' API's inputs and outputs, as zod schemas: they validate requests and generate the
// OpenAPI document (lib/api/openapi.ts).
import { isIsoWeek } from '#lib/domain/checkin-results.ts';
import { CHILD_CATEGORIES } from '#lib/domain/model.ts';
import * as z from '#lib/zod.ts';

const centreId = z.lazy(() =>
  z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -'),
      z.describe('One of the centres in your token'),
    ),
);
const isoWeek = z.lazy(() =>
  z
    .string()
    .check(
      z.refine(isIsoWeek, 'an ISO week, e.g. 2026-W49'),
      z.describe('ISO week (Asia/Shanghai), e.g. 2026-W49'),
    ),
);
const note = z.lazy(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1),
      z.maxLength(1000),
      z.describe('What was done or decided (kept for the audit)'),
    ),
);

/**
 * A mobile number as typed in China (full-width digits, spaces, +86, 0086), given on as E.164. Parsed
 * asynchronously: the phone metadata loads with the first number, not at every cold start.
 */
export const mobilePhone = z.lazy(() =>
  z.pipe(
    z.string().check(z.maxLength(40)),
    z.transform(async (value: string, ctx) => {
      const { normalisePhone } = await import('#lib/roster/csv-import.ts');
      const e164 = normalisePhone(value);
      if (!e164) {
        z.addCustomIssue(ctx, 'not a valid mobile number (default region CN)');
        return z.NEVER;
      }
      return e164;
    }),
  ),
);

export const tasksQuery = z.lazy(() =>
  z.object({
    centre: centreId,
    status: z
      ._default(z.enum(['open', 'closed', 'all']), 'open')
      .check(z.describe('open (default), closed or all')),
  }),
);

export const messagesQuery = z.lazy(() =>
  z.object({
    centre: centreId,
    status: z
      ._default(z.enum(['new', 'delivered', 'all']), 'new')
      .check(z.describe('new (default), delivered or all')),
  }),
);

export const resultsQuery = z.lazy(() =>
  z
    .object({ centre: centreId, from: isoWeek, to: isoWeek })
    .check(z.refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })),
);

export const exportQuery = z.lazy(() =>
  z
    .object({
      centre: centreId,
      from: isoWeek,
      to: isoWeek,
      lang: z
        ._default(z.enum(['zh-CN', 'zh', 'en']), 'zh-CN')
        .check(z.describe('Headers and labels: Chinese (default) or en')),
      history: z
        .pipe(
          z._default(z.enum(['0', '1', 'true', 'false']), '0'),
          z.transform((v) => v === '1' || v === 'true'),
        )
        .check(z.describe("1: a column with each week's answer history (every run, corrections marked)")),
    })
    .check(z.refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })),
);

export const noteBody = z.lazy(() => z.strictObject({ note }));
export const emptyBody = z.lazy(() => z.strictObject({}));

const audit = z.lazy(() => z.object({ at: z.string(), by: z.string(), note: z.optional(z.string()) }));

export const taskView = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('Opaque; use it in the acknowledge and close paths')),
    centreId: z.string(),
    kind: z.enum(['alert', 'missed-checkins', 'gb-locked', 'parent-call']),
    ref: z
      .optional(z.string())
      .check(z.describe('The short reference coordinators answer it with by text (A7, T3)')),
    status: z.enum(['open', 'closed']),
    raisedAt: z.string(),
    acknowledged: z.nullable(audit),
    closed: z.nullable(audit),
    escalation: z
      .object({
        state: z
          .enum(['pending', 'escalated', 'stopped'])
          .check(
            z.describe(
              'pending: every coordinator is told at dueAt unless someone acknowledges it first; stopped: acknowledged or closed in time',
            ),
          ),
        dueAt: z.string().check(z.describe('A day after it was raised')),
        escalatedAt: z.optional(z.string()),
        told: z.optional(z.int()).check(z.describe('How many coordinators the escalation was sent to')),
      })
      .check(
        z.describe('Escalation to every coordinator of the centre when no one acknowledges it in a day'),
      ),
    alert: z.optional(
      z.object({
        childId: z.string(),
        familyId: z.string(),
        week: z.string(),
        itemId: z.string(),
        reason: z.enum(['answer', 'words']),
        value: z.optional(z.union([z.number(), z.string(), z.boolean()])),
      }),
    ),
    missedCheckins: z.optional(
      z.object({
        contactId: z.string(),
        contactName: z.string(),
        childIds: z.array(z.string()),
        childNames: z.array(z.string()),
        weeks: z.array(z.string()),
        optedOut: z.boolean(),
      }),
    ),
  }),
);
export type TaskView = z.input<typeof taskView>;
export const taskList = z.lazy(() => z.object({ tasks: z.array(taskView) }));

export const messageView = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('Opaque; use it in the delivered path')),
    centreId: z.string(),
    fromName: z.string(),
    children: z.array(
      z.object({ childId: z.string(), name: z.string(), category: z.enum(CHILD_CATEGORIES) }),
    ),
    text: z.string(),
    truncated: z.boolean(),
    week: z.string(),
    receivedAt: z.string(),
    status: z.enum(['new', 'delivered']),
    delivered: z.nullable(audit),
  }),
);
export type MessageView = z.input<typeof messageView>;
export const messageList = z.lazy(() => z.object({ messages: z.array(messageView) }));

const figures = z.lazy(() =>
  z.object({
    children: z.int(),
    completed: z.int(),
    missed: z.int(),
    inProgress: z.int(),
    none: z.int().check(z.describe('No check-in that week (before the rhythm started, a pause week)')),
    responseRate: z.nullable(z.number()).check(z.describe('completed / children')),
  }),
);

export const summaryView = z.lazy(() =>
  z.object({
    centreId: z.string(),
    from: z.string(),
    to: z.string(),
    weeks: z.array(
      z.object({
        week: z.string(),
        centre: figures,
        categories: z.record(
          z.enum(CHILD_CATEGORIES),
          z.extend(figures.def.getter(), {
            distributions: z
              .record(z.string(), z.record(z.string(), z.int()))
              .check(z.describe('mood, school, health: answer value → how many')),
          }),
        ),
      }),
    ),
  }),
);

export const errorView = z.lazy(() =>
  z.object({
    error: z.string(),
    requestId: z.optional(z.string()),
    fields: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
    current: z
      .optional(z.unknown())
      .check(z.describe('On a 409 version conflict: the record as stored now (the same view as a read)')),
  }),
);
