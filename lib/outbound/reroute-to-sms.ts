import type { SendInstruction } from '#lib/domain/outbound-message.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

/**
 * The SMS fallback: a message WeChat cannot deliver (outside the 48-hour window, no template for its
 * kind) is enqueued again for the contact's SMS number, under the derived key `<key>#sms`. It then
 * takes the whole send path (opt-out and address checks at claim, loop guard, status callbacks), and
 * the derived key makes the fallback itself happen at most once. Nothing if the contact has no usable
 * number or has opted out.
 */
export function smsReroute(deps: { roster: Pick<RosterRepository, 'getContact'>; outbound: OutboundPort }) {
  return async (m: SendInstruction): Promise<string | undefined> => {
    if (m.channel === 'sms') return undefined;
    const contact = await deps.roster.getContact(m.contactId);
    if (!contact || contact.optedOut) return undefined;
    const sms = contact.addresses.find(
      (a) => a.channel === 'sms' && !contact.invalidAddressKeys.includes(`sms:${a.address}`),
    );
    if (!sms) return undefined;
    const key = `${m.key}#sms`;
    await deps.outbound.enqueue({
      key,
      recipient: {
        contactId: m.contactId,
        channel: 'sms',
        address: sms.address,
        timeZone: m.timeZone,
        quietHours: m.quietHours,
      },
      body: m.body,
      kind: m.kind,
      urgent: m.urgent,
      expiresAt: new Date(m.expiresAt),
      // A broadcast's copy is stopped by the broadcast's cancel like the original.
      broadcastId: m.broadcastId,
    });
    return key;
  };
}
