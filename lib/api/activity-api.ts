// A centre's calendar in the coordinators' API: activities (what the parents' weekly update lists)
// and pause weeks (Spring Festival, harvest: the weekly rhythm rests). Posting is idempotent: the
// console names each new activity itself, so a form sent twice writes one activity.
import { requireCentre } from '#lib/api/coordinator-api.ts';
import { json, RequestValidationError, type Route, route } from '#lib/api/router.ts';
import { isIsoWeek, weeksBetween } from '#lib/domain/checkin-results.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { addWeeks } from '#lib/domain/weekly-schedule.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import * as z from '#lib/zod.ts';

export interface ActivityApiDependencies {
  calendar: CentreCalendarRepository;
  clock: Clock;
  logger: Logger;
}

/** The longest span one listing covers (half a year). */
export const MAX_CALENDAR_WEEKS = 26;

const centre = z.lazy(() =>
  z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -'),
      z.describe('One of the centres in your token'),
    ),
);
const week = z.lazy(() => z.string().check(z.refine(isIsoWeek, 'an ISO week, e.g. 2026-W49')));
const date = z.lazy(() => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date: YYYY-MM-DD')));
const activityId = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'an id: 1-64 letters, digits, . _ -')),
);

const calendarQuery = z.lazy(() =>
  z.object({
    centre,
    from: z.optional(week).check(z.describe('First ISO week (default: this week)')),
    to: z.optional(week).check(z.describe('Last ISO week (default: 7 weeks after from)')),
  }),
);
const activityBody = z.lazy(() =>
  z.strictObject({
    centre,
    id: z.optional(activityId).check(z.describe('Name it yourself to make a repeated post change nothing')),
    title: z
      .string()
      .check(
        z.trim(),
        z.minLength(1),
        z.maxLength(20),
        z.describe('Said whole in the parents’ update: keep it short'),
      ),
    date,
    text: z._default(z.string().check(z.trim(), z.maxLength(200)), ''),
  }),
);
const activityRemoveBody = z.lazy(() => z.strictObject({ centre, date, id: activityId }));
const pauseBody = z.lazy(() =>
  z.strictObject({
    centre,
    week,
    reason: z._default(z.string().check(z.trim(), z.maxLength(64)), '').check(z.describe('春节, 秋收 …')),
  }),
);
const resumeBody = z.lazy(() => z.strictObject({ centre, week }));

const activityView = z.lazy(() =>
  z.object({ id: z.string(), title: z.string(), date: z.string(), text: z.string() }),
);
const pauseView = z.lazy(() => z.object({ week: z.string(), reason: z.string() }));
const calendarView = z.lazy(() =>
  z.object({
    centreId: z.string(),
    from: z.string(),
    to: z.string(),
    activities: z.array(activityView),
    pauseWeeks: z.array(pauseView).check(z.describe('Every pause week of the centre, past and future')),
  }),
);

export function activityRoutes(deps: ActivityApiDependencies): Route[] {
  const { calendar, clock, logger } = deps;
  return [
    route({
      method: 'GET',
      path: '/api/activities',
      summary: "A centre's activities in a span of weeks, and its pause weeks",
      query: calendarQuery,
      response: { contentType: 'application/json', schema: calendarView, description: 'The calendar' },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const from = query.from ?? isoWeekOf(clock.now());
        const to = query.to ?? addWeeks(from, 7);
        if (to < from) throw new RequestValidationError([{ field: 'query.to', message: 'before from' }]);
        const weeks = weeksBetween(from, to);
        if (weeks.length > MAX_CALENDAR_WEEKS)
          throw new RequestValidationError([
            { field: 'query.to', message: `at most ${MAX_CALENDAR_WEEKS} weeks` },
          ]);
        const [perWeek, pauses] = await Promise.all([
          Promise.all(weeks.map((w) => calendar.activitiesOfWeek(query.centre, w))),
          calendar.listPauseWeeks(query.centre),
        ]);
        return json(200, {
          centreId: query.centre,
          from,
          to,
          activities: perWeek
            .flat()
            .map((a) => ({ id: a.activityId, title: a.title, date: a.date, text: a.text })),
          pauseWeeks: pauses.map((p) => ({ week: p.week, reason: p.reason })),
        } satisfies z.input<typeof calendarView>);
      },
    }),
    route({
      method: 'POST',
      path: '/api/activities',
      summary: 'Post an activity (the parents’ update of its week lists it)',
      body: activityBody,
      response: { contentType: 'application/json', schema: activityView, description: 'The activity' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.centre);
        const a = await calendar.postActivity(
          {
            centreId: body.centre,
            title: body.title,
            date: body.date,
            text: body.text,
            ...(body.id ? { activityId: body.id } : {}),
          },
          clock.now(),
        );
        logger.info('activity posted', { centreId: body.centre, date: a.date, by: caller.subject });
        return json(201, { id: a.activityId, title: a.title, date: a.date, text: a.text });
      },
    }),
    route({
      method: 'POST',
      path: '/api/activities/remove',
      summary: 'Remove an activity (removing one that is gone changes nothing)',
      body: activityRemoveBody,
      response: { contentType: 'application/json', description: 'Removed' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.centre);
        await calendar.removeActivity(body.centre, body.date, body.id);
        logger.info('activity removed', { centreId: body.centre, by: caller.subject });
        return json(200, { removed: true });
      },
    }),
    route({
      method: 'POST',
      path: '/api/pause-weeks',
      summary: 'Pause a week: no check-in invitations, reminders or parents’ updates that week',
      body: pauseBody,
      response: { contentType: 'application/json', schema: pauseView, description: 'The pause week' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.centre);
        const p = await calendar.pauseWeek(
          { centreId: body.centre, week: body.week, reason: body.reason },
          clock.now(),
        );
        logger.info('week paused', { centreId: body.centre, week: p.week, by: caller.subject });
        return json(200, { week: p.week, reason: p.reason });
      },
    }),
    route({
      method: 'POST',
      path: '/api/pause-weeks/resume',
      summary: 'Take a pause week back: the weekly rhythm runs that week again',
      body: resumeBody,
      response: { contentType: 'application/json', description: 'Resumed' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.centre);
        await calendar.resumeWeek(body.centre, body.week);
        logger.info('week resumed', { centreId: body.centre, week: body.week, by: caller.subject });
        return json(200, { week: body.week, paused: false });
      },
    }),
  ];
}
