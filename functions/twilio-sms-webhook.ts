import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadConfig } from '#lib/config.ts';
import { toApiGatewayResult, toWebhookRequest } from '#lib/http/api-gateway-event.ts';
import { handleSmsWebhook } from '#lib/http/twilio-sms-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createSmsWebhookDependencies } from '#lib/wiring.ts';

// Cold start: config validated once, clients reused across invocations.
const config = loadConfig();
const logger = createLogger('twilio-sms-webhook');
const deps = createSmsWebhookDependencies(config, logger);

const smsWebhook = async (event: APIGatewayProxyEventV2, context: Context) =>
  toApiGatewayResult(
    await handleSmsWebhook(toWebhookRequest(event, config.PUBLIC_URL), deps, context.awsRequestId),
  );

export const handler = middy(smsWebhook).use(injectLambdaContext(logger));
