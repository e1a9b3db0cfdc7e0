import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { createTencentSmsWebhookHandler } from '#lib/http/tencent-sms-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createTencentSmsWebhookDependencies } from '#lib/wiring/tencent-sms-webhook.ts';

// Cold start: config and secrets (the callback path secrets among them) read once.
const config = await loadConfigWithSecrets();
const mainland = await loadMainlandSmsSettings(config, process.env, undefined, { sending: false });
const logger = createLogger('tencent-sms-webhook');

export const handler = createTencentSmsWebhookHandler(
  createTencentSmsWebhookDependencies(config, mainland, logger),
  config.PUBLIC_URL,
);
