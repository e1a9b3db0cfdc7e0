// The coordinators' API: every route is scoped to the centres in the caller's token. Anything of a
// centre the caller does not hold is "not found" (404), exactly like something that does not exist.
import type { Caller } from '#lib/api/auth.ts';
import { type ApiResult, json, RequestValidationError, type Route, route } from '#lib/api/router.ts';
import {
  emptyBody,
  exportQuery,
  type MessageView,
  messageList,
  messagesQuery,
  noteBody,
  resultsQuery,
  summaryView,
  type TaskView,
  taskList,
  tasksQuery,
} from '#lib/api/schemas.ts';
import { alertFollowUpDueAt, taskEscalationDueAt } from '#lib/domain/alert-escalation.ts';
import {
  type ResultCheckin,
  type ResultChild,
  resultRows,
  summarise,
  weeksBetween,
} from '#lib/domain/checkin-results.ts';
import { exportCsv } from '#lib/domain/export-csv.ts';
import { DEFAULT_TIME_ZONE } from '#lib/domain/outbound-message.ts';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { ExportFiles } from '#lib/ports/export-files.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import type { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import type {
  ChildMessage,
  ChildMessageRepository,
} from '#lib/store/conversation/child-message-repository.ts';
import { keys } from '#lib/store/keys.ts';
import type { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type {
  AlertWork,
  CoordinatorWorkRepository,
  TaskWork,
  WorkUpdate,
} from '#lib/store/tasks/coordinator-work-repository.ts';
import * as z from '#lib/zod.ts';

export interface CoordinatorApiDependencies {
  work: CoordinatorWorkRepository;
  messages: ChildMessageRepository;
  roster: RosterRepository;
  /** Erasure on request (the roster routes, lib/api/roster-api.ts). */
  erasure: RosterErasure;
  checkins: CheckinRepository;
  clock: Clock;
  logger: Logger;
  /** Alerts acknowledged through the API. */
  metrics?: BusinessMetrics | undefined;
  /** Where an export larger than `exportInlineBytes` is written (none: such an export is refused). */
  exportFiles?: ExportFiles | undefined;
  exportInlineBytes?: number | undefined;
}

/** An API Gateway/Lambda response carries at most 6 MB; an export above this goes to a file. */
export const EXPORT_INLINE_BYTES = 4 * 1024 * 1024;

/** The most weeks one export or summary covers (two years). */
export const MAX_RESULT_WEEKS = 104;

type RefKind = 'alert' | 'task' | 'message' | 'family' | 'contact' | 'job';

/** An opaque, URL-safe id naming the item and its centre (ids of alerts and messages contain `#`). */
export function encodeRef(kind: RefKind, centreId: string, id: string): string {
  return Buffer.from(JSON.stringify([kind, centreId, id]), 'utf8').toString('base64url');
}

/** The item a ref names, if it is of an allowed kind and in one of the caller's centres; else 404. */
export function decodeRef(
  ref: string,
  kinds: readonly RefKind[],
  caller: Caller,
): { kind: RefKind; centreId: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(ref, 'base64url').toString('utf8'));
  } catch {
    throw new NotFoundError('bad ref');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string'))
    throw new NotFoundError('bad ref');
  const [kind, centreId, id] = parsed as [RefKind, string, string];
  if (!kinds.includes(kind)) throw new NotFoundError('bad ref');
  requireCentre(caller, centreId);
  return { kind, centreId, id };
}

export function requireCentre(caller: Caller, centreId: string): void {
  if (!caller.centres.has(centreId)) throw new NotFoundError('not one of the caller centres');
}

const ID_PARAM = { id: 'The opaque id from the list' };

