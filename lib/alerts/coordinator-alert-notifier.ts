import { alertMessage } from '#lib/domain/alert-message.ts';
import type { AlertRecord, ContactView } from '#lib/domain/model.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import type { AlertNotifier } from '#lib/inbound/handle-inbound-message.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { WorkReferenceRepository } from '#lib/store/tasks/work-reference-repository.ts';

/**
 * Sends each alert to every coordinator of the child's Centre, urgent (quiet hours do not hold it),
 * once per alert and coordinator: the idempotency key makes a retried turn send nothing new. Each
 * alert carries its reference (A7), so the coordinator can answer it by text.
 */
export class CoordinatorAlertNotifier implements AlertNotifier {
  constructor(
    private readonly deps: {
      roster: RosterRepository;
      outbound: OutboundPort;
      /** Without it, alerts go without a reference (a reply without one acts on the latest). */
      references?: WorkReferenceRepository | undefined;
      logger?: Pick<Logger, 'error'> | undefined;
    },
  ) {}

  async notify(alerts: AlertRecord[], raisedBy: ContactView): Promise<void> {
    const failures: unknown[] = [];
    const refs = new Map<string, string | undefined>();
    for (const alert of alerts) refs.set(alert.alertId, await this.#reference(alert, raisedBy));
    const centreIds = [...new Set(alerts.map((a) => a.centreId))];
    for (const centreId of centreIds) {
      const links = await this.deps.roster.listCentreContacts(centreId, 'coordinator');
      const coordinators = await Promise.all(links.map((l) => this.deps.roster.getContact(l.contactId)));
      for (const coordinator of coordinators) {
        if (!coordinator || coordinator.optedOut) continue;
        // Their preferred channel (a coordinator on WeChat gets it there), skipping dead addresses.
        const address = preferredAddress(coordinator);
        if (!address) continue;
        for (const alert of alerts.filter((a) => a.centreId === centreId)) {
          // One coordinator's failure must not keep the alert from the others.
          await this.deps.outbound
            .enqueue({
              key: `alert#${alert.alertId}#${coordinator.contactId}`,
              recipient: { contactId: coordinator.contactId, ...address, quietHours: coordinator.quietHours },
              body: alertMessage(alert, raisedBy, coordinator.language, { ref: refs.get(alert.alertId) }),
              kind: 'alert',
              urgent: true,
              aboutChildId: alert.childId,
            })
            .catch((error: unknown) => failures.push(error));
        }
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} alert notification(s) not enqueued`);
    }
  }

  /** The alert's reference; a failure to number it must not keep the alert from the coordinators. */
  async #reference(alert: AlertRecord, raisedBy: ContactView): Promise<string | undefined> {
    if (!this.deps.references) return undefined;
    try {
      return await this.deps.references.assign('alert', alert.centreId, alert.alertId, raisedBy.contactId);
    } catch (error) {
      this.deps.logger?.error('alert sent without a reference', {
        alertId: alert.alertId,
        error: error as Error,
      });
      return undefined;
    }
  }
}
