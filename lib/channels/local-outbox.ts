import type { ChannelName } from '#lib/domain/model.ts';
import type { OutboundChannel, SendResult } from '#lib/ports/channel.ts';

export interface OutboxEntry {
  seq: number;
  channel: ChannelName;
  to: string;
  body: string;
  sentAt: string;
  /** How the local "provider" sent it, where that matters (WeChat: customer-service or template). */
  via?: string | undefined;
  /** A mainland message: the provider's template code and its variables (body is what the phone shows). */
  template?: string | undefined;
  params?: Record<string, string> | undefined;
}

/** The local channel: what lianxin "sent" on a developer's machine, readable at GET /dev/outbox. */
export class LocalOutbox implements OutboundChannel {
  readonly name = 'local' as const;
  readonly #entries: OutboxEntry[] = [];

  async send(to: string, body: string): Promise<SendResult> {
    return this.record('sms', to, body);
  }

  /** Keeps a message as sent on `channel` (the local WeChat API records here too). */
  record(
    channel: ChannelName,
    to: string,
    body: string,
    via?: string,
    template?: { code: string; params: Record<string, string> },
  ): SendResult {
    const seq = this.#entries.length + 1;
    this.#entries.push({
      seq,
      channel,
      to,
      body,
      sentAt: new Date().toISOString(),
      via,
      ...(template ? { template: template.code, params: template.params } : {}),
    });
    return { providerId: `local-${seq}` };
  }

  /** Entries with seq greater than `since`, oldest first. */
  list(since = 0): OutboxEntry[] {
    return this.#entries.filter((e) => e.seq > since);
  }
}

/** One outbox per process, shared by the handlers and the local server that serves it. */
export const localOutbox = new LocalOutbox();
