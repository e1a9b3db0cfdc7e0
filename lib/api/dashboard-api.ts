// The console's 本周 page in one request: this week's figures of a centre (invitations, completed
// check-ins, response rate per category, overdue contacts, open alerts) and the week-by-week series
// its charts draw, computed from the same rows as the CSV export and the summary.
import { type CoordinatorApiDependencies, results } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { summaryView } from '#lib/api/schemas.ts';
import { summarise } from '#lib/domain/checkin-results.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import * as z from '#lib/zod.ts';

/** The charts' span: a quarter, enough to see a trend, small enough for a phone screen. */
export const DASHBOARD_WEEKS = 12;
const WEEK_MS = 7 * 24 * 3_600_000;

export const dashboardQuery = z.lazy(() =>
  z.object({
    centre: z
      .string()
      .check(
        z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -'),
        z.describe('One of the centres in your token'),
      ),
  }),
);

export const dashboardView = z.lazy(() =>
  z.object({
    centreId: z.string(),
    week: z.string().check(z.describe('This ISO week (Asia/Shanghai)')),
    thisWeek: z.object({
      children: z.int(),
      invited: z.int().check(z.describe('Children whose check-in was sent this week')),
      completed: z.int(),
      responseRate: z.nullable(z.number()),
    }),
    openAlerts: z.int(),
    overdueContacts: z
      .array(
        z.object({
          contactName: z.string(),
          childNames: z.array(z.string()),
          weeks: z.array(z.string()),
          optedOut: z.boolean(),
        }),
      )
      .check(z.describe('Carers with an open missed-check-ins task')),
    series: summaryView.def
      .getter()
      .shape.weeks.check(z.describe(`The last ${DASHBOARD_WEEKS} weeks, oldest first`)),
  }),
);

export function dashboardRoutes(deps: CoordinatorApiDependencies): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/dashboard',
      summary: `This week of a centre at a glance, and the last ${DASHBOARD_WEEKS} weeks' figures`,
      query: dashboardQuery,
      response: { contentType: 'application/json', schema: dashboardView, description: 'The figures' },
      handle: async ({ caller, query }) => {
        const now = deps.clock.now();
        const week = isoWeekOf(now);
        const from = isoWeekOf(new Date(now.getTime() - (DASHBOARD_WEEKS - 1) * WEEK_MS));
        const [{ rows, weeks }, alerts, tasks] = await Promise.all([
          results(deps, caller, { centre: query.centre, from, to: week }),
          deps.work.listAlerts(query.centre),
          deps.work.listTasks(query.centre),
        ]);
        const series = summarise(rows, weeks);
        const current = series.at(-1)?.centre;
        return json(200, {
          centreId: query.centre,
          week,
          thisWeek: {
            children: current?.children ?? 0,
            invited: current ? current.completed + current.missed + current.inProgress : 0,
            completed: current?.completed ?? 0,
            responseRate: current?.responseRate ?? null,
          },
          openAlerts: alerts.filter((a) => a.status === 'open').length,
          overdueContacts: tasks
            .filter((t) => t.status === 'open')
            .map((t) => ({
              contactName: t.contactName,
              childNames: t.childNames,
              weeks: t.weeks,
              optedOut: t.optedOut,
            })),
          series,
        } satisfies z.input<typeof dashboardView>);
      },
    }),
  ];
}
