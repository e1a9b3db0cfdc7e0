// Coordinators' accounts in the coordinators' API: a centre admin (the `centre-admin` group) lists the
// coordinators of their centres, invites one by e-mail or phone, and gives or takes away centres. An
// admin only ever sees and assigns the centres they hold themselves: the other centres of a colleague
// are neither shown nor touched. Inviting the same person twice sends one invitation.
import type { Caller } from '#lib/api/auth.ts';
import { json, RequestValidationError, type Route, route } from '#lib/api/router.ts';
import { mobilePhone } from '#lib/api/schemas.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { maskPhone } from '#lib/observability/mask.ts';
import type { CoordinatorAccount, CoordinatorDirectory } from '#lib/ports/coordinator-directory.ts';
import * as z from '#lib/zod.ts';

export interface CoordinatorsApiDependencies {
  coordinators: CoordinatorDirectory;
  logger: Logger;
}

const centreId = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -')),
);
const centres = z.lazy(() =>
  z
    .pipe(
      z.array(centreId).check(z.maxLength(50)),
      z.transform((list: string[]) => [...new Set(list)]),
    )
    .check(z.describe('Centre ids, each one of the centres in your own token')),
);

export const inviteBody = z.lazy(() =>
  z
    .strictObject({
      name: z
        .string()
        .check(
          z.trim(),
          z.minLength(1),
          z.maxLength(64),
          z.describe('Shown in the console and in the invitation'),
        ),
      email: z
        .optional(z.email().check(z.maxLength(254)))
        .check(z.describe('Where the invitation goes (preferred)')),
      phone: z
        .optional(mobilePhone)
        .check(z.describe('A mobile number, E.164 or as typed in China; texted when no e-mail')),
      centres: centres.check(z.refine((c) => c.length > 0, 'at least one centre')),
    })
    .check(
      z.refine((b) => b.email !== undefined || b.phone !== undefined, {
        message: 'an e-mail or a phone number',
        path: ['email'],
      }),
    ),
);
const centresBody = z.lazy(() => z.strictObject({ centres }));

const coordinatorView = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    centres: z.array(z.string()).check(z.describe('Their centres among yours')),
    otherCentres: z.int().check(z.describe('How many centres they hold that you do not (not named)')),
    admin: z.boolean(),
    status: z.enum(['invited', 'active']).check(z.describe('invited: not signed in yet')),
  }),
);
const coordinatorList = z.lazy(() => z.object({ coordinators: z.array(coordinatorView) }));
const invited = z.lazy(() =>
  z.object({
    coordinator: coordinatorView,
    created: z.boolean().check(z.describe('false: this person already had an account; no second invitation')),
  }),
);

function requireAdmin(caller: Caller): void {
  if (!caller.admin) throw new ForbiddenError('only a centre admin manages coordinators');
}

function requireHeld(caller: Caller, wanted: readonly string[]): void {
  const foreign = wanted.filter((c) => !caller.centres.has(c));
  if (foreign.length > 0) throw new ForbiddenError(`not one of your centres: ${foreign.join(', ')}`);
}

export function viewOf(account: CoordinatorAccount, caller: Caller): z.input<typeof coordinatorView> {
  const mine = account.centres.filter((c) => caller.centres.has(c));
  return {
    id: account.id,
    name: account.name,
    ...(account.email ? { email: account.email } : {}),
    ...(account.phone ? { phone: account.phone } : {}),
    centres: mine,
    otherCentres: account.centres.length - mine.length,
    admin: account.admin,
    status: account.status,
  };
}

export function coordinatorsRoutes(deps: CoordinatorsApiDependencies): Route[] {
  const { coordinators, logger } = deps;
  return [
    route({
      method: 'GET',
      path: '/api/coordinators',
      summary: 'The coordinators of your centres (centre admins only)',
      response: { contentType: 'application/json', schema: coordinatorList, description: 'The coordinators' },
      handle: async ({ caller }) => {
        requireAdmin(caller);
        const accounts = await coordinators.listForCentres(caller.centres);
        return json(200, { coordinators: accounts.map((a) => viewOf(a, caller)) });
      },
    }),
    route({
      method: 'POST',
      path: '/api/coordinators',
      summary:
        'Invite a coordinator to centres you hold (centre admins only); inviting the same e-mail or phone again sends nothing',
      body: inviteBody,
      response: { contentType: 'application/json', schema: invited, description: 'The account' },
      handle: async ({ caller, body }) => {
        requireAdmin(caller);
        requireHeld(caller, body.centres);
        const contact = { email: body.email?.toLowerCase(), phone: body.phone };
        const existing = await coordinators.findByContact(contact);
        if (existing) {
          // Someone else's coordinator: say so, without naming anything of theirs.
          if (!existing.centres.some((c) => caller.centres.has(c)))
            throw new ConflictError(
              'this person already has an account; an admin of their centre can add yours',
            );
          return json(200, { coordinator: viewOf(existing, caller), created: false });
        }
        const account = await coordinators.invite({
          name: body.name,
          ...(contact.email ? { email: contact.email } : {}),
          ...(contact.phone ? { phone: contact.phone } : {}),
          centres: body.centres,
        });
        logger.info('coordinator invited', {
          by: caller.subject,
          centres: body.centres,
          via: contact.email ? 'email' : `sms ${maskPhone(contact.phone ?? '')}`,
        });
        return json(201, { coordinator: viewOf(account, caller), created: true });
      },
    }),
    route({
      method: 'POST',
      path: '/api/coordinators/{id}/centres',
      summary:
        'Set which of your centres a coordinator holds (centre admins only); their other centres stay as they are',
      pathParams: { id: 'The coordinator id from the list' },
      body: centresBody,
      response: { contentType: 'application/json', schema: coordinatorView, description: 'The coordinator' },
      handle: async ({ caller, params, body }) => {
        requireAdmin(caller);
        requireHeld(caller, body.centres);
        const id = params.id ?? '';
        const before = await coordinators.get(id);
        if (!before?.centres.some((c) => caller.centres.has(c)))
          throw new NotFoundError('not a coordinator of the caller centres');
        const next = [...before.centres.filter((c) => !caller.centres.has(c)), ...body.centres];
        if (next.length === 0)
          throw new RequestValidationError([
            { field: 'body.centres', message: 'a coordinator keeps at least one centre' },
          ]);
        const after = await coordinators.setCentres(id, next);
        if (!after) throw new NotFoundError('no such coordinator');
        logger.info('coordinator centres set', { by: caller.subject, centres: body.centres });
        return json(200, viewOf(after, caller));
      },
    }),
  ];
}
