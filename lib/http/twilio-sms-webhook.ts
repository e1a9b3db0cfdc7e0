import { createHttpHandler } from '#lib/http/http-handler.ts';
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { InboundChannel, WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';

export interface SmsWebhookDependencies extends InboundDependencies {
  channel: InboundChannel;
}

/** POST /webhooks/twilio/sms: verify, validate, run the turn, answer with TwiML. */
export async function handleSmsWebhook(
  request: WebhookRequest,
  deps: SmsWebhookDependencies,
): Promise<WebhookResponse> {
  deps.channel.verify(request);
  const inbound = deps.channel.parse(request);
  const replies = await handleInboundMessage(inbound, deps);
  return deps.channel.reply(replies);
}

/** The Lambda entry point for these dependencies: API Gateway v2 event in, TwiML out. */
export const createSmsWebhookHandler = (deps: SmsWebhookDependencies, publicUrl: string) =>
  createHttpHandler('sms webhook', (request) => handleSmsWebhook(request, deps), deps.logger, publicUrl);
