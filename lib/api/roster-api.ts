// The roster part of the coordinators' API: families (with their children) and contacts, created,
// read, updated and erased on request (PIPL), and the CSV import. Scoped like every route: a family or
// contact of a centre the caller does not hold is "not found" (404).
import { randomUUID } from 'node:crypto';
import type { Caller } from '#lib/api/auth.ts';
import { decodeRef, encodeRef, requireCentre } from '#lib/api/coordinator-api.ts';
import { jobJson, jobView } from '#lib/api/job-api.ts';
import { json, RequestValidationError, type Route, route } from '#lib/api/router.ts';
import { mobilePhone } from '#lib/api/schemas.ts';
import {
  CHANNEL_NAMES,
  CHECKIN_FORMS,
  CHILD_CATEGORIES,
  CONTACT_ROLES,
  LANGUAGES,
} from '#lib/domain/model.ts';
import { ConflictError, NotFoundError, ValidationError, VersionConflictError } from '#lib/errors.ts';
import type { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import { importRosterCsv } from '#lib/roster/roster-import.ts';
import { retryOnVersionConflict } from '#lib/store/conditional-write.ts';
import type { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { Contact, ContactInput, Family } from '#lib/store/roster/roster-types.ts';
import * as z from '#lib/zod.ts';

export interface RosterApiDependencies {
  roster: RosterRepository;
  erasure: RosterErasure;
  /** Erasure on request, as a job (POST …/erase: 202). */
  erasureJobs: ErasureJobs;
  /** Steps of a new job run in the request that starts it; the scheduler tick does the rest. */
  inlineJobSteps: number;
  clock: Clock;
  logger: Logger;
}

/** The largest CSV file the import takes (about 10,000 rows). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

const centreId = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'a centre id: 1-64 letters, digits, . _ -')),
);
const ref = z.lazy(() =>
  z.string().check(z.minLength(1), z.maxLength(400), z.describe('An opaque id from the lists')),
);
const consent = z.lazy(() =>
  z
    .strictObject({
      attendance: z._default(z.boolean(), false),
      mood: z._default(z.boolean(), false),
      school: z._default(z.boolean(), false),
      health: z._default(z.boolean(), false),
    })
    .check(z.describe('What the family agreed may be shared with the parents; nothing until agreed')),
);
const childInput = z.lazy(() =>
  z.strictObject({
    id: z
      .optional(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/)))
      .check(z.describe("An existing child's id (keeps its history)")),
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(32), z.describe('The name the family uses')),
    birthYear: z.int().check(z.gte(1990), z.lte(2100)),
    category: z.enum(CHILD_CATEGORIES),
    consent: z.optional(consent),
  }),
);
const hhmm = z.lazy(() => z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')));

export const familyCreateBody = z.lazy(() =>
  z.strictObject({
    centre: centreId,
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
    children: z.array(childInput).check(z.maxLength(20)),
  }),
);
const version = z.lazy(() =>
  z
    .optional(z.int().check(z.gte(0)))
    .check(
      z.describe('The version you read (from the view): the update is refused with 409 if it changed since'),
    ),
);
export const familyUpdateBody = z.lazy(() =>
  z.strictObject({
    name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
    children: z.optional(z.array(childInput).check(z.maxLength(20))),
    version,
  }),
);
/** Built with the schemas that spread them (on first use). */
const contactFields = () => ({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  role: z.enum(CONTACT_ROLES),
  relationship: z.optional(z.string().check(z.maxLength(32))),
  language: z.enum(LANGUAGES),
  phones: z
    .array(mobilePhone)
    .check(
      z.minLength(1),
      z.maxLength(5),
      z.describe('SMS numbers, normalised to E.164 (default region CN)'),
    ),
  families: z.array(ref).check(z.maxLength(10), z.describe('Family ids (carers and parents)')),
  quietHours: z.optional(z.strictObject({ start: hhmm, end: hhmm })),
  checkinForm: z
    .optional(z.enum(CHECKIN_FORMS))
    .check(
      z.describe(
        "Carers: 'one-message' asks all numbered check-in items in one SMS, answered with a row of digits; 'steps' one question at a time. The carer can change it by texting 一条 / 逐条",
      ),
    ),
  checkinAt: z.optional(z.strictObject({ weekday: z.int().check(z.gte(1), z.lte(7)), time: hhmm })),
});
export const contactCreateBody = z.lazy(() =>
  z.strictObject({
    centre: centreId,
    ...contactFields(),
    families: z._default(contactFields().families, []),
  }),
);
export const contactUpdateBody = z.lazy(() => z.partial(z.strictObject({ ...contactFields(), version })));
const centreQuery = z.lazy(() => z.object({ centre: centreId }));
const flag = z.lazy(() =>
  z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((v) => v === 'true'),
  ),
);
export const importQuery = z.lazy(() => z.object({ centre: centreId, dryRun: flag, acceptValidRows: flag }));
const emptyBody = z.lazy(() => z.optional(z.strictObject({})));

const childView = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    birthYear: z.number(),
    category: z.enum(CHILD_CATEGORIES),
    consent: z.object({
      attendance: z.boolean(),
      mood: z.boolean(),
      school: z.boolean(),
      health: z.boolean(),
    }),
  }),
);
export const familyView = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('Opaque')),
    centreId: z.string(),
    name: z.string(),
    children: z.array(childView),
    contacts: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(CONTACT_ROLES) })),
    version: z.int().check(z.describe('Give it back with an update: 409 if the family changed meanwhile')),
  }),
);
export const contactView = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('Opaque')),
    centreId: z.string(),
    name: z.string(),
    role: z.enum(CONTACT_ROLES),
    relationship: z.optional(z.string()),
    language: z.enum(LANGUAGES),
    checkinForm: z.optional(z.enum(CHECKIN_FORMS)),
    optedOut: z
      .boolean()
      .check(z.describe('The person said stop (STOP/TD): only they can resume (START/恢复)')),
    optedOutAt: z.optional(z.string()),
    addresses: z.array(
      z.object({ channel: z.enum(CHANNEL_NAMES), address: z.string(), invalid: z.boolean() }),
    ),
    families: z.array(z.string()),
    version: z.int().check(z.describe('Give it back with an update: 409 if the contact changed meanwhile')),
  }),
);
export const importView = z.lazy(() =>
  z.object({
    fileError: z.optional(z.string()),
    lines: z.array(
      z.object({
        line: z.number(),
        status: z.enum(['valid', 'invalid']),
        reasons: z
          .array(z.string())
          .check(z.describe('Why the line is refused: the column and, for a conflict, both values')),
        result: z
          .optional(z.enum(['created', 'updated', 'unchanged']))
          .check(
            z.describe(
              'What the import does (a dry run: would do) with a valid line, compared with the roster; an invalid line is refused',
            ),
          ),
        changes: z
          .optional(z.array(z.string()))
          .check(z.describe('What is new or different, column by column')),
        notice: z
          .optional(z.string())
          .check(z.describe('Written, but not as the file says (a contact who said stop)')),
      }),
    ),
    summary: z
      .object({ created: z.number(), updated: z.number(), unchanged: z.number(), refused: z.number() })
      .check(z.describe('How many lines of each result')),
    valid: z.number(),
    invalid: z.number(),
    written: z.boolean(),
    families: z.number(),
    children: z.number(),
    contacts: z.number(),
    notices: z
      .array(z.object({ line: z.number(), notice: z.string() }))
      .check(z.describe('Lines written but not as the file says (a contact who said stop stays opted out)')),
  }),
);

