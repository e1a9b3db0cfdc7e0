import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { createAliyunSmsWebhookHandler } from '#lib/http/aliyun-sms-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createAliyunSmsWebhookDependencies } from '#lib/wiring/aliyun-sms-webhook.ts';

// Cold start: config and secrets (the callback path secrets among them) read once.
const config = await loadConfigWithSecrets();
const mainland = await loadMainlandSmsSettings(config, process.env, undefined, { sending: false });
const logger = createLogger('aliyun-sms-webhook');

export const handler = createAliyunSmsWebhookHandler(
  createAliyunSmsWebhookDependencies(config, mainland, logger),
  config.PUBLIC_URL,
);
