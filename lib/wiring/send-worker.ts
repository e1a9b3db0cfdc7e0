import { localOutbox } from '#lib/channels/local-outbox.ts';
import { TwilioSmsOutbound } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import type { Config } from '#lib/config.ts';
import { statusCallbackUrl } from '#lib/http/twilio-status-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { RatePacer } from '#lib/outbound/rate-pacer.ts';
import type { SendWorkerDependencies } from '#lib/outbound/send-worker.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';

/** The SMS channel lianxin sends through: Twilio in AWS, the outbox locally. */
export function defaultSmsChannel(config: Config): OutboundChannel {
  if (config.LIANXIN_ENV === 'local') return localOutbox;
  return new TwilioSmsOutbound({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    from: config.TWILIO_PHONE_NUMBER,
  });
}

export function createSendWorkerDependencies(
  config: Config,
  logger: Logger,
  adapters: Adapters = defaultAdapters(config),
  sms: OutboundChannel = defaultSmsChannel(config),
): SendWorkerDependencies {
  const pacer = new RatePacer(config.SEND_RATE_PER_SECOND / config.SEND_WORKER_CONCURRENCY);
  return {
    repository: outboundRepository(config, adapters),
    channels: { sms },
    contacts: new RosterRepository({ client: adapters.client, tableName: config.TABLE_NAME }),
    clock: adapters.clock,
    logger,
    policy: {
      maxAttempts: config.SEND_MAX_ATTEMPTS,
      loopGuardLimit: config.LOOP_GUARD_LIMIT,
      loopWindowMinutes: 5,
      claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS,
    },
    statusCallbackUrl: (key) => statusCallbackUrl(config.PUBLIC_URL, key),
    pace: () => pacer.take(),
  };
}
