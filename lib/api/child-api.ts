// A child's weekly check-ins for the console's child page (儿童): the final answers per week, oldest
// first; with `history=1` also every run that answered it (who, when, a correction or not) and every
// free-text message for the Centre, none dropped by a later run. Scoped like every route: a child of
// a family outside the caller's centres is "not found" (404).
import { type CoordinatorApiDependencies, encodeRef, requireCentre } from '#lib/api/coordinator-api.ts';
import { json, type Route, route } from '#lib/api/router.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';
import { NotFoundError } from '#lib/errors.ts';
import type { CheckinHistoryEntry, CheckinRecord } from '#lib/store/conversation/checkin-repository.ts';
import * as z from '#lib/zod.ts';

const answerValue = z.lazy(() => z.union([z.number(), z.string(), z.boolean()]));
const who = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('The contact (opaque, as in the roster routes)')),
    name: z.optional(z.string()).check(z.describe('Absent when the contact has been erased since')),
  }),
);
const runView = z.lazy(() =>
  z.object({
    run: z
      .optional(z.string())
      .check(z.describe('The run: when its conversation started (absent for old records)')),
    by: who,
    correction: z
      .boolean()
      .check(z.describe('A later run that corrected the answers (1 after a second 签到)')),
    answers: z.array(
      z.object({
        item: z.string(),
        status: z.string().check(z.describe('answered, skipped …')),
        value: z.optional(answerValue),
        raw: z.string().check(z.describe('What the carer typed')),
        answeredAt: z.string(),
      }),
    ),
  }),
);
const messageView = z.lazy(() =>
  z.object({
    text: z.string(),
    at: z.string(),
    by: who,
    run: z.optional(z.string()),
  }),
);

const childCheckinsView = z.lazy(() =>
  z.object({
    childId: z.string(),
    name: z.string(),
    checkins: z.array(
      z.object({
        week: z.string(),
        status: z.enum(['in-progress', 'completed', 'missed']),
        completedAt: z.optional(z.string()),
        answers: z
          .record(z.string(), answerValue)
          .check(
            z.describe(
              'Item id → the final answer (attendance, mood, school, health, parent-contact, message)',
            ),
          ),
        correctedAt: z.optional(z.string()).check(z.describe('When a later run last changed the answers')),
        runs: z
          .optional(z.array(runView))
          .check(z.describe('history=1: every run, oldest first, with all its answers')),
        messages: z
          .optional(z.array(messageView))
          .check(z.describe('history=1: every free-text message for the Centre, of every run, oldest first')),
      }),
    ),
  }),
);

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
          .check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id'), z.describe('The centre of the child')),
        history: z
          .pipe(
            z._default(z.enum(['0', '1', 'false', 'true']), '0'),
            z.transform((v) => v === '1' || v === 'true'),
          )
          .check(z.describe('1: also every run (who, when, which) and every free-text message')),
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
        const names = query.history ? await contactNames(deps, checkins) : new Map<string, string>();
        const by = (contactId: string) => {
          const name = names.get(contactId);
          return {
            id: encodeRef('contact', query.centre, contactId),
            ...(name === undefined ? {} : { name }),
          };
        };
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
            ...(c.correctedAt ? { correctedAt: c.correctedAt } : {}),
            ...(query.history ? { runs: runsOf(c.history, by), messages: messagesOf(c.history, by) } : {}),
          })),
        } satisfies z.input<typeof childCheckinsView>);
      },
    }),
  ];
}

type Who = z.input<typeof who>;

/** The names of everyone who answered (a contact erased since has none). */
async function contactNames(
  deps: Pick<CoordinatorApiDependencies, 'roster'>,
  checkins: CheckinRecord[],
): Promise<Map<string, string>> {
  const ids = [...new Set(checkins.flatMap((c) => c.history.map((h) => h.by)))];
  const contacts = await Promise.all(ids.map((id) => deps.roster.getContact(id)));
  return new Map(contacts.flatMap((c) => (c ? [[c.contactId, c.name] as const] : [])));
}

/** The history in runs, in the order they answered (entries of one run are consecutive). */
function runsOf(history: CheckinHistoryEntry[], by: (id: string) => Who): z.input<typeof runView>[] {
  type Run = z.input<typeof runView> & { key: string };
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const h of history) {
    const key = `${h.run ?? ''}\u0000${h.by}`;
    if (current?.key !== key) {
      current = {
        key,
        ...(h.run === undefined ? {} : { run: h.run }),
        by: by(h.by),
        correction: h.correction === true,
        answers: [],
      };
      runs.push(current);
    }
    current.answers.push({
      item: h.itemId,
      status: h.status,
      ...(h.value === undefined ? {} : { value: h.value }),
      raw: h.raw,
      answeredAt: h.answeredAt,
    });
  }
  return runs.map(({ key: _, ...run }) => run);
}

/** Every free text for the Centre, in every run. */
function messagesOf(history: CheckinHistoryEntry[], by: (id: string) => Who): z.input<typeof messageView>[] {
  return history
    .filter((h) => h.itemId === WEEKLY_CHECKIN_ITEMS.message && h.status === 'answered')
    .map((h) => ({
      text: typeof h.value === 'string' ? h.value : h.raw,
      at: h.answeredAt,
      by: by(h.by),
      ...(h.run === undefined ? {} : { run: h.run }),
    }));
}
