import { isMainlandMobile } from '#lib/domain/sms-templates.ts';
import type { OutboundChannel, SendOptions, SendResult } from '#lib/ports/channel.ts';

/**
 * The SMS channel chosen per number: a mainland mobile goes by the domestic provider (carriers there
 * deliver only registered templates, and Twilio cannot receive replies from them); any other number
 * goes by Twilio.
 */
export class PerNumberSmsChannel implements OutboundChannel {
  readonly name = 'sms' as const;

  constructor(
    private readonly international: OutboundChannel,
    private readonly mainland: OutboundChannel,
  ) {}

  send(to: string, body: string, options?: SendOptions): Promise<SendResult> {
    return (isMainlandMobile(to) ? this.mainland : this.international).send(to, body, options);
  }
}