export function coordinatorRoutes(deps: CoordinatorApiDependencies): Route[] {
  const { logger } = deps;

  const actOnTask = async (caller: Caller, ref: string, note: string, action: 'acknowledge' | 'close') => {
    const { kind, centreId, id } = decodeRef(ref, ['alert', 'task'], caller);
    const workKind = kind === 'alert' ? 'alert' : 'task';
    const at = deps.clock.now();
    const outcome: WorkUpdate =
      action === 'acknowledge'
        ? await deps.work.acknowledge(workKind, centreId, id, caller.subject, note, at)
        : await deps.work.close(workKind, centreId, id, caller.subject, note, at);
    if (outcome === 'not-found') throw new NotFoundError('no such task');
    if (outcome === 'conflict')
      throw new ConflictError(action === 'acknowledge' ? 'already acknowledged or closed' : 'already closed');
    if (action === 'acknowledge' && workKind === 'alert') deps.metrics?.count(METRIC.alertsAcknowledged);
    logger.info(`task ${action}d`, { centreId, kind, by: caller.subject });
    return json(200, {
      id: ref,
      status: action === 'acknowledge' ? 'acknowledged' : 'closed',
      at: at.toISOString(),
      by: caller.subject,
    });
  };

  return [
    route({
      method: 'GET',
      path: '/api/tasks',
      summary: "A centre's alerts (concerning answers) and tasks (missed check-ins), oldest first",
      query: tasksQuery,
      response: { contentType: 'application/json', schema: taskList, description: 'The tasks' },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const [alerts, tasks] = await Promise.all([
          deps.work.listAlerts(query.centre),
          deps.work.listTasks(query.centre),
        ]);
        const views = [...alerts.map(alertView), ...tasks.map(taskWorkView)]
          .filter((t) => query.status === 'all' || t.status === query.status)
          .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
        return json(200, { tasks: views } satisfies z.input<typeof taskList>);
      },
    }),
    route({
      method: 'POST',
      path: '/api/tasks/{id}/acknowledge',
      summary: 'Acknowledge an open alert or task with a note (who and when are recorded)',
      pathParams: ID_PARAM,
      body: noteBody,
      response: { contentType: 'application/json', description: 'Acknowledged' },
      handle: ({ caller, params, body }) => actOnTask(caller, params.id ?? '', body.note, 'acknowledge'),
    }),
    route({
      method: 'POST',
      path: '/api/tasks/{id}/close',
      summary: 'Close an open alert or task with a note (who and when are recorded)',
      pathParams: ID_PARAM,
      body: noteBody,
      response: { contentType: 'application/json', description: 'Closed' },
      handle: ({ caller, params, body }) => actOnTask(caller, params.id ?? '', body.note, 'close'),
    }),
    route({
      method: 'GET',
      path: '/api/messages-for-child',
      summary: "Parents' messages for their children, oldest first",
      query: messagesQuery,
      response: { contentType: 'application/json', schema: messageList, description: 'The messages' },
      handle: async ({ caller, query }) => {
        requireCentre(caller, query.centre);
        const messages = await deps.messages.list(
          query.centre,
          query.status === 'all' ? undefined : query.status,
        );
        return json(200, { messages: messages.map(messageView) } satisfies z.input<typeof messageList>);
      },
    }),
    route({
      method: 'POST',
      path: '/api/messages-for-child/{id}/delivered',
      summary: 'Mark a message passed on to the child (who and when are recorded)',
      pathParams: ID_PARAM,
      body: z.optional(emptyBody),
      response: { contentType: 'application/json', description: 'Delivered' },
      handle: async ({ caller, params }) => {
        const ref = params.id ?? '';
        const { centreId, id } = decodeRef(ref, ['message'], caller);
        const at = deps.clock.now();
        if (!(await deps.messages.markDelivered(centreId, id, caller.subject, at))) {
          if (!(await deps.work.exists(keys.childMessage(centreId, id))))
            throw new NotFoundError('no such message');
          throw new ConflictError('already delivered');
        }
        logger.info('message for a child delivered', { centreId, by: caller.subject });
        return json(200, { id: ref, status: 'delivered', at: at.toISOString(), by: caller.subject });
      },
    }),
    route({
      method: 'GET',
      path: '/api/checkins/export.csv',
      summary:
        "Check-ins as CSV (UTF-8 with BOM, Chinese headers and the centre's local time; lang=en for English): one row per child per ISO week, every family of the centre; the final answers, every free text, and with history=1 each week's answer history. Larger than a response can carry: JSON with a short-lived link to the file",
      query: exportQuery,
      response: { contentType: 'text/csv', description: 'The CSV file (or JSON {url, expiresAt, bytes})' },
      handle: async ({ caller, query }) => {
        const { rows, checkins, familyNames } = await results(deps, caller, query);
        const csv = exportCsv(rows, checkins, {
          language: query.lang === 'en' ? 'en' : 'zh-CN',
          timeZone: DEFAULT_TIME_ZONE,
          history: query.history,
          familyNames,
        });
        const name = `checkins-${query.centre}-${query.from}-${query.to}.csv`;
        const bytes = Buffer.byteLength(csv, 'utf8');
        if (bytes > (deps.exportInlineBytes ?? EXPORT_INLINE_BYTES)) {
          if (!deps.exportFiles)
            throw new PayloadTooLargeError('the export is too large: ask for fewer weeks');
          const file = await deps.exportFiles.put(name, csv, deps.clock.now());
          logger.info('export written to a file', { centreId: query.centre, by: caller.subject, bytes });
          return json(200, { url: file.url, expiresAt: file.expiresAt, bytes });
        }
        return {
          statusCode: 200,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${name}"`,
            'cache-control': 'no-store',
          },
          body: csv,
        } satisfies ApiResult;
      },
    }),
    route({
      method: 'GET',
      path: '/api/checkins/summary',
      summary:
        'Per week: response rate per centre and per category, distributions of mood, school and health',
      query: resultsQuery,
      response: { contentType: 'application/json', schema: summaryView, description: 'The figures' },
      handle: async ({ caller, query }) => {
        const { rows, weeks } = await results(deps, caller, query);
        return json(200, {
          centreId: query.centre,
          from: query.from,
          to: query.to,
          weeks: summarise(rows, weeks),
        } satisfies z.input<typeof summaryView>);
      },
    }),
  ];
}

