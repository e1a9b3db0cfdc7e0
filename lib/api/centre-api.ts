// The Centres part of the coordinators' API. Which Centres a coordinator works for is decided by an
// administrator (the token's `custom:centres`); within those, the coordinator keeps the Centre's own
// record (its name and village as messages say them, and the phone the help texts give). A Centre not
// in the token is "not found" (404), whether it exists or not.
import { requireCentre } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { ConflictError, NotFoundError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { Centre } from '#lib/store/roster/roster-types.ts';
import * as z from '#lib/zod.ts';

export interface CentreApiDependencies {
  roster: Pick<RosterRepository, 'getCentre' | 'putCentre'>;
  logger: Logger;
}

const centreId = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -')),
);
/** Built with the schemas that spread them (on first use). */
const fields = () => ({
  name: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(64), z.describe('As messages name it, e.g. 石门村儿童之家')),
  village: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  phone: z
    .string()
    .check(z.trim(), z.minLength(3), z.maxLength(32), z.describe('Given in help texts; a landline is fine')),
});
const centreCreateBody = z.lazy(() =>
  z.strictObject({ id: centreId.check(z.describe('One of the centres in your token')), ...fields() }),
);
const centreUpdateBody = z.lazy(() =>
  z.partial(
    z.strictObject({
      ...fields(),
      version: z
        .int()
        .check(
          z.gte(0),
          z.describe('The version you read: the update is refused with 409 if the centre changed since'),
        ),
    }),
  ),
);
const centreView = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    village: z.string(),
    phone: z.string(),
    version: z.int(),
  }),
);

const view = (c: Centre): z.input<typeof centreView> => ({
  id: c.centreId,
  name: c.name,
  village: c.village,
  phone: c.phone,
  version: c.version ?? 0,
});

export function centreRoutes(deps: CentreApiDependencies): Route[] {
  const { roster, logger } = deps;
  return [
    route({
      method: 'GET',
      path: '/api/centres',
      summary: 'The centres in your token that have a record (those without one: create it)',
      response: {
        contentType: 'application/json',
        schema: z.object({ centres: z.array(centreView), missing: z.array(z.string()) }),
        description: 'The centres',
      },
      handle: async ({ caller }) => {
        const ids = [...caller.centres].sort();
        const found = await Promise.all(ids.map((id) => roster.getCentre(id)));
        return json(200, {
          centres: found.flatMap((c) => (c ? [view(c)] : [])),
          missing: ids.filter((_, i) => found[i] === undefined),
        });
      },
    }),
    route({
      method: 'POST',
      path: '/api/centres',
      summary: 'Create the record of a centre in your token (409 if it exists: update it instead)',
      body: centreCreateBody,
      response: { contentType: 'application/json', schema: centreView, description: 'The centre' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.id);
        if (await roster.getCentre(body.id)) throw new ConflictError('the centre exists already');
        const c = await roster.putCentre({
          centreId: body.id,
          name: body.name,
          village: body.village,
          phone: body.phone,
        });
        logger.info('centre created', { centreId: c.centreId, by: caller.subject });
        return json(201, view(c));
      },
    }),
    route({
      method: 'POST',
      path: '/api/centres/{id}',
      summary: "Update a centre's name, village or phone (its contacts' messages use them from now on)",
      pathParams: { id: 'The centre id' },
      body: centreUpdateBody,
      response: { contentType: 'application/json', schema: centreView, description: 'The centre' },
      handle: async ({ caller, params, body }) => {
        const id = params.id ?? '';
        requireCentre(caller, id);
        const existing = await roster.getCentre(id);
        if (!existing) throw new NotFoundError('no record of this centre yet');
        const c = await roster.putCentre({ ...existing, ...body });
        logger.info('centre updated', { centreId: c.centreId, by: caller.subject });
        return json(200, view(c));
      },
    }),
  ];
}
