import type { ChannelAddress, ChannelName } from '#lib/domain/model.ts';

export interface Reachable {
  addresses: ChannelAddress[];
  preferredChannel?: ChannelName | undefined;
  /** `channel:address` of addresses known not to receive (a bounced number, an unfollowed account). */
  invalidAddressKeys?: string[] | undefined;
}

/**
 * Where a message lianxin starts goes for this contact: an address on the preferred channel, else
 * SMS, else whatever the contact has, skipping addresses known not to receive. (Replies are not
 * chosen here: they go back to the address the person wrote from.)
 */
export function preferredAddress(contact: Reachable): ChannelAddress | undefined {
  const invalid = new Set(contact.invalidAddressKeys ?? []);
  const usable = contact.addresses.filter((a) => !invalid.has(`${a.channel}:${a.address}`));
  const on = (channel: ChannelName | undefined) => usable.find((a) => a.channel === channel);
  return on(contact.preferredChannel) ?? on('sms') ?? usable[0];
}
