// `npm start` only: the console's sign-in page. In AWS, Cognito's managed login signs coordinators in;
// locally, GET /dev/sign-in lists the accounts of the local user store (the table, standing in for the
// user pool) and POST /dev/sign-in?contact=… signs the same kind of token the local API verifies
// (subject, `custom:centres`, `cognito:groups`, 12 hours). GET /config.json tells the console which.
import { issueLocalToken } from '#lib/api/auth.ts';
import { CENTRE_ADMIN_GROUP } from '#lib/config/api.ts';
import type { DevRoute } from '#lib/local/local-server.ts';
import type { LocalCoordinatorDirectory } from '#lib/store/accounts/local-coordinator-directory.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export const SIGN_IN_PATH = '/dev/sign-in';
/** The console's runtime configuration; in AWS the deployment writes this file next to the app. */
export const RUNTIME_CONFIG_PATH = '/config.json';

interface Deps {
  accounts: Pick<LocalCoordinatorDirectory, 'listAll' | 'get' | 'put'>;
  roster: Pick<RosterRepository, 'getCentre'>;
  signingKey: Uint8Array;
}

/**
 * The roster's coordinators of the local centres as local accounts (each a centre admin of every
 * local centre they are listed in), unless they exist already: run at every start, `--data` keeps
 * what was invited or changed.
 */
export async function seedLocalAccounts(
  roster: Pick<RosterRepository, 'listCentreContacts' | 'getContact'>,
  accounts: Pick<LocalCoordinatorDirectory, 'ensure'>,
  centreIds: readonly string[],
): Promise<void> {
  const found = new Map<string, { name: string; phone?: string; centres: string[] }>();
  for (const centreId of centreIds) {
    for (const link of await roster.listCentreContacts(centreId, 'coordinator')) {
      const contact = await roster.getContact(link.contactId);
      if (!contact) continue;
      const phone = contact.addresses.find((a) => a.channel === 'sms')?.address;
      const entry = found.get(contact.contactId) ?? {
        name: contact.name,
        ...(phone ? { phone } : {}),
        centres: [],
      };
      entry.centres.push(centreId);
      found.set(contact.contactId, entry);
    }
  }
  for (const [id, entry] of found) {
    await accounts.ensure({ id, ...entry, admin: true, status: 'active' });
  }
}

export function signInRoutes(deps: Deps): DevRoute[] {
  return [
    {
      method: 'GET',
      path: RUNTIME_CONFIG_PATH,
      description: "the console's runtime configuration (local sign-in)",
      async handle() {
        return { status: 200, json: { auth: 'local' } };
      },
    },
    {
      method: 'GET',
      path: SIGN_IN_PATH,
      description: "the local coordinators the console's sign-in page lists",
      async handle() {
        const listed = [];
        for (const account of await deps.accounts.listAll()) {
          const first = account.centres[0];
          const centre = first ? await deps.roster.getCentre(first) : undefined;
          listed.push({
            id: account.id,
            name: account.name,
            centreName: centre?.name ?? first ?? '',
            admin: account.admin,
          });
        }
        return { status: 200, json: { coordinators: listed } };
      },
    },
    {
      method: 'POST',
      path: SIGN_IN_PATH,
      description: 'sign in as a local coordinator: ?contact=contact-wang-laoshi (a local API token)',
      async handle(url) {
        const account = await deps.accounts.get(url.searchParams.get('contact') ?? '');
        if (!account || account.centres.length === 0)
          return { status: 404, json: { error: 'no such local coordinator' } };
        // The first sign-in accepts the invitation, as in Cognito.
        if (account.status === 'invited') await deps.accounts.put({ ...account, status: 'active' });
        const token = await issueLocalToken(deps.signingKey, {
          subject: account.id,
          centres: account.centres,
          groups: account.admin ? [CENTRE_ADMIN_GROUP] : [],
        });
        return {
          status: 200,
          json: { token, name: account.name, centres: account.centres, admin: account.admin },
        };
      },
    },
  ];
}
