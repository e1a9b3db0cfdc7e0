// WeChat link codes in the coordinators' API: the console prints a card per family with a one-time
// code; the carer or parent sends it to the official account, which links their WeChat to the contact.
import { decodeRef } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { formatLinkCode } from '#lib/domain/link-code.ts';
import { NotFoundError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import * as z from '#lib/zod.ts';

export interface LinkCodeApiDependencies {
  linkCodes: LinkCodeRepository;
  roster: RosterRepository;
  clock: Clock;
  logger: Logger;
}

const linkCodeView = z.lazy(() =>
  z.object({
    contactName: z.string(),
    code: z.string(),
    printed: z.string().check(z.describe('As printed on the card, in two groups')),
    expiresAt: z.string(),
  }),
);

export function linkCodeRoutes(deps: LinkCodeApiDependencies): Route[] {
  return [
    route({
      method: 'POST',
      path: '/api/contacts/{id}/link-code',
      summary: 'Issue a one-time WeChat link code for a carer or parent (each call a new code)',
      pathParams: { id: 'The opaque contact id from the list' },
      body: z.optional(z.strictObject({})),
      response: { contentType: 'application/json', schema: linkCodeView, description: 'The code' },
      handle: async ({ caller, params }) => {
        const { centreId, id } = decodeRef(params.id ?? '', ['contact'], caller);
        const contact = await deps.roster.getContact(id);
        if (!contact || contact.centreId !== centreId) throw new NotFoundError('no such contact');
        const issued = await deps.linkCodes.issue(id, deps.clock.now());
        deps.logger.info('link code issued', { centreId, by: caller.subject });
        return json(200, {
          contactName: contact.name,
          code: issued.code,
          printed: formatLinkCode(issued.code),
          expiresAt: issued.expiresAt.toISOString(),
        } satisfies z.input<typeof linkCodeView>);
      },
    }),
  ];
}
