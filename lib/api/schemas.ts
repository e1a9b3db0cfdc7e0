// The coordinators' API's inputs and outputs, as zod schemas: they validate requests and generate the
// OpenAPI document (lib/api/openapi.ts).
import * as z from 'zod';
import { isIsoWeek } from '#lib/domain/checkin-results.ts';
import { CHILD_CATEGORIES } from '#lib/domain/model.ts';

const centreId = z.lazy(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -')
    .describe('One of the centres in your token'),
);
const isoWeek = z.lazy(() =>
  z
    .string()
    .refine(isIsoWeek, 'an ISO week, e.g. 2026-W49')
    .describe('ISO week (Asia/Shanghai), e.g. 2026-W49'),
);
const note = z.lazy(() =>
  z.string().trim().min(1).max(1000).describe('What was done or decided (kept for the audit)'),
);

/**
 * A mobile number as typed in China (full-width digits, spaces, +86, 0086), given on as E.164. Parsed
 * asynchronously: the phone metadata loads with the first number, not at every cold start.
 */
export const mobilePhone = z.lazy(() =>
  z
    .string()
    .max(40)
    .transform(async (value, ctx) => {
      const { normalisePhone } = await import('#lib/roster/csv-import.ts');
      const e164 = normalisePhone(value);
      if (!e164) {
        ctx.addIssue({ code: 'custom', message: 'not a valid mobile number (default region CN)' });
        return z.NEVER;
      }
      return e164;
    }),
);

export const tasksQuery = z.lazy(() =>
  z.object({
    centre: centreId,
    status: z.enum(['open', 'closed', 'all']).default('open').describe('open (default), closed or all'),
  }),
);

export const messagesQuery = z.lazy(() =>
  z.object({
    centre: centreId,
    status: z.enum(['new', 'delivered', 'all']).default('new').describe('new (default), delivered or all'),
  }),
);

export const resultsQuery = z.lazy(() =>
  z
    .object({ centre: centreId, from: isoWeek, to: isoWeek })
    .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] }),
);

export const exportQuery = z.lazy(() =>
  z
    .object({
      centre: centreId,
      from: isoWeek,
      to: isoWeek,
      lang: z
        .enum(['zh-CN', 'zh', 'en'])
        .default('zh-CN')
        .describe('Headers and labels: Chinese (default) or en'),
      history: z
        .enum(['0', '1', 'true', 'false'])
        .default('0')
        .transform((v) => v === '1' || v === 'true')
        .describe("1: a column with each week's answer history (every run, corrections marked)"),
    })
    .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] }),
);

export const noteBody = z.lazy(() => z.object({ note }).strict());
export const emptyBody = z.lazy(() => z.object({}).strict());

const audit = z.lazy(() => z.object({ at: z.string(), by: z.string(), note: z.string().optional() }));

export const taskView = z.lazy(() =>
  z.object({
    id: z.string().describe('Opaque; use it in the acknowledge and close paths'),
    centreId: z.string(),
    kind: z.enum(['alert', 'missed-checkins', 'gb-locked', 'parent-call']),
    ref: z.string().optional().describe('The short reference coordinators answer it with by text (A7, T3)'),
    status: z.enum(['open', 'closed']),
    raisedAt: z.string(),
    acknowledged: audit.nullable(),
    closed: audit.nullable(),
    escalation: z
      .object({
        state: z
          .enum(['pending', 'escalated', 'stopped'])
          .describe(
            'pending: every coordinator is told at dueAt unless someone acknowledges it first; stopped: acknowledged or closed in time',
          ),
        dueAt: z.string().describe('A day after it was raised'),
        escalatedAt: z.string().optional(),
        told: z.number().int().optional().describe('How many coordinators the escalation was sent to'),
      })
      .describe('Escalation to every coordinator of the centre when no one acknowledges it in a day'),
    alert: z
      .object({
        childId: z.string(),
        familyId: z.string(),
        week: z.string(),
        itemId: z.string(),
        reason: z.enum(['answer', 'words']),
        value: z.union([z.number(), z.string(), z.boolean()]).optional(),
      })
      .optional(),
    missedCheckins: z
      .object({
        contactId: z.string(),
        contactName: z.string(),
        childIds: z.array(z.string()),
        childNames: z.array(z.string()),
        weeks: z.array(z.string()),
        optedOut: z.boolean(),
      })
      .optional(),
  }),
);
export type TaskView = z.input<typeof taskView>;
export const taskList = z.lazy(() => z.object({ tasks: z.array(taskView) }));

export const messageView = z.lazy(() =>
  z.object({
    id: z.string().describe('Opaque; use it in the delivered path'),
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
    delivered: audit.nullable(),
  }),
);
export type MessageView = z.input<typeof messageView>;
export const messageList = z.lazy(() => z.object({ messages: z.array(messageView) }));

const figures = z.lazy(() =>
  z.object({
    children: z.number().int(),
    completed: z.number().int(),
    missed: z.number().int(),
    inProgress: z.number().int(),
    none: z.number().int().describe('No check-in that week (before the rhythm started, a pause week)'),
    responseRate: z.number().nullable().describe('completed / children'),
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
          figures.unwrap().extend({
            distributions: z
              .record(z.string(), z.record(z.string(), z.number().int()))
              .describe('mood, school, health: answer value → how many'),
          }),
        ),
      }),
    ),
  }),
);

export const errorView = z.lazy(() =>
  z.object({
    error: z.string(),
    requestId: z.string().optional(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    current: z
      .unknown()
      .optional()
      .describe('On a 409 version conflict: the record as stored now (the same view as a read)'),
  }),
);
