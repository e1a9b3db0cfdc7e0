// `npm start` only: the Centre's side of linking, for the demo. POST /dev/wechat/link-code?contact=<id>
// issues a one-time code, as the coordinators' console will (`npm run link-code -- <contactId>`).
import { formatLinkCode } from '#lib/domain/link-code.ts';
import type { DevRoute } from '#lib/local/local-server.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export const LINK_CODE_PATH = '/dev/wechat/link-code';

export function linkCodeRoute(deps: {
  codes: LinkCodeRepository;
  roster: Pick<RosterRepository, 'getContact'>;
  clock: Clock;
}): DevRoute {
  return {
    method: 'POST',
    path: LINK_CODE_PATH,
    description: 'issue a WeChat link code: ?contact=contact-li-nainai',
    async handle(url) {
      const contactId = url.searchParams.get('contact') ?? '';
      const contact = await deps.roster.getContact(contactId);
      if (!contact) return { status: 404, json: { error: `no contact ${contactId || '(none given)'}` } };
      const issued = await deps.codes.issue(contactId, deps.clock.now());
      return {
        status: 200,
        json: {
          contactId,
          name: contact.name,
          code: issued.code,
          printed: formatLinkCode(issued.code),
          expiresAt: issued.expiresAt.toISOString(),
        },
      };
    },
  };
}
