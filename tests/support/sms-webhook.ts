import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type Config, twilioAuthToken } from '#lib/config/core.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { type HttpApiHandler, lambdaContext } from '#lib/local/lambda-adapter.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import type { Adapters } from '#lib/wiring/adapters.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';

export const SMS_PATH = '/webhooks/twilio/sms';

/** The API Gateway v2 event for a POST as Twilio makes it, signed unless told otherwise. */
export function smsEvent(
  config: Config,
  options: {
    from: string;
    body: string;
    messageSid?: string;
    base64?: boolean;
    signature?: string | null;
    params?: Record<string, string>;
  },
): APIGatewayProxyEventV2 {
  const params =
    options.params ??
    inboundSmsParams({
      from: options.from,
      to: config.TWILIO_PHONE_NUMBER,
      body: options.body,
      accountSid: config.TWILIO_ACCOUNT_SID,
      messageSid: options.messageSid,
    });
  const signed = signedInboundSmsRequest({
    url: `${config.PUBLIC_URL}${SMS_PATH}`,
    authToken: twilioAuthToken(config),
    params,
  });
  const headers: Record<string, string> = { ...signed.headers, host: new URL(config.PUBLIC_URL).host };
  if (options.signature === null) delete headers['x-twilio-signature'];
  else if (options.signature !== undefined) headers['x-twilio-signature'] = options.signature;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `POST ${SMS_PATH}`,
    rawPath: SMS_PATH,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: new URL(config.PUBLIC_URL).host,
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: SMS_PATH,
        protocol: 'HTTP/1.1',
        sourceIp: '54.0.0.1',
        userAgent: 'TwilioProxy/1.1',
      },
      requestId: randomUUID(),
      routeKey: `POST ${SMS_PATH}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: options.base64 ? Buffer.from(signed.body).toString('base64') : signed.body,
    isBase64Encoded: options.base64 ?? false,
  };
}

export async function invoke(handler: HttpApiHandler, event: APIGatewayProxyEventV2) {
  const result = (await handler(
    event,
    lambdaContext('twilio-sms-webhook', randomUUID()),
  )) as APIGatewayProxyStructuredResultV2;
  return { ...result, replies: result.statusCode === 200 ? messagesFromTwiml(result.body ?? '') : [] };
}

/**
 * Texting lianxin through the real SMS webhook handler on these adapters (a test table, a clock, a
 * queue): `say(from, body)` as a phone would, replies included.
 */
export function texting(config: Config, adapters: Adapters) {
  const handler = createSmsWebhookHandler(
    createSmsWebhookDependencies(config, createLogger('test-sms'), {}, adapters),
    config.PUBLIC_URL,
  );
  return (from: string, body: string) => invoke(handler, smsEvent(config, { from, body }));
}