export async function results(
  deps: CoordinatorApiDependencies,
  caller: Caller,
  query: z.output<typeof resultsQuery>,
) {
  requireCentre(caller, query.centre);
  const weeks = weeksBetween(query.from, query.to);
  if (weeks.length > MAX_RESULT_WEEKS) {
    throw new RequestValidationError([{ field: 'query.to', message: `at most ${MAX_RESULT_WEEKS} weeks` }]);
  }
  const { children, familyNames } = await centreChildren(deps.roster, query.centre);
  const inRange = new Set(weeks);
  const checkins = (await Promise.all(children.map((c) => deps.checkins.listCheckins(c.childId)))).flatMap(
    (list) => list.filter((c) => inRange.has(c.week)),
  );
  return { weeks, rows: resultRows(children, checkins as ResultCheckin[], weeks), checkins, familyNames };
}

/**
 * The centre's children, through its family links (a family with no carer or parent yet included), a
 * few families read at once.
 */
async function centreChildren(
  roster: RosterRepository,
  centreId: string,
): Promise<{ children: ResultChild[]; familyNames: Map<string, string> }> {
  const centre = await roster.getCentre(centreId);
  if (!centre) throw new NotFoundError('no such centre');
  const familyIds = [...(await roster.listCentreFamilyIds(centreId))].sort();
  const families: (Awaited<ReturnType<RosterRepository['getFamily']>> | undefined)[] = [];
  const READS_AT_ONCE = 16;
  for (let i = 0; i < familyIds.length; i += READS_AT_ONCE)
    families.push(
      ...(await Promise.all(familyIds.slice(i, i + READS_AT_ONCE).map((id) => roster.getFamily(id)))),
    );
  const familyNames = new Map<string, string>();
  const children = families.flatMap((f) => {
    if (!f || f.centreId !== centreId) return [];
    familyNames.set(f.familyId, f.name);
    return f.children.map(
      (child): ResultChild => ({
        centreId,
        centreName: centre.name,
        village: centre.village,
        familyId: f.familyId,
        childId: child.childId,
        childName: child.name,
        category: child.category,
      }),
    );
  });
  return { children, familyNames };
}

const auditOf = (at?: string, by?: string, note?: string) =>
  at && by ? { at, by, ...(note === undefined ? {} : { note }) } : null;

/** Where an item's escalation stands: the tick only escalates what is open and unacknowledged at dueAt. */
function escalationOf(item: AlertWork | TaskWork, dueAt: Date): TaskView['escalation'] {
  const state = item.escalatedAt
    ? 'escalated'
    : item.acknowledgedAt || item.status === 'closed'
      ? 'stopped'
      : 'pending';
  return {
    state,
    dueAt: dueAt.toISOString(),
    ...(item.escalatedAt === undefined ? {} : { escalatedAt: item.escalatedAt }),
    ...(item.escalatedTo === undefined ? {} : { told: item.escalatedTo }),
  };
}

function alertView(a: AlertWork): TaskView {
  return {
    id: encodeRef('alert', a.centreId, a.alertId),
    centreId: a.centreId,
    kind: 'alert',
    ...(a.ref === undefined ? {} : { ref: a.ref }),
    status: a.status,
    raisedAt: a.raisedAt,
    acknowledged: auditOf(a.acknowledgedAt, a.acknowledgedBy, a.acknowledgeNote),
    closed: auditOf(a.closedAt, a.closedBy, a.closeNote),
    escalation: escalationOf(a, alertFollowUpDueAt('escalate', a.raisedAt)),
    alert: {
      childId: a.childId,
      familyId: a.familyId,
      week: a.week,
      itemId: a.itemId,
      reason: a.reason,
      ...(a.value === undefined ? {} : { value: a.value }),
    },
  };
}

function taskWorkView(t: TaskWork): TaskView {
  return {
    id: encodeRef('task', t.centreId, t.taskId),
    centreId: t.centreId,
    kind: t.kind === 'gb-locked' || t.kind === 'parent-call' ? t.kind : 'missed-checkins',
    ...(t.ref === undefined ? {} : { ref: t.ref }),
    status: t.status,
    raisedAt: t.raisedAt,
    acknowledged: auditOf(t.acknowledgedAt, t.acknowledgedBy, t.acknowledgeNote),
    closed: auditOf(t.closedAt, t.closedBy, t.closeNote),
    escalation: escalationOf(t, taskEscalationDueAt(t.raisedAt)),
    missedCheckins: {
      contactId: t.contactId,
      contactName: t.contactName,
      childIds: t.childIds,
      childNames: t.childNames,
      weeks: t.weeks,
      optedOut: t.optedOut,
    },
  };
}

function messageView(m: ChildMessage): MessageView {
  return {
    id: encodeRef('message', m.centreId, m.messageKey),
    centreId: m.centreId,
    fromName: m.fromName,
    children: m.children.map((c) => ({ childId: c.childId, name: c.name, category: c.category })),
    text: m.text,
    truncated: m.truncated,
    week: m.week,
    receivedAt: m.receivedAt,
    status: m.status,
    delivered: auditOf(m.deliveredAt, m.deliveredBy),
  };
}
