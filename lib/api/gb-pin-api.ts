// Setting a coordinator's GB PIN: the second factor a GB by text must carry (lib/broadcasts/gb-pin.ts).
// Setting it again also unlocks GB after wrong PINs. The PIN is hashed at once and never logged or
// returned.
import type { Caller } from '#lib/api/auth.ts';
import { decodeRef } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { hashPin } from '#lib/broadcasts/gb-pin.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { GbPinRepository } from '#lib/store/broadcasts/gb-pin-repository.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import * as z from '#lib/zod.ts';

export interface GbPinApiDependencies {
  gbPins: Pick<GbPinRepository, 'set'>;
  roster: Pick<RosterRepository, 'getContact'>;
  clock: Clock;
  logger: Logger;
}

export const gbPinBody = z.lazy(() =>
  z.strictObject({
    pin: z
      .string()
      .check(z.maxLength(16), z.describe('4 to 8 digits; not one digit repeated, not a run such as 1234')),
  }),
);

const gbPinSet = z.lazy(() => z.object({ id: z.string(), setAt: z.string(), locked: z.literal(false) }));

export function gbPinRoutes(deps: GbPinApiDependencies): Route[] {
  const coordinator = async (caller: Caller, ref: string) => {
    const { centreId, id } = decodeRef(ref, ['contact'], caller);
    const c = await deps.roster.getContact(id);
    if (!c || c.centreId !== centreId) throw new NotFoundError('no such contact');
    if (c.role !== 'coordinator') throw new ValidationError('only a coordinator has a GB PIN');
    return c;
  };
  return [
    route({
      method: 'POST',
      path: '/api/contacts/{id}/gb-pin',
      summary: "Set a coordinator's GB PIN (the second factor of a broadcast by text); also unlocks GB",
      pathParams: { id: 'The opaque id of the coordinator (a contact)' },
      body: gbPinBody,
      response: { contentType: 'application/json', schema: gbPinSet, description: 'The PIN is set' },
      handle: async ({ caller, params, body }) => {
        const c = await coordinator(caller, params.id ?? '');
        const hashed = await hashPin(body.pin);
        const at = deps.clock.now();
        await deps.gbPins.set(c.contactId, c.centreId, hashed, caller.subject, at);
        deps.logger.info('GB PIN set', { centreId: c.centreId, contactId: c.contactId, by: caller.subject });
        return json(200, { id: params.id ?? '', setAt: at.toISOString(), locked: false });
      },
    }),
  ];
}
