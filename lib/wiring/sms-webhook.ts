import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { type Config, twilioAuthToken } from '#lib/config/core.ts';
import type { SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { type Adapters, asFunction, defaultAdapters } from '#lib/wiring/adapters.ts';
import { CONVERSATION_TURNS_BUILD, conversationTurns } from '#lib/wiring/conversation-turns.ts';

/** Everything the SMS webhook may send to AWS: the union over what its wiring builds. */
export const SMS_WEBHOOK_ACCESS = accessOf(...CONVERSATION_TURNS_BUILD);

/** The adapters behind the SMS webhook; `overrides` injects fakes or failures in tests. */
export function createSmsWebhookDependencies(
  config: Config,
  logger: Logger,
  overrides: Partial<SmsWebhookDependencies> = {},
  all: Adapters = defaultAdapters(config),
): SmsWebhookDependencies {
  const adapters = asFunction(all, 'twilio-sms-webhook');
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
