import type { ChannelName } from '#lib/domain/model.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';

/** An HTTP request as a webhook sees it, independent of API Gateway or the local server. */
export interface WebhookRequest {
  method: string;
  /** The public URL the provider called, exactly as it signed it. */
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface WebhookResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The inbound half of a channel: verify, parse, and answer a provider's webhook. */
export interface InboundChannel {
  readonly name: ChannelName;
  /** Throws SignatureError when the request was not signed by the provider. */
  verify(request: WebhookRequest): void;
  /** Throws ValidationError when the body is not a message this channel understands. */
  parse(request: WebhookRequest): InboundMessage;
  /** The provider's immediate reply carrying these texts (may be none). */
  reply(texts: string[]): WebhookResponse;
}

export interface SendResult {
  providerId: string;
}

/** The outbound half of a channel: deliver one message now. */
export interface OutboundChannel {
  readonly name: ChannelName;
  send(to: string, body: string): Promise<SendResult>;
}
