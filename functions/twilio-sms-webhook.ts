import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';

// Cold start: config and secrets read once; clients reused across invocations.
const config = await loadConfigWithSecrets();
const logger = createLogger('twilio-sms-webhook');

export const handler = createSmsWebhookHandler(
  createSmsWebhookDependencies(config, logger),
  config.PUBLIC_URL,
);
