// An alert's follow-ups, written in the due index by the turn that raised it. `notify` (2 minutes
// on): tell the coordinators, in case the turn's own notification died with its process — the same
// keys, so those told already get nothing new. `escalate` (a day on): if still open and no one has
// acknowledged it, tell every coordinator of the Centre, once, and record it on the alert.
import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { needsEscalating, needsNotifying } from '#lib/domain/alert-escalation.ts';
import { escalationMessage } from '#lib/domain/alert-message.ts';
import type { ContactView } from '#lib/domain/model.ts';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import type { TickContext } from '#lib/schedule/tick-context.ts';
import type { Contact } from '#lib/store/roster/roster-types.ts';
import type { AlertFollowUpRow, StoredAlert } from '#lib/store/schedule/schedule-repository.ts';

export async function processAlertFollowUp(tick: TickContext, row: AlertFollowUpRow): Promise<void> {
  const { deps } = tick;
  const alert = await deps.schedules.getAlert(row.centreId, row.alertId);
  const act = alert && (row.step === 'notify' ? needsNotifying(alert) : needsEscalating(alert));
  if (alert && act) {
    const raisedBy = await raiserView(tick, row.raisedBy);
    if (!raisedBy) {
      deps.logger.warn('alert follow-up: the contact who raised it is gone', { alertId: row.alertId });
    } else if (row.step === 'notify') {
      const outbound = { enqueue: (request: Parameters<TickContext['enqueue']>[0]) => tick.enqueue(request) };
      await new CoordinatorAlertNotifier({
        roster: deps.roster,
        outbound,
        references: deps.references,
        logger: deps.logger,
      }).notify([alert], raisedBy);
    } else {
      const told = await escalate(tick, alert, raisedBy);
      await deps.schedules.recordEscalated(alert.centreId, alert.alertId, tick.now, told);
      deps.logger.info('alert escalated to every coordinator', { alertId: alert.alertId });
    }
  }
  await deps.schedules.clearAlertFollowUp(row, tick.now);
  tick.report.steps++;
}

/** Every coordinator of the Centre, urgent, once per alert and coordinator, with the alert's reference. */
async function escalate(tick: TickContext, alert: StoredAlert, raisedBy: ContactView): Promise<number> {
  const ref = await tick.deps.references
    ?.assign('alert', alert.centreId, alert.alertId, raisedBy.contactId)
    .catch((error: unknown) => {
      tick.deps.logger.error('escalation sent without a reference', {
        alertId: alert.alertId,
        error: error as Error,
      });
      return undefined;
    });
  return toEveryCoordinator(tick, alert.centreId, (coordinator) => ({
    key: `escalation#${alert.alertId}#${coordinator.contactId}`,
    body: escalationMessage(alert, raisedBy, coordinator.language, { ref }),
    kind: 'alert',
    urgent: true,
    aboutChildId: alert.childId,
  }));
}

/**
 * One message to every coordinator of the Centre who can be reached (escalations of alerts and
 * tasks); each under its own key, so a re-run tells no one twice. Returns how many were told.
 */
export async function toEveryCoordinator(
  tick: TickContext,
  centreId: string,
  message: (coordinator: Contact) => Omit<EnqueueRequest, 'recipient'>,
): Promise<number> {
  const { roster } = tick.deps;
  const links = await roster.listCentreContacts(centreId, 'coordinator');
  const failures: unknown[] = [];
  let told = 0;
  for (const link of links) {
    const coordinator = await roster.getContact(link.contactId);
    if (!coordinator || coordinator.optedOut) continue;
    const to = preferredAddress(coordinator);
    if (!to) continue;
    // One coordinator's failure must not keep the escalation from the others.
    await tick
      .enqueue({
        ...message(coordinator),
        recipient: { contactId: coordinator.contactId, ...to, quietHours: coordinator.quietHours },
      })
      .then(
        () => told++,
        (error: unknown) => failures.push(error),
      );
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} escalation message(s) not enqueued`);
  }
  return told;
}

/** The raiser's projection (names of the carer and children), from any of their addresses. */
async function raiserView(tick: TickContext, contactId: string): Promise<ContactView | undefined> {
  const { roster } = tick.deps;
  const contact = await roster.getContact(contactId);
  const first = contact?.addresses[0];
  return first ? roster.getContactView(first.channel, first.address) : undefined;
}
