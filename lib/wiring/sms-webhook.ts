import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { type Config, twilioAuthToken } from '#lib/config.ts';
import type { SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { BroadcastRepository } from '#lib/store/broadcast-repository.ts';
import { DynamoConversationStore } from '#lib/store/dynamo-conversation-store.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { textBroadcasts } from '#lib/wiring/broadcasts.ts';

/** The adapters behind the SMS webhook; `overrides` injects fakes or failures in tests. */
export function createSmsWebhookDependencies(
  config: Config,
  logger: Logger,
  overrides: Partial<SmsWebhookDependencies> = {},
  adapters: Adapters = defaultAdapters(config),
): SmsWebhookDependencies {
  const { client, clock, queue } = adapters;
  const tableName = config.TABLE_NAME;
  const outbound = new OutboundService({
    repository: outboundRepository(config, adapters),
    queue,
    clock,
    logger,
  });
  const roster = new RosterRepository({ client, tableName });
  return {
    channel: new TwilioSmsInbound({
      authToken: twilioAuthToken(config),
      accountSid: config.TWILIO_ACCOUNT_SID,
      now: () => clock.now(),
    }),
    store: new DynamoConversationStore({ client, tableName, messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS }),
    clock,
    logger,
    alerts: new CoordinatorAlertNotifier({ roster, outbound }),
    sessionTtlHours: config.SESSION_TTL_HOURS,
    broadcasts: textBroadcasts(config, {
      broadcasts: new BroadcastRepository({ client, tableName }),
      roster,
      outbound,
      clock,
      logger,
    }),
    ...overrides,
  };
}
