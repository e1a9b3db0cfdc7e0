// `npm start` only: the console's sign-in page. In AWS, Cognito's managed login signs coordinators in;
// locally, GET /dev/sign-in lists the coordinators of the local centres and POST /dev/sign-in?contact=…
// signs the same kind of token the local API verifies (subject, `custom:centres`, 12 hours).
import { issueLocalToken } from '#lib/api/auth.ts';
import type { DevRoute } from '#lib/local/local-server.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export const SIGN_IN_PATH = '/dev/sign-in';

interface Deps {
  roster: Pick<RosterRepository, 'listCentreContacts' | 'getContact' | 'getCentre'>;
  /** The centres whose coordinators may sign in locally. */
  centreIds: readonly string[];
  signingKey: Uint8Array;
}

async function coordinators(deps: Deps) {
  const found = [];
  for (const centreId of deps.centreIds) {
    const centre = await deps.roster.getCentre(centreId);
    for (const link of await deps.roster.listCentreContacts(centreId, 'coordinator')) {
      const contact = await deps.roster.getContact(link.contactId);
      if (contact)
        found.push({
          id: contact.contactId,
          name: contact.name,
          centreId,
          centreName: centre?.name ?? centreId,
        });
    }
  }
  return found;
}

export function signInRoutes(deps: Deps): DevRoute[] {
  return [
    {
      method: 'GET',
      path: SIGN_IN_PATH,
      description: "the local coordinators the console's sign-in page lists",
      async handle() {
        return { status: 200, json: { coordinators: await coordinators(deps) } };
      },
    },
    {
      method: 'POST',
      path: SIGN_IN_PATH,
      description: 'sign in as a local coordinator: ?contact=contact-wang-laoshi (a local API token)',
      async handle(url) {
        const wanted = url.searchParams.get('contact') ?? '';
        // A coordinator works for every local centre they are listed in.
        const listed = (await coordinators(deps)).filter((c) => c.id === wanted);
        const coordinator = listed[0];
        if (!coordinator) return { status: 404, json: { error: 'no such local coordinator' } };
        const centres = listed.map((c) => c.centreId);
        const token = await issueLocalToken(deps.signingKey, { subject: coordinator.id, centres });
        return { status: 200, json: { token, name: coordinator.name, centres } };
      },
    },
  ];
}
