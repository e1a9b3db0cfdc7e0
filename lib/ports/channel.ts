import type { ChannelName } from '#lib/domain/model.ts';
import type { OutboundKind } from '#lib/domain/outbound-message.ts';
import { LianxinError } from '#lib/errors.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';

/** An HTTP request as a webhook sees it, independent of API Gateway or the local server. */
export interface WebhookRequest {
  method: string;
  /** The public URL the provider called, exactly as it signed it. */
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
  /** When the request reached us (epoch ms; API Gateway's timeEpoch), for reply deadlines. */
  receivedAt?: number | undefined;
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

export interface SendOptions {
  /** Where the provider reports delivery status for this message. */
  statusCallbackUrl?: string | undefined;
  /** What the message is (a WeChat template is chosen by kind). */
  kind?: OutboundKind | undefined;
  /** Our outbound key, for providers that carry our id and report it back (Alibaba Cloud's OutId). */
  key?: string | undefined;
}

/** The approved template a mainland message went by, as it was sent. */
export interface SentTemplate {
  /** The provider's template code. */
  code: string;
  params: Record<string, string>;
  /** What the phone shows: signature first. */
  text: string;
  segments: number;
}

export interface SendResult {
  providerId: string;
  /** Which provider took it, where a channel has more than one (mainland SMS). */
  provider?: string | undefined;
  template?: SentTemplate | undefined;
}

/**
 * Why a send failed, as the send worker needs to know it:
 * - retryable: 429, 5xx, or the request never reached the provider;
 * - opted-out: the recipient blocked us (Twilio 21610);
 * - invalid-address: the number cannot receive (Twilio 21211, 21614);
 * - unknown-outcome: the request left but no answer came (timeout): it may have been sent;
 * - rejected: any other refusal; retrying will not help;
 * - unreachable: this channel cannot deliver it to this recipient now (WeChat: outside the 48-hour
 *   window and no template for the kind); another of the contact's channels may (SMS fallback).
 */
export type SendFailureKind =
  | 'retryable'
  | 'opted-out'
  | 'invalid-address'
  | 'unknown-outcome'
  | 'rejected'
  | 'unreachable';

export class SendFailure extends LianxinError {
  override readonly name: string = 'SendFailure';
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    readonly providerCode?: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The outbound half of a channel: deliver one message now, or throw SendFailure. */
export interface OutboundChannel {
  readonly name: ChannelName;
  send(to: string, body: string, options?: SendOptions): Promise<SendResult>;
}
