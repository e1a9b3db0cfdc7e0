import { errorResponse } from '#lib/http/error-response.ts';
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { InboundChannel, WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';

export interface SmsWebhookDependencies extends InboundDependencies {
  channel: InboundChannel;
}

/** POST /webhooks/twilio/sms: verify, validate, run the turn, answer with TwiML. */
export async function handleSmsWebhook(
  request: WebhookRequest,
  deps: SmsWebhookDependencies,
  requestId: string,
): Promise<WebhookResponse> {
  try {
    deps.channel.verify(request);
    const inbound = deps.channel.parse(request);
    const replies = await handleInboundMessage(inbound, deps);
    return deps.channel.reply(replies);
  } catch (error) {
    const response = errorResponse(error, requestId);
    if (response.statusCode >= 500) deps.logger.error('webhook failed', { requestId, error: error as Error });
    else deps.logger.warn('webhook rejected', { requestId, status: response.statusCode, reason: String(error) });
    return response;
  }
}
