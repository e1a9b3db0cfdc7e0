// A coordinator answering alerts and tasks by text: 收到 A7 / OK A7 acknowledges (the escalation
// then stops), 完成 A7 <note> / DONE A7 <note> closes with the note, A7 ? tells the state; without a
// reference, the most recent open alert, named in the reply. HELP lists what a coordinator can text.
// A turn may run twice (its commit lost a race): acting twice gives the same reply, changes nothing.
import { alertWhat, carerPhone } from '#lib/domain/alert-message.ts';
import type { TurnOutcome } from '#lib/domain/conversation-engine.ts';
import { type CoordinatorCommand, parseCoordinatorCommand } from '#lib/domain/coordinator-commands.ts';
import {
  COORDINATOR_TEXT_MESSAGES,
  type CoordinatorTextMessages,
  type WorkLabel,
  type WorkState,
} from '#lib/domain/coordinator-messages.ts';
import { detectKeyword } from '#lib/domain/keywords.ts';
import { composeReply } from '#lib/domain/message-catalog.ts';
import type { ContactView, Session } from '#lib/domain/model.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type {
  AlertWork,
  CoordinatorWorkRepository,
  TaskWork,
  WorkKind,
} from '#lib/store/tasks/coordinator-work-repository.ts';

export interface CoordinatorWorkDependencies {
  work: Pick<CoordinatorWorkRepository, 'listAlerts' | 'listTasks' | 'acknowledge' | 'close'>;
  roster: Pick<RosterRepository, 'getFamily' | 'getContact'>;
  /** Alerts acknowledged by text. */
  metrics?: BusinessMetrics | undefined;
}

/** The longest note kept from a text (the rest is cut, not refused: it was typed on a phone). */
export const MAX_TEXT_NOTE = 500;

type Item = { kind: 'alert'; item: AlertWork } | { kind: 'task'; item: TaskWork };

/**
 * The reply to a coordinator's alert or task command, or HELP; undefined when the message is
 * neither (it goes on to the broadcast command and the engine). The session is left as it was.
 */
export async function coordinatorWorkByText(
  input: { text: string; contact: ContactView; session: Session | undefined; now: Date },
  deps: CoordinatorWorkDependencies,
): Promise<TurnOutcome | undefined> {
  const { contact } = input;
  const m = COORDINATOR_TEXT_MESSAGES[contact.language];
  const reply = (text: string): TurnOutcome => ({
    replies: [composeReply(contact.language, [text])],
    session: input.session ?? null,
    answers: [],
    completed: [],
    alerts: [],
    contactChanges: {},
    childMessages: [],
    parentAnswers: [],
  });
  if (detectKeyword(input.text) === 'help') return reply(m.help(contact));
  const command = parseCoordinatorCommand(input.text);
  if (!command) return undefined;
  return reply(await act(command, input, deps, m));
}

async function act(
  command: CoordinatorCommand,
  input: { contact: ContactView; now: Date },
  deps: CoordinatorWorkDependencies,
  m: CoordinatorTextMessages,
): Promise<string> {
  const { contact, now } = input;
  const items = await centreItems(contact.centreId, deps);
  const chosen = command.ref === undefined;
  const target = chosen ? latestOpenAlert(items) : items.find((i) => i.item.ref === command.ref);
  if (!target) return chosen ? m.noneOpen : m.notFound(command.ref ?? '');
  const label = await labelOf(target, contact, deps, m);
  const id = target.kind === 'alert' ? target.item.alertId : target.item.taskId;
  const kind: WorkKind = target.kind;

  switch (command.kind) {
    case 'state':
      return m.state(await stateOf(target, label, deps));
    case 'acknowledge': {
      if (target.item.status === 'closed') return m.alreadyClosed(label);
      // Acknowledged by this coordinator already: a repeated turn says the same again.
      if (target.item.acknowledgedAt !== undefined)
        return target.item.acknowledgedBy === contact.contactId
          ? m.acknowledged(label, chosen)
          : m.alreadyAcknowledged(label);
      const outcome = await deps.work.acknowledge(kind, contact.centreId, id, contact.contactId, '', now);
      if (outcome === 'done' && kind === 'alert') deps.metrics?.count(METRIC.alertsAcknowledged);
      return outcome === 'done' ? m.acknowledged(label, chosen) : m.alreadyAcknowledged(label);
    }
    case 'close': {
      const note = [...command.note].slice(0, MAX_TEXT_NOTE).join('');
      if (target.item.status === 'closed')
        return target.item.closedBy === contact.contactId && target.item.closeNote === note
          ? m.closed(label, note, chosen)
          : m.alreadyClosed(label);
      const outcome = await deps.work.close(kind, contact.centreId, id, contact.contactId, note, now);
      return outcome === 'done' ? m.closed(label, note, chosen) : m.alreadyClosed(label);
    }
  }
}

async function centreItems(centreId: string, deps: CoordinatorWorkDependencies): Promise<Item[]> {
  const [alerts, tasks] = await Promise.all([deps.work.listAlerts(centreId), deps.work.listTasks(centreId)]);
  return [
    ...alerts.map((item): Item => ({ kind: 'alert', item })),
    ...tasks.map((item): Item => ({ kind: 'task', item })),
  ];
}

/**
 * The most recently raised open alert: the one a reply without a reference is about. Alerts of one
 * moment (two answers of one check-in) are told apart by their references, the later numbered last.
 */
function latestOpenAlert(items: Item[]): Item | undefined {
  const refNumber = (i: Item) => Number.parseInt((i.item.ref ?? '').slice(1), 10) || 0;
  return items
    .filter((i) => i.kind === 'alert' && i.item.status === 'open')
    .sort((a, b) => b.item.raisedAt.localeCompare(a.item.raisedAt) || refNumber(b) - refNumber(a))[0];
}

async function labelOf(
  target: Item,
  contact: ContactView,
  deps: CoordinatorWorkDependencies,
  m: CoordinatorTextMessages,
): Promise<WorkLabel> {
  const ref = target.item.ref ?? workRefLabel(target);
  if (target.kind === 'task') return { ref, what: m.taskWhat(target.item) };
  const alert = target.item;
  const family = await deps.roster.getFamily(alert.familyId);
  const name = family?.children.find((c) => c.childId === alert.childId)?.name ?? '';
  return { ref, what: alertWhat(alert, name, contact.language) };
}

/** An item sent before references existed has none: it is named by its kind only. */
function workRefLabel(target: Item): string {
  return target.kind === 'alert' ? 'A?' : 'T?';
}

async function stateOf(
  target: Item,
  label: WorkLabel,
  deps: CoordinatorWorkDependencies,
): Promise<WorkState> {
  const { item } = target;
  const status: WorkState['status'] =
    item.status === 'closed' ? 'closed' : item.acknowledgedAt !== undefined ? 'acknowledged' : 'open';
  const who = target.kind === 'alert' ? item.raisedBy : target.item.contactId;
  const person = who === undefined ? undefined : await deps.roster.getContact(who);
  return {
    ...label,
    status,
    phone: person ? carerPhone(person) : undefined,
    note: item.closeNote || item.acknowledgeNote || undefined,
  };
}
