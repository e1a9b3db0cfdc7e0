// How each entry point gets its adapters from the validated config. Tests pass their own (a test
// table's client, a manual clock, an in-process queue) through the same factories. One module per
// entry point, so that a function's bundle holds only what it uses (the webhook never the REST client).
import type { Config } from '#lib/config/core.ts';
import { ConfigError } from '#lib/errors.ts';
import { traced } from '#lib/observability/process-observability.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { SqsSendQueue } from '#lib/outbound/sqs-send-queue.ts';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import { loadOnce } from '#lib/wiring/load-once.ts';
import { localClock, type StoreAdapters, storeAdapters } from '#lib/wiring/store-adapters.ts';

export { asFunction, localClock, outboundRepository } from '#lib/wiring/store-adapters.ts';

export interface Adapters extends StoreAdapters {
  /** Where outbound messages go (enqueue only: the send worker's queue control is its own). */
  queue: SendQueue;
}

let localQueue: InProcessQueue | undefined;

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
  const store = storeAdapters(config);
  if (config.LIANXIN_ENV === 'local') return { ...store, queue: localSendQueue(config) };
  return {
    ...store,
    queue: lazySqsSendQueue(config.AWS_REGION, required(config.SEND_QUEUE_URL, 'SEND_QUEUE_URL')),
  };
}

/**
 * The SQS queue, with the SQS client loaded on first use: the SMS webhook enqueues only when an
 * answer raises an alert, and should not pay for the client on every cold start.
 */
function lazySqsSendQueue(region: string, queueUrl: string): SendQueue {
  const load = loadOnce(async () => {
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    return new SqsSendQueue({ client: traced(new SQSClient({ region })), queueUrl });
  });
  return { send: async (bodies, delaySeconds) => (await load()).send(bodies, delaySeconds) };
}

export function required(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError(`invalid configuration (${name}: required in AWS)`);
  return value;
}
