import { alertMessage } from '#lib/domain/alert-message.ts';
import type { AlertRecord, ContactView } from '#lib/domain/model.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import type { AlertNotifier } from '#lib/inbound/handle-inbound-message.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

/**
 * Sends each alert to every coordinator of the child's Centre, urgent (quiet hours do not hold it),
 * once per alert and coordinator: the idempotency key makes a retried turn send nothing new.
 */
export class CoordinatorAlertNotifier implements AlertNotifier {
  constructor(private readonly deps: { roster: RosterRepository; outbound: OutboundPort }) {}

  async notify(alerts: AlertRecord[], raisedBy: ContactView): Promise<void> {
    const failures: unknown[] = [];
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
              body: alertMessage(alert, raisedBy, coordinator.language),
              kind: 'alert',
              urgent: true,
            })
            .catch((error: unknown) => failures.push(error));
        }
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} alert notification(s) not enqueued`);
    }
  }
}
