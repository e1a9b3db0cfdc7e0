// A child's weekly check-ins for the console's child page (儿童): the timeline of answers and the
// carer's free-text messages, newest last. Scoped like every route: a child of a family outside the
// caller's centres is "not found" (404).
import * as z from 'zod';
import { type CoordinatorApiDependencies, requireCentre } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { NotFoundError } from '#lib/errors.ts';

const childCheckinsView = z.object({
  childId: z.string(),
  name: z.string(),
  checkins: z.array(
    z.object({
      week: z.string(),
      status: z.enum(['in-progress', 'completed', 'missed']),
      completedAt: z.string().optional(),
      answers: z
        .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
        .describe('Item id → the answer (attendance, mood, school, health, parent-contact, message)'),
    }),
  ),
});

export function childRoutes(deps: Pick<CoordinatorApiDependencies, 'roster' | 'checkins'>): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/children/{id}/checkins',
      summary: "A child's weekly check-ins with the answers, oldest first",
      pathParams: { id: 'The child id (from the family)' },
      query: z.object({
        centre: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id')
          .describe('The centre of the child'),
      }),
      response: {
        contentType: 'application/json',
        schema: childCheckinsView,
        description: "The child's check-ins",
      },
      handle: async ({ caller, params, query }) => {
        requireCentre(caller, query.centre);
        const childId = params.id ?? '';
        const familyIds = await deps.roster.listCentreFamilyIds(query.centre);
        const families = await Promise.all(familyIds.map((id) => deps.roster.getFamily(id)));
        const child = families
          .filter((f) => f?.centreId === query.centre)
          .flatMap((f) => f?.children ?? [])
          .find((c) => c.childId === childId);
        if (!child) throw new NotFoundError('no such child in this centre');
        const checkins = (await deps.checkins.listCheckins(childId)).sort((a, b) =>
          a.week.localeCompare(b.week),
        );
        return json(200, {
          childId,
          name: child.name,
          checkins: checkins.map((c) => ({
            week: c.week,
            status: c.status,
            ...(c.completedAt ? { completedAt: c.completedAt } : {}),
            answers: Object.fromEntries(
              Object.entries(c.answers).flatMap(([item, a]) =>
                a.value === undefined ? [] : [[item, a.value]],
              ),
            ),
          })),
        } satisfies z.input<typeof childCheckinsView>);
      },
    }),
  ];
}
