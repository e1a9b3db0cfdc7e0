import { loadConfig } from '#lib/config.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createSmsWebhookDependencies } from '#lib/wiring.ts';

// Cold start: config validated once; clients created once and reused across invocations.
const config = loadConfig();
const logger = createLogger('twilio-sms-webhook');

export const handler = createSmsWebhookHandler(
  createSmsWebhookDependencies(config, logger),
  config.PUBLIC_URL,
);
