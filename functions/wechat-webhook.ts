import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { createWechatWebhookHandler } from '#lib/http/wechat-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { createWechatWebhookDependencies } from '#lib/wiring/wechat-webhook.ts';

// Cold start: config and the WeChat secret read once; clients reused across invocations.
// It never talks to Twilio and is not granted its secret (least privilege).
const config = await loadConfigWithSecrets();
const logger = createLogger('wechat-webhook');

// In Lambda (AWS_LAMBDA_FUNCTION_NAME is set by the runtime) late replies go through an async self-invoke.
const lambdaName = config.LIANXIN_ENV === 'aws' ? process.env.AWS_LAMBDA_FUNCTION_NAME : undefined;

export const handler = createWechatWebhookHandler(
  createWechatWebhookDependencies(config, logger, {}, undefined, lambdaName),
  config.PUBLIC_URL,
);
