// Inbound messages that failed and are not processed yet (lib/inbound/replay-unprocessed.ts), for the
// Centre's coordinators: the text, when it came, what went wrong, how often it was tried, and whether
// the replays gave up (then a person has to act on it). Scoped to the caller's centres.
import { requireCentre } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { CHANNEL_NAMES } from '#lib/domain/model.ts';
import type { UnprocessedRepository } from '#lib/store/conversation/unprocessed-repository.ts';
import * as z from '#lib/zod.ts';

export interface UnprocessedApiDependencies {
  unprocessed: UnprocessedRepository;
}

const unprocessedView = z.lazy(() =>
  z.object({
    channel: z.enum(CHANNEL_NAMES),
    from: z.string().check(z.describe('The sender: a mobile number, or a WeChat OpenID')),
    text: z.string(),
    receivedAt: z.string(),
    reason: z.string().check(z.describe('What went wrong the last time')),
    attempts: z.int().check(z.describe('Replays tried so far')),
    nextAttemptAt: z.optional(z.string()),
    gaveUpAt: z
      .optional(z.string())
      .check(z.describe('Set when the replays gave up: someone has to act on it')),
  }),
);

export function unprocessedRoutes(deps: UnprocessedApiDependencies): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/inbound/unprocessed',
      summary:
        'Messages to a centre that failed and are not processed yet (replayed by the tick, with backoff)',
      query: z.object({ centre: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id')) }),
      response: {
        contentType: 'application/json',
        schema: z.object({ messages: z.array(unprocessedView) }),
        description: 'Oldest first',
      },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const messages = await deps.unprocessed.listForCentre(query.centre);
        return json(200, {
          messages: messages.map((m) => ({
            channel: m.channel,
            from: m.from,
            text: m.body,
            receivedAt: m.receivedAt,
            reason: m.reason,
            attempts: m.attempts,
            ...(m.nextAttemptAt === undefined ? {} : { nextAttemptAt: m.nextAttemptAt }),
            ...(m.gaveUpAt === undefined ? {} : { gaveUpAt: m.gaveUpAt }),
          })),
        });
      },
    }),
  ];
}
