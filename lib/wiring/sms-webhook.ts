import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { type BroadcastDependencies, BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { type Config, twilioAuthToken } from '#lib/config.ts';
import { broadcastPricing } from '#lib/config-broadcast.ts';
import { ConfigError } from '#lib/errors.ts';
import type { SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { BroadcastRepository } from '#lib/store/broadcast-repository.ts';
import { DynamoConversationStore } from '#lib/store/dynamo-conversation-store.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';

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
    broadcasts: smsBroadcasts(config, {
      broadcasts: new BroadcastRepository({ client, tableName }),
      roster,
      outbound,
      clock,
      logger,
    }),
    ...overrides,
  };
}

/**
 * The coordinators' GB command previews, so it needs the SMS price. Without one (not configured for
 * this deployment) GB is an ordinary message: a missing price must never stop carers' answers.
 */
function smsBroadcasts(
  config: Config,
  deps: Omit<BroadcastDependencies, 'pricing'>,
): BroadcastService | undefined {
  try {
    return new BroadcastService({ ...deps, pricing: broadcastPricing(config) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    deps.logger.warn('broadcasts by SMS are off: no SMS price configured', { error });
    return undefined;
  }
}
