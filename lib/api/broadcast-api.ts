// The broadcasts part of the coordinators' API: preview, compose, approve (now or at a time), cancel,
// list and report. A broadcast is visible only to a coordinator holding every Centre it targets;
// anything else is "not found" (404), and a target naming a Centre the caller does not hold is too.
import type { Caller } from '#lib/api/auth.ts';
import { requireCentre } from '#lib/api/coordinator-api.ts';
import { json, RequestValidationError, type Route, route } from '#lib/api/router.ts';
import type { BroadcastReport, BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import {
  BROADCAST_ROLES,
  BROADCAST_SOURCES,
  BROADCAST_STATUSES,
  type BroadcastTarget,
  type BroadcastTexts,
  MAX_BROADCAST_TEXT,
} from '#lib/domain/broadcast.ts';
import { CHECKIN_FORMS, CHILD_CATEGORIES, LANGUAGES } from '#lib/domain/model.ts';
import { MAINLAND_PROVIDERS } from '#lib/domain/sms-templates.ts';
import { NotFoundError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { StoredBroadcast } from '#lib/store/broadcasts/broadcast-repository.ts';
import * as z from '#lib/zod.ts';

export interface BroadcastApiDependencies {
  broadcasts: BroadcastService;
  clock: Clock;
  logger: Logger;
  /** How long approving "now" may fan out before it leaves the rest to the scheduler tick. */
  inlineFanOutMs: number;
}

/** How far ahead a broadcast may be scheduled. */
export const MAX_SCHEDULE_DAYS = 60;

const centreId = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -')),
);
const broadcastId = z.lazy(() =>
  z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'a broadcast id: 8-64 letters, digits, _ -'),
      z.describe('The id from the create or list response'),
    ),
);
const text = z.lazy(() => z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_BROADCAST_TEXT)));

const composition = z.lazy(() =>
  z.strictObject({
    centres: z
      .array(centreId)
      .check(z.minLength(1), z.maxLength(20), z.describe('Centres to send to (all must be yours)')),
    roles: z
      ._default(z.enum(['parents', 'carers', 'everyone']), 'everyone')
      .check(z.describe('parents, carers, or everyone (both)')),
    categories: z
      ._default(z.array(z.enum(CHILD_CATEGORIES)).check(z.maxLength(CHILD_CATEGORIES.length)), [])
      .check(z.describe('Only contacts with a child of these categories; empty: all')),
    languages: z
      ._default(z.array(z.enum(LANGUAGES)).check(z.maxLength(LANGUAGES.length)), [])
      .check(z.describe('Only contacts reading these languages; empty: every language that has a text')),
    texts: z.strictObject({ 'zh-CN': z.optional(text), en: z.optional(text) }).check(
      z.refine((t) => t['zh-CN'] !== undefined || t.en !== undefined, 'at least one text'),
      z.describe('The text per language; the Centre name and how to stop are added'),
    ),
  }),
);

const composeBody = z.lazy(() =>
  z.catchall(
    z.extend(composition.def.getter(), {
      requestId: z
        .optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)))
        .check(
          z.describe('Sent again with a retried request, it returns the same broadcast instead of a second'),
        ),
    }),
    z.never(),
  ),
);

const approveBody = z.lazy(() =>
  z.strictObject({
    sendAt: z
      .optional(z.iso.datetime({ offset: true }))
      .check(z.describe('When to send (ISO 8601 with offset); absent or past: now')),
  }),
);

const listQuery = z.lazy(() =>
  z.object({
    centre: centreId,
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
  }),
);

