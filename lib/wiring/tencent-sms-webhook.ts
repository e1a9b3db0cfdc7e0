import type { Config } from '#lib/config/core.ts';
import type { MainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { ConfigError } from '#lib/errors.ts';
import type { TencentSmsWebhookDependencies } from '#lib/http/tencent-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { type Adapters, asFunction, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { CONVERSATION_TURNS_BUILD, conversationTurns } from '#lib/wiring/conversation-turns.ts';

/**
 * Everything the Tencent Cloud webhook may send to AWS: the union over what its wiring builds (the
 * conversation turns, and the outbound repository its status reports update).
 */
export const TENCENT_SMS_WEBHOOK_ACCESS = accessOf(...CONVERSATION_TURNS_BUILD, DynamoOutboundRepository);

/** The Tencent Cloud callbacks: the same conversation turns as the other SMS webhooks. */
export function createTencentSmsWebhookDependencies(
  config: Config,
  mainland: Pick<MainlandSmsSettings, 'tencentCallbackSecrets'>,
  logger: Logger,
  overrides: Partial<TencentSmsWebhookDependencies> = {},
  all: Adapters = defaultAdapters(config),
): TencentSmsWebhookDependencies {
  const adapters = asFunction(all, 'tencent-sms-webhook');
  if (mainland.tencentCallbackSecrets.length === 0) {
    throw new ConfigError('invalid configuration (TENCENT_SMS_CALLBACK_SECRET: required by this function)');
  }
  const { turns, roster, outbound } = conversationTurns(config, logger, adapters);
  return {
    ...turns,
    callbackSecrets: mainland.tencentCallbackSecrets,
    outbound,
    contacts: roster,
    repository: outboundRepository(config, adapters),
    ...overrides,
  };
}
