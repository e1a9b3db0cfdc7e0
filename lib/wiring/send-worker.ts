import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AliyunSmsOutbound } from '#lib/channels/aliyun-sms/aliyun-sms-outbound.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { FailoverSmsChannel } from '#lib/channels/mainland-sms-failover.ts';
import { PerNumberSmsChannel } from '#lib/channels/mainland-sms-router.ts';
import { TencentSmsOutbound } from '#lib/channels/tencent-sms/tencent-sms-outbound.ts';
import { TwilioSmsOutbound } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import { LocalWechatApi } from '#lib/channels/wechat/local-wechat-api.ts';
import { AccessTokenCache } from '#lib/channels/wechat/wechat-access-token.ts';
import { HttpWechatApi } from '#lib/channels/wechat/wechat-api.ts';
import { WechatOutbound } from '#lib/channels/wechat/wechat-outbound.ts';
import { type Config, twilioAuthToken } from '#lib/config/core.ts';
import type { MainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { wechatOutboundSettings } from '#lib/config/wechat.ts';
import { statusCallbackUrl } from '#lib/http/twilio-status-webhook.ts';
import { createLogger, type Logger } from '#lib/observability/logger.ts';
import { traced } from '#lib/observability/process-observability.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { PendingWrites } from '#lib/outbound/pending-writes.ts';
import { RatePacer } from '#lib/outbound/rate-pacer.ts';
import { smsReroute } from '#lib/outbound/reroute-to-sms.ts';
import { processDelivery, type SendWorkerDependencies, withSendSlots } from '#lib/outbound/send-worker.ts';
import { SQS_QUEUE_CONTROL, SQS_SEND_QUEUE } from '#lib/outbound/sqs-access.ts';
import { processSqsBatch } from '#lib/outbound/sqs-batch.ts';
import { SqsQueueControl } from '#lib/outbound/sqs-queue-control.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { type BusinessMetrics, noMetrics } from '#lib/ports/metrics.ts';
import type { QueueControl } from '#lib/ports/send-queue.ts';
import { WechatWindowRepository } from '#lib/store/conversation/wechat-window-repository.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  type Adapters,
  asFunction,
  defaultAdapters,
  localSendQueue,
  outboundRepository,
  required,
} from '#lib/wiring/adapters.ts';
import { loadOnce } from '#lib/wiring/load-once.ts';

/** Everything the send worker may send to AWS: the union over what its wiring builds. */
export const SEND_WORKER_ACCESS = accessOf(
  DynamoOutboundRepository,
  RosterRepository,
  WechatWindowRepository,
  AliyunSmsOutbound,
  TencentSmsOutbound,
  SQS_SEND_QUEUE,
  SQS_QUEUE_CONTROL,
);

/** Sends in flight at once in one invocation (the rate is paced per worker anyway). */
const SENDS_PER_INVOCATION = 4;

/**
 * The Lambda handler's work on one SQS batch: each record a delivery, four sends at a time with the
 * next four claimed behind them (withSendSlots); the `sent` writes the deliveries left running are
 * settled before the batch response goes back (and with it, the deletion of the records).
 */
export function sqsSendWorker(
  deps: SendWorkerDependencies,
  control: QueueControl,
  logger: Logger,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const pendingWrites =
    deps.pendingWrites ??
    new PendingWrites((error) =>
      logger.error('recording a sent message failed; the sweeper settles it', { error: error as Error }),
    );
  const slotted = withSendSlots({ ...deps, pendingWrites }, SENDS_PER_INVOCATION);
  return async (event) => {
    try {
      return await processSqsBatch(
        event,
        (delivery, c) => processDelivery(delivery, c, slotted.deps),
        control,
        {
          concurrency: slotted.concurrency,
          onError: (error, delivery) =>
            logger.error('send failed unexpectedly', {
              messageId: delivery.messageId,
              error: error as Error,
            }),
        },
      );
    } finally {
      await pendingWrites.settle();
    }
  };
}

/**
 * What the worker does with a delivery besides finishing it: the SQS queue's control in AWS (the
 * client loaded on the first retry or dead letter), the in-process queue itself locally.
 */
export function defaultQueueControl(config: Config): QueueControl {
  if (config.LIANXIN_ENV === 'local') return localSendQueue(config);
  const queueUrl = required(config.SEND_QUEUE_URL, 'SEND_QUEUE_URL');
  const deadLetterQueueUrl = required(config.SEND_DLQ_URL, 'SEND_DLQ_URL');
  const load = loadOnce(async () => {
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    const client = traced(new SQSClient({ region: config.AWS_REGION }));
    return new SqsQueueControl({ client, queueUrl, deadLetterQueueUrl });
  });
  return {
    changeVisibility: async (delivery, seconds) => (await load()).changeVisibility(delivery, seconds),
    deadLetter: async (delivery, reason) => (await load()).deadLetter(delivery, reason),
  };
}