const exclusions = z.lazy(() =>
  z.object({
    optedOut: z.int(),
    invalidAddress: z.int(),
    noAddress: z.int(),
    noText: z.int(),
  }),
);
export const previewView = z.lazy(() =>
  z.object({
    recipients: z.int().check(z.describe('After excluding opted-out and unreachable contacts')),
    excluded: exclusions,
    languages: z.array(
      z.object({
        language: z.enum(LANGUAGES),
        recipients: z.int(),
        sms: z.int(),
        wechat: z.int(),
        segments: z.int().check(z.describe('SMS segments per message')),
        encoding: z.enum(['GSM-7', 'UCS-2']),
        sample: z.string().check(z.describe('The message as a recipient will read it')),
      }),
    ),
    smsSegments: z.int(),
    categories: z
      .record(z.enum(CHILD_CATEGORIES), z.int())
      .check(
        z.describe(
          'Recipients per category of their children; a contact with children in two counts in both',
        ),
      ),
    estimatedCost: z.object({
      amount: z.number(),
      upTo: z
        .number()
        .check(
          z.describe('If every WeChat recipient outside its 48-hour window had to get it by SMS instead'),
        ),
      currency: z.string(),
      perSegment: z.number(),
    }),
    domestic: z
      .optional(
        z.object({
          provider: z.enum(MAINLAND_PROVIDERS),
          recipients: z.int().check(z.describe('+86 mobiles, sent by the domestic provider')),
          segments: z.int().check(z.describe('Billed messages by template, signature included')),
          currency: z.literal('CNY'),
          perSegment: z.number(),
          amount: z.number(),
          byProvider: z.array(
            z.object({ provider: z.enum(MAINLAND_PROVIDERS), perSegment: z.number(), amount: z.number() }),
          ),
        }),
      )
      .check(
        z.describe(
          'When a domestic provider carries +86 mobiles; estimatedCost is then the others, by Twilio',
        ),
      ),
    costPerFamilyMonth: z
      .optional(
        z.array(
          z.object({
            provider: z.enum([...MAINLAND_PROVIDERS, 'twilio']),
            form: z.enum(CHECKIN_FORMS),
            segmentsPerWeek: z.int(),
            perSegment: z.number(),
            currency: z.string(),
            perMonth: z.number(),
          }),
        ),
      )
      .check(
        z.describe(
          "What a family's weekly messages cost a month on each provider, in each check-in form (a carer of two children, two parents; docs/cost.md)",
        ),
      ),
    templateRefusals: z
      .optional(
        z.array(
          z.object({
            language: z.enum(LANGUAGES).check(z.describe('The text that does not fit')),
            provider: z.enum(MAINLAND_PROVIDERS).check(z.describe('SMS_PROVIDER or SMS_FALLBACK_PROVIDER')),
            maxVariableChars: z.int().check(z.describe("The provider's longest variable value")),
            fits: z
              .int()
              .check(
                z.describe(
                  "Characters of the text a message can hold there, with the Centre's name and how to stop",
                ),
              ),
            chars: z.int().check(z.describe('Characters the text has')),
          }),
        ),
      )
      .check(
        z.describe(
          'Present when a provider that may carry +86 mobiles has no template for a text: composing or approving it is refused (400)',
        ),
      ),
  }),
);
const reportView = z.lazy(() =>
  z.object({
    recipients: z.int(),
    groups: z
      .record(z.string(), z.int())
      .check(
        z.describe(
          'queued, sent, delivered, failed, suppressed (opted out or number dead at send time), not-sent (expired, loop guard), cancelled',
        ),
      ),
    statuses: z.record(z.string(), z.int()),
  }),
);
export const broadcastView = z.lazy(() =>
  z.object({
    id: z.string(),
    status: z.enum(BROADCAST_STATUSES),
    source: z.enum(BROADCAST_SOURCES),
    target: z.object({
      centres: z.array(z.string()),
      roles: z.array(z.enum(BROADCAST_ROLES)),
      categories: z.array(z.enum(CHILD_CATEGORIES)),
      languages: z.array(z.enum(LANGUAGES)),
    }),
    texts: z.record(z.string(), z.string()),
    createdBy: z.string(),
    createdAt: z.string(),
    approved: z.nullable(z.object({ by: z.string(), at: z.string(), sendAt: z.string() })),
    cancelled: z.nullable(z.object({ by: z.string(), at: z.string() })),
    finishedAt: z.nullable(z.string()),
    preview: previewView.check(z.describe('As composed; the figures may change until it is sent')),
    report: z.optional(reportView),
  }),
);

