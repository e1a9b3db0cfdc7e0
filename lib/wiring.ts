// Builds the adapters behind each entry point from the validated config. Tests pass their own
// adapters (a test table's client, a manual clock, an in-process queue) through the same factories.
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { TwilioSmsOutbound } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import type { Config } from '#lib/config.ts';
import { ConfigError } from '#lib/errors.ts';
import type { SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import { type StatusWebhookDependencies, statusCallbackUrl } from '#lib/http/twilio-status-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { RatePacer } from '#lib/outbound/rate-pacer.ts';
import type { SendWorkerDependencies } from '#lib/outbound/send-worker.ts';
import { SqsSendQueue } from '#lib/outbound/sqs-send-queue.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { type Clock, systemClock } from '#lib/ports/clock.ts';
import type { QueueControl, SendQueue } from '#lib/ports/send-queue.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { DynamoConversationStore } from '#lib/store/dynamo-conversation-store.ts';
import { DynamoOutboundRepository } from '#lib/store/dynamo-outbound-repository.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';

export interface Adapters {
  client: DynamoDBDocumentClient;
  clock: Clock;
  queue: SendQueue & QueueControl;
}

let localQueue: InProcessQueue | undefined;

/**
 * Locally one in-process send queue serves the whole process: the webhooks enqueue into it and
 * `npm start` runs the send worker on it.
 */
export function localSendQueue(config: Config): InProcessQueue {
  localQueue ??= new InProcessQueue({
    clock: systemClock,
    visibilityTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS * 2,
    maxReceiveCount: config.SEND_MAX_ATTEMPTS + 5,
  });
  return localQueue;
}

export function defaultAdapters(config: Config): Adapters {
  const client = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  if (config.LIANXIN_ENV === 'local') return { client, clock: systemClock, queue: localSendQueue(config) };
  return {
    client,
    clock: systemClock,
    queue: new SqsSendQueue({
      client: new SQSClient({ region: config.AWS_REGION }),
      queueUrl: required(config.SEND_QUEUE_URL, 'SEND_QUEUE_URL'),
      deadLetterQueueUrl: required(config.SEND_DLQ_URL, 'SEND_DLQ_URL'),
    }),
  };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError(`invalid configuration (${name}: required in AWS)`);
  return value;
}

function outboundRepository(config: Config, adapters: Adapters): DynamoOutboundRepository {
  return new DynamoOutboundRepository({
    client: adapters.client,
    tableName: config.TABLE_NAME,
    messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS,
  });
}

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
  return {
    channel: new TwilioSmsInbound({
      authToken: config.TWILIO_AUTH_TOKEN,
      accountSid: config.TWILIO_ACCOUNT_SID,
      now: () => clock.now(),
    }),
    store: new DynamoConversationStore({ client, tableName, messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS }),
    clock,
    logger,
    alerts: new CoordinatorAlertNotifier({ roster: new RosterRepository({ client, tableName }), outbound }),
    sessionTtlHours: config.SESSION_TTL_HOURS,
    ...overrides,
  };
}

export function createStatusWebhookDependencies(
  config: Config,
  logger: Logger,
  adapters: Adapters = defaultAdapters(config),
): StatusWebhookDependencies {
  return {
    authToken: config.TWILIO_AUTH_TOKEN,
    repository: outboundRepository(config, adapters),
    clock: adapters.clock,
    logger,
  };
}

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