/** The domestic provider's channel, when its settings are there. */
function mainlandChannel(
  provider: 'aliyun' | 'tencent' | undefined,
  mainland: MainlandSmsSettings,
): (OutboundChannel & { provider: string }) | undefined {
  if (provider === 'aliyun' && mainland.aliyun) return new AliyunSmsOutbound(mainland.aliyun);
  if (provider === 'tencent' && mainland.tencent) return new TencentSmsOutbound(mainland.tencent);
  return undefined;
}

/**
 * The SMS channel lianxin sends through: Twilio in AWS, the outbox locally; with a mainland provider
 * configured, +86 mobiles go by it instead (locally: the SendSms stand-in, which records in the outbox),
 * and by the second provider (SMS_FALLBACK_PROVIDER) when the first fails.
 */
export function defaultSmsChannel(
  config: Config,
  mainland?: MainlandSmsSettings,
  /** Where failovers to the second provider are counted. */
  metrics: BusinessMetrics = noMetrics,
): OutboundChannel {
  const international =
    config.LIANXIN_ENV === 'local'
      ? localOutbox
      : new TwilioSmsOutbound({
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: twilioAuthToken(config),
          from: config.TWILIO_PHONE_NUMBER,
        });
  if (!mainland || mainland.provider === 'twilio') return international;
  const first = mainlandChannel(mainland.provider, mainland);
  if (!first) return international;
  const second = mainlandChannel(mainland.fallback, mainland);
  const domestic = second
    ? new FailoverSmsChannel(first, second, metrics, createLogger('send-worker'))
    : first;
  return new PerNumberSmsChannel(international, domestic);
}

/**
 * The WeChat channel, when WeChat is configured: WeChat's API in AWS (or WECHAT_API_BASE_URL, the fake
 * in tests), the local outbox in `npm start`; the 48-hour windows are counted in the table either way.
 */
export function defaultWechatChannel(config: Config, adapters: Adapters): OutboundChannel | undefined {
  const settings = wechatOutboundSettings(config);
  if (!settings) return undefined;
  const api =
    config.LIANXIN_ENV === 'local' && !config.WECHAT_API_BASE_URL
      ? new LocalWechatApi(localOutbox)
      : new HttpWechatApi({
          appId: settings.appId,
          appSecret: settings.appSecret,
          baseUrl: settings.apiBaseUrl,
        });
  return new WechatOutbound({
    api,
    tokens: new AccessTokenCache({ api, clock: adapters.clock }),
    windows: new WechatWindowRepository({ client: adapters.client, tableName: config.TABLE_NAME }),
    templates: settings.templates,
    clock: adapters.clock,
  });
}

export function createSendWorkerDependencies(
  config: Config,
  logger: Logger,
  all: Adapters = defaultAdapters(config),
  sms: OutboundChannel = defaultSmsChannel(config),
  wechat: OutboundChannel | undefined = defaultWechatChannel(config, asFunction(all, 'send-worker')),
): SendWorkerDependencies {
  const adapters = asFunction(all, 'send-worker');
  const pacer = new RatePacer(config.SEND_RATE_PER_SECOND / config.SEND_WORKER_CONCURRENCY);
  const repository = outboundRepository(config, adapters);
  const roster = new RosterRepository({ client: adapters.client, tableName: config.TABLE_NAME });
  return {
    repository,
    channels: wechat ? { sms, wechat } : { sms },
    contacts: roster,
    // The SMS fallback for what WeChat cannot deliver: a copy enqueued on the send queue.
    reroute: smsReroute({
      roster,
      outbound: new OutboundService({ repository, queue: adapters.queue, clock: adapters.clock, logger }),
    }),
    clock: adapters.clock,
    logger,
    policy: {
      maxAttempts: config.SEND_MAX_ATTEMPTS,
      loopGuardLimit: config.LOOP_GUARD_LIMIT,
      loopWindowMinutes: 5,
      claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS,
    },
    statusCallbackUrl: (key) => statusCallbackUrl(config.PUBLIC_URL, key),
    requeue: (body, delaySeconds) => adapters.queue.send([body], delaySeconds),
    pace: () => pacer.take(),
    metrics: adapters.metrics,
  };
}