export function broadcastRoutes(deps: BroadcastApiDependencies): Route[] {
  const { broadcasts } = deps;

  /** The broadcast, if the caller holds every Centre it targets; else 404. */
  const visible = async (caller: Caller, id: string): Promise<StoredBroadcast> => {
    const b = await broadcasts.get(id);
    if (!b.centreIds.every((c) => caller.centres.has(c)))
      throw new NotFoundError('not visible to the caller');
    return b;
  };
  const withReport = async (b: StoredBroadcast) =>
    view(b, b.status === 'draft' ? undefined : await broadcasts.report(b));

  return [
    route({
      method: 'POST',
      path: '/api/broadcasts/preview',
      summary: 'Who would receive a broadcast now, SMS segments per language, and the estimated cost',
      body: composition,
      response: { contentType: 'application/json', schema: previewView, description: 'The preview' },
      handle: async ({ caller, body }) => {
        const { target, texts } = toTarget(caller, body);
        return json(200, await broadcasts.preview(target, texts));
      },
    }),
    route({
      method: 'POST',
      path: '/api/broadcasts',
      summary: 'Compose a broadcast (a draft, with its preview); nothing is sent until it is approved',
      body: composeBody,
      response: { contentType: 'application/json', schema: broadcastView, description: 'The draft' },
      handle: async ({ caller, body }) => {
        const { target, texts } = toTarget(caller, body);
        const b = await broadcasts.compose({
          broadcastId: body.requestId,
          target,
          texts,
          source: 'api',
          createdBy: caller.subject,
        });
        // A reused requestId of someone else's broadcast must not reveal it.
        if (!b.centreIds.every((c) => caller.centres.has(c))) throw new NotFoundError('not visible');
        return json(201, view(b));
      },
    }),
    route({
      method: 'GET',
      path: '/api/broadcasts',
      summary: "A centre's broadcasts, newest first",
      query: listQuery,
      response: {
        contentType: 'application/json',
        schema: z.object({ broadcasts: z.array(broadcastView) }),
        description: 'The broadcasts',
      },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const list = await broadcasts.list(query.centre, query.limit);
        const mine = list.filter((b) => b.centreIds.every((c) => caller.centres.has(c)));
        return json(200, { broadcasts: mine.map((b) => view(b)) });
      },
    }),
    route({
      method: 'GET',
      path: '/api/broadcasts/{id}',
      summary:
        'A broadcast with its report (queued, sent, delivered, failed, suppressed, not sent, cancelled); reads every recipient',
      pathParams: { id: 'The broadcast id' },
      response: { contentType: 'application/json', schema: broadcastView, description: 'The broadcast' },
      handle: async ({ caller, params }) => {
        const b = await visible(caller, parseId(params.id));
        return json(200, await withReport(b));
      },
    }),
    route({
      method: 'POST',
      path: '/api/broadcasts/{id}/approve',
      summary: 'Approve a draft to send now or at a time (who and when are recorded)',
      pathParams: { id: 'The broadcast id' },
      body: approveBody,
      response: { contentType: 'application/json', schema: broadcastView, description: 'Approved' },
      handle: async ({ caller, params, body }) => {
        const id = parseId(params.id);
        await visible(caller, id);
        const sendAt = body.sendAt ? new Date(body.sendAt) : undefined;
        const limit = deps.clock.now().getTime() + MAX_SCHEDULE_DAYS * 86_400_000;
        if (sendAt && sendAt.getTime() > limit) {
          throw new RequestValidationError([
            { field: 'body.sendAt', message: `at most ${MAX_SCHEDULE_DAYS} days ahead` },
          ]);
        }
        let b = await broadcasts.approve(id, caller.subject, sendAt);
        if (!b.sendAt || Date.parse(b.sendAt) <= deps.clock.now().getTime()) {
          // Start at once; whatever the time allows here, the scheduler tick finishes.
          await broadcasts.fanOut(id, { budgetMs: deps.inlineFanOutMs }).catch((error: unknown) => {
            deps.logger.warn('inline fan-out failed; the scheduler tick goes on with it', {
              broadcastId: id,
              error: error as Error,
            });
          });
          b = await broadcasts.get(id);
        }
        // No report here: for a large broadcast it reads every recipient (GET the broadcast for it).
        return json(200, view(b));
      },
    }),
    route({
      method: 'POST',
      path: '/api/broadcasts/{id}/cancel',
      summary: 'Cancel a broadcast: no message not yet handed to the provider goes out after this',
      pathParams: { id: 'The broadcast id' },
      body: z.optional(z.strictObject({})),
      response: { contentType: 'application/json', schema: broadcastView, description: 'Cancelled' },
      handle: async ({ caller, params }) => {
        const id = parseId(params.id);
        await visible(caller, id);
        return json(200, view(await broadcasts.cancel(id, caller.subject)));
      },
    }),
  ];
}

function parseId(value: string | undefined): string {
  const parsed = broadcastId.safeParse(value);
  if (!parsed.success) throw new NotFoundError('bad broadcast id');
  return parsed.data;
}

function toTarget(
  caller: Caller,
  body: z.output<typeof composition>,
): { target: BroadcastTarget; texts: BroadcastTexts } {
  const centreIds = [...new Set(body.centres)].sort();
  for (const c of centreIds) requireCentre(caller, c);
  const roles: BroadcastTarget['roles'] =
    body.roles === 'parents' ? ['parent'] : body.roles === 'carers' ? ['carer'] : ['carer', 'parent'];
  const texts: BroadcastTexts = {};
  for (const language of LANGUAGES) {
    const t = body.texts[language];
    if (t !== undefined) texts[language] = t;
  }
  return {
    target: {
      centreIds,
      roles,
      categories: [...new Set(body.categories)],
      languages: [...new Set(body.languages)],
    },
    texts,
  };
}

function view(b: StoredBroadcast, report?: BroadcastReport): z.input<typeof broadcastView> {
  return {
    id: b.broadcastId,
    status: b.status,
    source: b.source,
    target: {
      centres: b.target.centreIds,
      roles: b.target.roles,
      categories: b.target.categories,
      languages: b.target.languages,
    },
    texts: { ...b.texts } as Record<string, string>,
    createdBy: b.createdBy,
    createdAt: b.createdAt,
    approved:
      b.approvedBy && b.approvedAt && b.sendAt
        ? { by: b.approvedBy, at: b.approvedAt, sendAt: b.sendAt }
        : null,
    cancelled: b.cancelledBy && b.cancelledAt ? { by: b.cancelledBy, at: b.cancelledAt } : null,
    finishedAt: b.finishedAt ?? null,
    preview: b.preview as z.input<typeof previewView>,
    ...(report ? { report } : {}),
  };
}
