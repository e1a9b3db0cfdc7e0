// The send bench's producers in a worker thread (see startProducersOffThread): their own event loop and
// DynamoDB client, as the tick and the API are other Lambda functions in AWS. Their queue is the
// starting thread's in-process queue, reached by message as SQS is a separate service.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { createSendWorkerDependencies } from '#lib/wiring/send-worker.ts';
import { address, StepTimes, timedRepository } from '#tests/bench/send-bench-parts.ts';

/** What the starting thread asks of the producers. */
export type ProducersCommand =
  | { op: 'enqueueAll'; id: number; run: string; n: number; now: string }
  | { op: 'queueSent'; queueId: number; error?: string };

/** What the producers send back: a queue send to make, or an `enqueueAll` done. */
export type ProducersMessage =
  | { op: 'ready' }
  | { op: 'queueSend'; queueId: number; bodies: string[]; delaySeconds?: number | undefined }
  | { op: 'enqueued'; id: number; requests: number; puts: number; putMs: number; error?: string };

export interface ProducersData {
  config: Config;
  concurrency: number;
  contacts: number;
}

if (!parentPort) throw new Error('send-producers-thread-entry runs in a worker thread');
const port = parentPort;
const { config, concurrency, contacts } = workerData as ProducersData;

// The queue: each send made by the starting thread on its in-process queue, and answered.
const queueSends = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
let nextQueueId = 0;
const queue: SendQueue = {
  send: (bodies, delaySeconds) =>
    new Promise<void>((resolve, reject) => {
      const queueId = nextQueueId++;
      queueSends.set(queueId, { resolve, reject });
      port.postMessage({ op: 'queueSend', queueId, bodies, delaySeconds } satisfies ProducersMessage);
    }),
};

let requests = 0;
const client = createDocumentClient({
  region: 'local',
  endpoint: config.DYNAMODB_ENDPOINT,
  onRequest: () => {
    requests++;
  },
});
const clock = new ManualClock(new Date(0));
const logger = createLogger('bench');
logger.setLogLevel('SILENT');
// The same wiring as the bench's producers had on the main thread.
const repository = createSendWorkerDependencies(config, logger, { client, clock, queue }).repository;
// The conditional put timed, as the bench times it on the main thread.
const times = new StepTimes();
const timed = timedRepository(repository, times);
const service = new OutboundService({ repository: timed, queue, clock, logger });

/** `concurrency` producers, each enqueueing the next message until all `n` are. */
async function enqueueAll(run: string, n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        await service.enqueue({
          key: `bench#${run}#${i}`,
          recipient: { contactId: `bench-${i % contacts}`, channel: 'sms', address: address(i % contacts) },
          body: `【连心】第${i}条：本周活动剪纸、作业辅导。`,
          kind: 'broadcast',
        });
      }
    }),
  );
}

port.on('message', async (command: ProducersCommand) => {
  if (command.op === 'queueSent') {
    const pending = queueSends.get(command.queueId);
    queueSends.delete(command.queueId);
    if (command.error === undefined) pending?.resolve();
    else pending?.reject(new Error(command.error));
    return;
  }
  clock.set(command.now);
  requests = 0;
  times.takeTotal('put');
  let error: string | undefined;
  try {
    await enqueueAll(command.run, command.n);
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  const { calls: puts, ms: putMs } = times.takeTotal('put');
  port.postMessage({
    op: 'enqueued',
    id: command.id,
    requests,
    puts,
    putMs,
    ...(error === undefined ? {} : { error }),
  } satisfies ProducersMessage);
});
port.postMessage({ op: 'ready' } satisfies ProducersMessage);
