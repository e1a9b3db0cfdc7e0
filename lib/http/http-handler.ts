import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { toApiGatewayResult, toWebhookRequest } from '#lib/http/api-gateway-event.ts';
import { errorResponse } from '#lib/http/error-response.ts';
import { observe } from '#lib/observability/lambda-middleware.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';

/**
 * A Lambda entry point behind API Gateway (HTTP API, payload v2): the event becomes a
 * WebhookRequest on the public URL, and any error becomes HTTP in the one place that maps them.
 */
export function createHttpHandler(
  what: string,
  handle: (request: WebhookRequest) => Promise<WebhookResponse>,
  logger: Logger,
  publicUrl: string,
) {
  const httpHandler = async (event: APIGatewayProxyEventV2, context: Context) => {
    const requestId = context.awsRequestId;
    try {
      return toApiGatewayResult(await handle(toWebhookRequest(event, publicUrl)));
    } catch (error) {
      const response = errorResponse(error, requestId);
      if (response.statusCode >= 500) logger.error(`${what} failed`, { requestId, error: error as Error });
      else logger.warn(`${what} rejected`, { requestId, status: response.statusCode, reason: String(error) });
      return toApiGatewayResult(response);
    }
  };
  return middy(httpHandler).use(observe(logger));
}
