// Two missed weeks in a row: a task for the Centre's coordinators (stored like alerts, open until
// closed) and a message to each of them, once per task and coordinator.
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import { missedCheckinsTaskText } from '#lib/domain/weekly-messages.ts';
import type { TickContext } from '#lib/schedule/tick-context.ts';
import type { ScheduleItem } from '#lib/store/schedule/schedule-items.ts';

export async function raiseMissedCheckinsTask(
  tick: TickContext,
  carer: ScheduleItem,
  weeks: string[],
  missedChildIds: string[],
): Promise<void> {
  const { roster, tasks } = tick.deps;
  const contact = await roster.getContact(carer.contactId);
  if (!contact) return;
  // Names as the family says them, from any of the carer's addresses' projection.
  const first = contact.addresses[0];
  const view = first ? await roster.getContactView(first.channel, first.address) : undefined;
  const children = view?.children.filter((c) => missedChildIds.includes(c.childId)) ?? [];
  const childNames = children.length > 0 ? children.map((c) => c.name) : missedChildIds;
  const week = weeks[weeks.length - 1] ?? '';
  const taskId = `missed-checkins#${carer.contactId}#${week}`;
  await tasks.raise({
    taskId,
    centreId: carer.centreId,
    kind: 'missed-checkins',
    contactId: carer.contactId,
    contactName: contact.name,
    childIds: missedChildIds,
    childNames,
    weeks,
    optedOut: contact.optedOut,
    raisedAt: tick.now.toISOString(),
  });
  tick.deps.logger.info('task raised: two missed check-ins in a row', { taskId, centreId: carer.centreId });

  const carerPhone = contact.addresses.find((a) => a.channel === 'sms')?.address;
  const ref = await tick.deps.references?.assign('task', carer.centreId, taskId, carer.contactId);
  const links = await roster.listCentreContacts(carer.centreId, 'coordinator');
  for (const link of links) {
    const coordinator = await roster.getContact(link.contactId);
    if (!coordinator || coordinator.optedOut) continue;
    const to = preferredAddress(coordinator);
    if (!to) continue;
    await tick.enqueue({
      key: `task#${taskId}#${coordinator.contactId}`,
      recipient: { contactId: coordinator.contactId, ...to, quietHours: coordinator.quietHours },
      body: missedCheckinsTaskText({
        language: coordinator.language,
        carerName: contact.name,
        carerPhone,
        children: childNames,
        optedOut: contact.optedOut,
        ref,
      }),
      kind: 'task',
    });
  }
}