const ID_PARAM = { id: 'The opaque id from the list' };

export function rosterRoutes(deps: RosterApiDependencies): Route[] {
  const { roster, logger } = deps;

  const family = async (caller: Caller, id: string) => {
    const { centreId, id: familyId } = decodeRef(id, ['family'], caller);
    const f = await roster.getFamily(familyId);
    if (!f || f.centreId !== centreId) throw new NotFoundError('no such family');
    return f;
  };
  const contact = async (caller: Caller, id: string) => {
    const { centreId, id: contactId } = decodeRef(id, ['contact'], caller);
    const c = await roster.getContact(contactId);
    if (!c || c.centreId !== centreId) throw new NotFoundError('no such contact');
    return c;
  };
  const familyJson = async (f: Family) => ({
    id: encodeRef('family', f.centreId, f.familyId),
    centreId: f.centreId,
    name: f.name,
    children: f.children.map((c) => ({
      id: c.childId,
      name: c.name,
      birthYear: c.birthYear,
      category: c.category,
      consent: c.consent,
    })),
    contacts: (await roster.listFamilyContacts(f.familyId)).map((m) => ({
      id: encodeRef('contact', f.centreId, m.contactId),
      name: m.name,
      role: m.role,
    })),
    version: f.version ?? 0,
  });
  const contactJson = (c: Contact): z.input<typeof contactView> => ({
    id: encodeRef('contact', c.centreId, c.contactId),
    centreId: c.centreId,
    name: c.name,
    role: c.role,
    ...(c.relationship === undefined ? {} : { relationship: c.relationship }),
    language: c.language,
    ...(c.checkinForm === undefined ? {} : { checkinForm: c.checkinForm }),
    optedOut: c.optedOut,
    ...(c.optedOutAt === undefined ? {} : { optedOutAt: c.optedOutAt }),
    addresses: c.addresses.map((a) => ({
      ...a,
      invalid: c.invalidAddressKeys.includes(`${a.channel}:${a.address}`),
    })),
    families: c.familyIds.map((f) => encodeRef('family', c.centreId, f)),
    version: c.version ?? 0,
  });
  const children = (input: z.output<typeof childInput>[], existing: Family | undefined) =>
    input.map((c, i) => {
      if (c.id && !existing?.children.some((e) => e.childId === c.id))
        throw new RequestValidationError([
          { field: `body.children.${i}.id`, message: 'not a child of this family' },
        ]);
      return {
        childId: c.id ?? `chd-${randomUUID()}`,
        name: c.name,
        birthYear: c.birthYear,
        category: c.category,
        // Unchanged unless given: an update that leaves consent out must not withdraw what was agreed.
        consent: c.consent ??
          existing?.children.find((e) => e.childId === c.id)?.consent ?? {
            attendance: false,
            mood: false,
            school: false,
            health: false,
          },
      };
    });
  const familyIds = (caller: Caller, centre: string, refs: string[]) =>
    refs.map((r) => {
      const { centreId, id } = decodeRef(r, ['family'], caller);
      if (centreId !== centre) throw new NotFoundError('family of another centre');
      return id;
    });
  // The job runs its first steps here (a small family is done by the answer); the tick does the rest.
  const startErasure = async (
    kind: 'erase-family' | 'erase-contact',
    centreId: string,
    id: string,
    by: string,
  ) => {
    const job = await deps.erasureJobs.start(kind, centreId, id, by);
    logger.info('erasure started', { centreId, kind, by });
    let now = job as Parameters<typeof jobJson>[0];
    try {
      now = (await deps.erasureJobs.run(centreId, job.jobId, deps.inlineJobSteps)) ?? job;
    } catch (error) {
      // Accepted all the same: the job is kept and the tick retries the step.
      logger.warn('erasure step failed; the tick retries it', { centreId, kind, error: error as Error });
      now = (await deps.erasureJobs.get(centreId, job.jobId)) ?? job;
    }
    return json(202, jobJson(now));
  };
  const writeContact = async (input: ContactInput) => {
    try {
      return await roster.putContact(input);
    } catch (error) {
      if (error instanceof ValidationError && /already belongs/.test(error.message))
        throw new ConflictError('a phone number already belongs to another contact');
      if (error instanceof ValidationError && /unknown family/.test(error.message))
        throw new NotFoundError('no such family');
      throw error;
    }
  };

  return [
    route({
      method: 'GET',
      path: '/api/families',
      summary: "A centre's families, with their children and contacts",
      query: centreQuery,
      response: {
        contentType: 'application/json',
        schema: z.object({ families: z.array(familyView) }),
        description: 'The families',
      },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const ids = await roster.listCentreFamilyIds(query.centre);
        const families = (await Promise.all(ids.map((id) => roster.getFamily(id)))).filter(
          (f): f is Family => f?.centreId === query.centre,
        );
        return json(200, { families: await Promise.all(families.map(familyJson)) });
      },
    }),
    route({
      method: 'POST',
      path: '/api/families',
      summary: 'Create a family with its children',
      body: familyCreateBody,
      response: { contentType: 'application/json', schema: familyView, description: 'The family' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.centre);
        const f = await roster.putFamily({
          familyId: `fam-${randomUUID()}`,
          centreId: body.centre,
          name: body.name,
          children: children(body.children, undefined),
        });
        logger.info('family created', { centreId: f.centreId, by: caller.subject });
        return json(201, await familyJson(f));
      },
    }),
    route({
      method: 'GET',
      path: '/api/families/{id}',
      summary: 'A family, with its children and contacts',
      pathParams: ID_PARAM,
      response: { contentType: 'application/json', schema: familyView, description: 'The family' },
      handle: async ({ caller, params }) =>
        json(200, await familyJson(await family(caller, params.id ?? ''))),
    }),
    route({
      method: 'POST',
      path: '/api/families/{id}',
      summary:
        'Update a family: its name, and its children (the whole list: a child left out is removed, with its check-ins, alerts and messages; audited)',
      pathParams: ID_PARAM,
      body: familyUpdateBody,
      response: { contentType: 'application/json', schema: familyView, description: 'The family' },
      handle: async ({ caller, params, body }) => {
        const existing = await family(caller, params.id ?? '');
        if (body.version !== undefined && body.version !== (existing.version ?? 0))
          throw new VersionConflictError('the family was changed meanwhile: read it again', {
            current: await familyJson(existing),
          });
        const next = body.children ? children(body.children, existing) : existing.children;
        // A child taken off the list leaves nothing behind: no orphaned check-ins, alerts or messages.
        // Their data goes first, then the list without them: if the erasure fails, the child is still
        // listed, so a retry finds it removed again and erases again (idempotent) before writing. The
        // other way round, a failed erasure would leave the data with no child to find it by (and no
        // audit). If the write fails instead, the child stays listed without its data: retried the same
        // way. What was written about the child while it was being erased (its carer answering
        // meanwhile, a task the tick raised) is swept once more after the write.
        const removed = existing.children
          .filter((c) => !next.some((n) => n.childId === c.childId))
          .map((c) => c.childId);
        await deps.erasure.eraseChildren(existing.centreId, removed, caller.subject, deps.clock.now());
        // Conditional on the version read above: a write in between is a 409, never overwritten.
        const f = await withCurrent(
          () => roster.putFamily({ ...existing, name: body.name ?? existing.name, children: next }),
          async () => familyJson(await family(caller, params.id ?? '')),
        );
        await deps.erasure.sweepRemovedChildren(existing.centreId, removed);
        logger.info('family updated', { centreId: f.centreId, by: caller.subject, removed: removed.length });
        return json(200, await familyJson(f));
      },
    }),
    route({
      method: 'POST',
      path: '/api/families/{id}/erase',
      summary:
        'Erase a family on request (PIPL), as a job (202): its children, their check-ins, alerts, messages, and its contacts in no other family',
      pathParams: ID_PARAM,
      body: emptyBody,
      response: {
        contentType: 'application/json',
        schema: jobView,
        description: 'Accepted (202): the erasure job; follow it at GET /api/jobs/{id}',
      },
      handle: async ({ caller, params }) => {
        const f = await family(caller, params.id ?? '');
        return startErasure('erase-family', f.centreId, f.familyId, caller.subject);
      },
    }),
    route({
      method: 'GET',
      path: '/api/contacts',
      summary: "A centre's contacts: carers, parents and coordinators",
      query: centreQuery,
      response: {
        contentType: 'application/json',
        schema: z.object({ contacts: z.array(contactView) }),
        description: 'The contacts',
      },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const links = await roster.listCentreContacts(query.centre);
        const contacts = (await Promise.all(links.map((l) => roster.getContact(l.contactId)))).filter(
          (c): c is Contact => c?.centreId === query.centre,
        );
        return json(200, { contacts: contacts.map(contactJson) });
      },
    }),
    route({
      method: 'POST',
      path: '/api/contacts',
      summary: 'Create a contact (409 if a number belongs to another contact)',
      body: contactCreateBody,
      response: { contentType: 'application/json', schema: contactView, description: 'The contact' },
      handle: async ({ caller, body }) => {
        requireCentre(caller, body.centre);
        const { centre, phones, families, ...rest } = body;
        const c = await writeContact({
          ...rest,
          contactId: `con-${randomUUID()}`,
          centreId: centre,
          addresses: [...new Set(phones)].map((address) => ({ channel: 'sms' as const, address })),
          familyIds: familyIds(caller, centre, families),
        });
        logger.info('contact created', { centreId: centre, by: caller.subject });
        return json(201, contactJson(c));
      },
    }),
    route({
      method: 'GET',
      path: '/api/contacts/{id}',
      summary: 'A contact',
      pathParams: ID_PARAM,
      response: { contentType: 'application/json', schema: contactView, description: 'The contact' },
      handle: async ({ caller, params }) => json(200, contactJson(await contact(caller, params.id ?? ''))),
    }),
    route({
      method: 'POST',
      path: '/api/contacts/{id}',
      summary: 'Update a contact (`phones` replaces the SMS numbers; linked WeChat accounts stay)',
      pathParams: ID_PARAM,
      body: contactUpdateBody,
      response: { contentType: 'application/json', schema: contactView, description: 'The contact' },
      handle: async ({ caller, params, body }) => {
        const { phones, families, version: given, ...rest } = body;
        // Without a version, the fields given are applied to a fresh read if someone wrote meanwhile;
        // with one, a write since is a 409. Either way the opt-out stays as the person left it.
        const update = async () => {
          const existing = await contact(caller, params.id ?? '');
          if (given !== undefined && given !== (existing.version ?? 0))
            throw new VersionConflictError('the contact was changed meanwhile: read it again', {
              current: contactJson(existing),
            });
          return writeContact({
            ...existing,
            ...rest,
            addresses: phones
              ? [
                  ...existing.addresses.filter((a) => a.channel !== 'sms'),
                  ...[...new Set(phones)].map((address) => ({ channel: 'sms' as const, address })),
                ]
              : existing.addresses,
            familyIds: families ? familyIds(caller, existing.centreId, families) : existing.familyIds,
          });
        };
        const c =
          given === undefined
            ? await retryOnVersionConflict(update)
            : await withCurrent(update, async () => contactJson(await contact(caller, params.id ?? '')));
        logger.info('contact updated', { centreId: c.centreId, by: caller.subject });
        return json(200, contactJson(c));
      },
    }),
    route({
      method: 'POST',
      path: '/api/contacts/{id}/erase',
      summary:
        'Erase a contact on request (PIPL), as a job (202): profile, addresses, sessions, message log, schedule, messages and link codes',
      pathParams: ID_PARAM,
      body: emptyBody,
      response: {
        contentType: 'application/json',
        schema: jobView,
        description: 'Accepted (202): the erasure job; follow it at GET /api/jobs/{id}',
      },
      handle: async ({ caller, params }) => {
        const c = await contact(caller, params.id ?? '');
        return startErasure('erase-contact', c.centreId, c.contactId, caller.subject);
      },
    }),
    route({
      method: 'POST',
      path: '/api/roster/import',
      summary:
        'Import a roster CSV (text/csv, columns in docs/api.md): a per-line report; nothing is written unless every line is valid or acceptValidRows=true',
      query: importQuery,
      rawBodyType: 'text/csv',
      maxBodyBytes: MAX_IMPORT_BYTES,
      response: {
        contentType: 'application/json',
        schema: importView,
        description: 'The report (422 with the report when lines are invalid and not accepted)',
      },
      handle: async ({ caller, query, rawBody }) => {
        requireCentre(caller, query.centre);
        if (!(await roster.getCentre(query.centre))) throw new NotFoundError('no such centre');
        const report = await importRosterCsv(roster, query.centre, rawBody, {
          dryRun: query.dryRun,
          acceptValidRows: query.acceptValidRows,
        });
        logger.info('roster import', {
          centreId: query.centre,
          by: caller.subject,
          dryRun: query.dryRun,
          valid: report.valid,
          invalid: report.invalid,
          written: report.written,
        });
        const refused = !query.dryRun && !report.written;
        return json(refused ? 422 : 200, report);
      },
    }),
  ];
}

/**
 * A version conflict raised by the write itself (someone wrote between our read and our write) goes
 * back with the record as stored now, like the one found on reading: the caller sees both and chooses.
 */
async function withCurrent<T>(write: () => Promise<T>, current: () => Promise<unknown>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof VersionConflictError) || error.current !== undefined) throw error;
    throw new VersionConflictError(error.message, {
      cause: error,
      current: await current().catch(() => undefined),
    });
  }
}
