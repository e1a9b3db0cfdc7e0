import type { Config } from '#lib/config/core.ts';
import type { MainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { ConfigError } from '#lib/errors.ts';
import type { AliyunSmsWebhookDependencies } from '#lib/http/aliyun-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { conversationTurns } from '#lib/wiring/conversation-turns.ts';

/** The Alibaba Cloud callbacks: the same conversation turns as the Twilio SMS webhook. */
export function createAliyunSmsWebhookDependencies(
  config: Config,
  mainland: Pick<MainlandSmsSettings, 'aliyunCallbackSecrets'>,
  logger: Logger,
  overrides: Partial<AliyunSmsWebhookDependencies> = {},
  adapters: Adapters = defaultAdapters(config),
): AliyunSmsWebhookDependencies {
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
