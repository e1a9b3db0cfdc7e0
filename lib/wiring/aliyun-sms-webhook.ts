import type { Config } from '#lib/config/core.ts';
import type { MainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { ConfigError } from '#lib/errors.ts';
import type { AliyunSmsWebhookDependencies } from '#lib/http/aliyun-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { type Adapters, asFunction, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { CONVERSATION_TURNS_BUILD, conversationTurns } from '#lib/wiring/conversation-turns.ts';

/**
 * Everything the Alibaba Cloud webhook may send to AWS: the union over what its wiring builds (the
 * conversation turns, and the outbound repository its delivery receipts update).
 */
export const ALIYUN_SMS_WEBHOOK_ACCESS = accessOf(...CONVERSATION_TURNS_BUILD, DynamoOutboundRepository);

/** The Alibaba Cloud callbacks: the same conversation turns as the Twilio SMS webhook. */
export function createAliyunSmsWebhookDependencies(
  config: Config,
  mainland: Pick<MainlandSmsSettings, 'aliyunCallbackSecrets'>,
  logger: Logger,
  overrides: Partial<AliyunSmsWebhookDependencies> = {},
  all: Adapters = defaultAdapters(config),
): AliyunSmsWebhookDependencies {
  const adapters = asFunction(all, 'aliyun-sms-webhook');
  if (mainland.aliyunCallbackSecrets.length === 0) {
    throw new ConfigError('invalid configuration (ALIYUN_SMS_CALLBACK_SECRET: required by this function)');
  }
  const { turns, roster, outbound } = conversationTurns(config, logger, adapters);
  return {
    ...turns,
    callbackSecrets: mainland.aliyunCallbackSecrets,
    outbound,
    contacts: roster,
    repository: outboundRepository(config, adapters),
    ...overrides,
  };
}
