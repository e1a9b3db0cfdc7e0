import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { createStatusWebhookHandler } from '#lib/http/twilio-status-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createStatusWebhookDependencies } from '#lib/wiring/status-webhook.ts';

// Cold start: config and secrets read once; clients reused across invocations.
const config = await loadConfigWithSecrets();
const logger = createLogger('twilio-status-webhook');

export const handler = createStatusWebhookHandler(
  createStatusWebhookDependencies(config, logger),
  config.PUBLIC_URL,
);
