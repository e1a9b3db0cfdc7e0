// How each entry point gets its adapters from the validated config. Tests pass their own (a test
// table's client, a manual clock, an in-process queue) through the same factories. One module per
// entry point, so that a function's bundle holds only what it uses (the webhook never the REST client).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '#lib/config/core.ts';
import { ConfigError } from '#lib/errors.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import type { SqsSendQueue } from '#lib/outbound/sqs-send-queue.ts';
import { type Clock, ShiftedClock, systemClock } from '#lib/ports/clock.ts';
import type { QueueControl, SendQueue } from '#lib/ports/send-queue.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

export interface Adapters {
  client: DynamoDBDocumentClient;
  clock: Clock;
  queue: SendQueue & QueueControl;
}

let localQueue: InProcessQueue | undefined;

/** Local time for the whole `npm start` process, which `npm run tick -- --at …` may move. */
export const localClock = new ShiftedClock();

/**
 * Locally one in-process send queue serves the whole process: the webhooks enqueue into it and
 * `npm start` runs the send worker on it.
 */
export function localSendQueue(config: Config): InProcessQueue {
  localQueue ??= new InProcessQueue({
    clock: localClock,
    visibilityTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS * 2,
    maxReceiveCount: config.SEND_MAX_ATTEMPTS + 5,
  });
  return localQueue;
}

export function defaultAdapters(config: Config): Adapters {
  const client = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  if (config.LIANXIN_ENV === 'local') return { client, clock: localClock, queue: localSendQueue(config) };
  return {
    client,
    clock: systemClock,
    queue: lazySqsSendQueue(
      config.AWS_REGION,
      required(config.SEND_QUEUE_URL, 'SEND_QUEUE_URL'),
      required(config.SEND_DLQ_URL, 'SEND_DLQ_URL'),
    ),
  };
}

/**
 * The SQS queue, with the SQS client loaded on first use: the SMS webhook enqueues only when an
 * answer raises an alert, and should not pay for the client on every cold start.
 */
function lazySqsSendQueue(
  region: string,
  queueUrl: string,
  deadLetterQueueUrl: string,
): SendQueue & QueueControl {
  let queue: Promise<SqsSendQueue> | undefined;
  const load = () => {
    queue ??= Promise.all([import('@aws-sdk/client-sqs'), import('#lib/outbound/sqs-send-queue.ts')]).then(
      ([sqs, adapter]) =>
        new adapter.SqsSendQueue({ client: new sqs.SQSClient({ region }), queueUrl, deadLetterQueueUrl }),
    );
    return queue;
  };
  return {
    send: async (bodies, delaySeconds) => (await load()).send(bodies, delaySeconds),
    changeVisibility: async (delivery, seconds) => (await load()).changeVisibility(delivery, seconds),
    deadLetter: async (delivery, reason) => (await load()).deadLetter(delivery, reason),
  };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError(`invalid configuration (${name}: required in AWS)`);
  return value;
}

export function outboundRepository(config: Config, adapters: Adapters): DynamoOutboundRepository {
  return new DynamoOutboundRepository({
    client: adapters.client,
    tableName: config.TABLE_NAME,
    messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS,
  });
}
