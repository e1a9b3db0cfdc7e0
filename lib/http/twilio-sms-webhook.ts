import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { toApiGatewayResult, toWebhookRequest } from '#lib/http/api-gateway-event.ts';
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
    else
      deps.logger.warn('webhook rejected', { requestId, status: response.statusCode, reason: String(error) });
    return response;
  }
}

/** The Lambda entry point for these dependencies: API Gateway v2 event in, TwiML out. */
export function createSmsWebhookHandler(deps: SmsWebhookDependencies, publicUrl: string) {
  const smsWebhook = async (event: APIGatewayProxyEventV2, context: Context) =>
    toApiGatewayResult(
      await handleSmsWebhook(toWebhookRequest(event, publicUrl), deps, context.awsRequestId),
    );
  return middy(smsWebhook).use(injectLambdaContext(deps.logger));
}
