import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { type Config, twilioAuthToken } from '#lib/config/core.ts';
import type { SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { type Adapters, defaultAdapters } from '#lib/wiring/adapters.ts';
import { conversationTurns } from '#lib/wiring/conversation-turns.ts';

/** The adapters behind the SMS webhook; `overrides` injects fakes or failures in tests. */
export function createSmsWebhookDependencies(
  config: Config,
  logger: Logger,
  overrides: Partial<SmsWebhookDependencies> = {},
  adapters: Adapters = defaultAdapters(config),
): SmsWebhookDependencies {
  const { turns } = conversationTurns(config, logger, adapters);
  return {
    channel: new TwilioSmsInbound({
      authToken: twilioAuthToken(config),
      accountSid: config.TWILIO_ACCOUNT_SID,
      now: () => adapters.clock.now(),
    }),
    ...turns,
    ...overrides,
  };
}
