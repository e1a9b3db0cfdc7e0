import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { twilioAuthToken } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { PendingWrites } from '#lib/outbound/pending-writes.ts';
import { processDelivery, type SendWorkerDependencies, withSendSlots } from '#lib/outbound/send-worker.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { QueueConsumer } from '#lib/ports/send-queue.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { keys } from '#lib/store/keys.ts';
import { createSendWorkerDependencies } from '#lib/wiring/send-worker.ts';
import { startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { address, type Step, StepTimes, timedRepository } from '#tests/bench/send-bench-parts.ts';
import { type OffThreadProducers, startProducersOffThread } from '#tests/bench/send-producers-thread.ts';
import { smsChannelTo } from '#tests/support/fake-twilio-server.ts';
import { startFakeTwilioOffThread } from '#tests/support/fake-twilio-thread.ts';

const CONTACTS = 1_000;
const CONCURRENCY = 32;
/** Sent through the whole path before anything is timed: DynamoDB Local's JVM compiles its hot code. */
const WARM_UP = 2_000;

function timedChannel(channel: OutboundChannel, times: StepTimes): OutboundChannel {
  return {
    name: channel.name,
    send: (to, body, options) => times.time('provider', () => channel.send(to, body, options)),
  };
}

/**
 * Sends `count` messages through the real enqueue, queue and send worker against the fake Twilio
 * server (no rate limit), next to a bare loop of sends at the same concurrency, after a warm-up of
 * the whole path that is not timed:
 *
 * - end to end, as it runs in AWS: the worker drains the queue (`CONCURRENCY` sends in flight, the next
 *   deliveries claimed behind them; an empty queue is waited on, as the SQS event source keeps
 *   polling) while the producers enqueue (`CONCURRENCY` at once), from the first enqueue to the last
 *   message sent and its `sent` write settled;
 * - then, on fresh keys, enqueue all and only then drain: each phase alone, with its DynamoDB requests.
 *
 * Each run also gives the mean time of each step of a message: the enqueue's conditional put; the
 * worker's claim (made while the slot's previous send is in flight), its provider call (which holds
 * the slot) and `sent` write (which does not).
 */
export async function sendFigures(count = 10_000, twilioLatencyMs = 0): Promise<Figure[]> {
  const bench = await startBenchTable('bench-send', { SEND_RATE_PER_SECOND: '0' });
  const { client, config, requests } = bench;
  // The fake Twilio in its own thread, as the provider is another machine in AWS: it neither takes this
  // thread's CPU time nor waits behind its work to answer (for the pipeline and the bare loop alike).
  const fake = await startFakeTwilioOffThread({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: twilioAuthToken(config),
  });
  let producers: OffThreadProducers | undefined;
  try {
    // Minimal contact profiles: the claim checks them at send time.
    for (let i = 0; i < CONTACTS; i += 25) {
      const batch = Array.from({ length: Math.min(25, CONTACTS - i) }, (_, j) => ({
        PutRequest: { Item: { ...keys.contactProfile(`bench-${i + j}`), optedOut: false } },
      }));
      await client.send(new BatchWriteCommand({ RequestItems: { [config.TABLE_NAME]: batch } }));
    }
    const sms = smsChannelTo(fake, config);
    const clock = new ManualClock('2026-12-05T04:00:00Z'); // noon in Shanghai
    const VISIBILITY_SECONDS = 600;
    // A delivery the worker threw on (a DynamoDB request failing under load) is left on the queue.
    const consumerErrors: unknown[] = [];
    const queue = new InProcessQueue({
      clock,
      visibilityTimeoutSeconds: VISIBILITY_SECONDS,
      maxReceiveCount: 10,
      onError: (error) => consumerErrors.push(error),
    });
    const logger = createLogger('bench');
    logger.setLogLevel('SILENT');
    const times = new StepTimes();
    // Producers and worker each on their own client, as in AWS (the tick or the API, and the send
    // worker's Lambda instances), counted together. The producers run in their own thread, as they are
    // other Lambda functions in AWS: their event loop and CPU time are not the worker's; their queue
    // sends come here, to the in-process queue, as SQS is a separate service. The worker's client has
    // two sockets for each send slot (the claims behind the sends and the `sent` writes share them): the
    // SDK's 50 a client are per Lambda instance, and the bench's 32 slots stand for several instances.
    const endpoint = config.DYNAMODB_ENDPOINT;
    const onRequest = () => {
      requests.count++;
    };
    const workerClient = createDocumentClient({
      region: 'local',
      endpoint,
      onRequest,
      maxSockets: 2 * CONCURRENCY,
    });
    const offThread = await startProducersOffThread({
      config,
      concurrency: CONCURRENCY,
      contacts: CONTACTS,
      queue,
    });
    producers = offThread;
    const wired = createSendWorkerDependencies(config, logger, { client: workerClient, clock, queue }, sms);
    const repository = timedRepository(wired.repository, times);
    // As the Lambda handler runs it (sqsSendWorker): the `sent` write goes on while the slot takes the
    // next delivery, and is settled before the drain counts as done.
    const writeErrors: unknown[] = [];
    const pendingWrites = new PendingWrites((error) => writeErrors.push(error));
    const worker: SendWorkerDependencies = {
      ...wired,
      repository,
      channels: { ...wired.channels, sms: timedChannel(sms, times) },
      pendingWrites,
    };
    // As the Lambda handler and the local server run it: CONCURRENCY sends in flight, the next
    // deliveries read and claimed behind them (withSendSlots).
    const slotted = withSendSlots(worker, CONCURRENCY);
    /** Deliveries the worker has finished (whatever their result), to split the overlapped run. */
    let finished = 0;
    const consumer: QueueConsumer = async (d, control) => {
      try {
        return await processDelivery(d, control, slotted.deps);
      } finally {
        finished++;
      }
    };

    /**
     * `CONCURRENCY` producers (in their thread), each enqueueing the next message until all `n` are;
     * their DynamoDB requests counted with the worker's, their puts timed with the worker's steps.
     */
    const enqueueAll = async (run: string, n = count) => {
      const done = await offThread.enqueueAll(run, n, clock.now());
      requests.count += done.requests;
      times.add('put', done.puts, done.putMs);
    };
    /**
     * After a drain: what the worker threw on comes back after the visibility timeout, as on SQS (the
     * clock moved on, not waited for), and is drained again. Returns how many such deliveries there were.
     */
    const redeliver = async () => {
      let redelivered = 0;
      for (let round = 0; round < 3 && queue.size() > 0; round++) {
        clock.advance(VISIBILITY_SECONDS * 1000);
        redelivered += (await queue.drain(consumer, { concurrency: slotted.concurrency })).processed;
      }
      return redelivered;
    };
    /** Every `sent` write settled and none failed; each of the `n` messages delivered and sent exactly once. */
    const checkAllSent = async (processed: number, run: string, n = count) => {
      await pendingWrites.settle();
      if (writeErrors.length > 0)
        throw new Error(`${writeErrors.length} sent writes failed`, { cause: writeErrors[0] });
      const sent = (await fake.requests()).filter((r) => r.answeredWith === 201);
      const distinct = new Set(sent.map((r) => r.body)).size;
      if (processed !== n || sent.length !== n || distinct !== n || queue.size() > 0) {
        // What became of the messages the fake never answered 201 for.
        const answered = new Set(sent.map((r) => Number(/第(\d+)条/.exec(r.body ?? '')?.[1])));
        const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !answered.has(i));
        const records = await Promise.all(
          missing.slice(0, 5).map((i) => repository.get(`bench#${run}#${i}`)),
        );
        const outcomes = records.map((m) => JSON.stringify(m?.statusHistory));
        throw new Error(
          `delivered ${processed}, sent ${sent.length} (${distinct} distinct) of ${n}; ${queue.size()} left on the queue; not sent: ${outcomes.join('; ')}`,
          { cause: consumerErrors[0] },
        );
      }
    };
    const freshFake = (latencyMs = twilioLatencyMs) => fake.reset(latencyMs);

    // Warm-up, not timed: the same path with Twilio answering at once.
    await freshFake(0);
    const warming = enqueueAll('warm-up', WARM_UP);
    const warm = await queue.drain(consumer, { concurrency: slotted.concurrency, until: warming });
    await warming;
    await redeliver();
    await checkAllSent(warm.processed, 'warm-up', WARM_UP);
    times.take();

    // The pipeline: the worker drains while the producers enqueue. Requests counted over the whole
    // run: the enqueue's and the worker's.
    await freshFake();
    requests.count = 0;
    const started = performance.now();
    const producing = enqueueAll('overlapped');
    let produced = started;
    const finishedBefore = finished;
    let sentWhileProducing = 0;
    void producing.then(() => {
      produced = performance.now();
      sentWhileProducing = finished - finishedBefore;
    });
    const overlapped = await queue.drain(consumer, { concurrency: slotted.concurrency, until: producing });
    await producing;
    const overlappedRedelivered = await redeliver();
    await checkAllSent(overlapped.processed, 'overlapped');
    const ended = performance.now();
    const endToEndRate = count / ((ended - started) / 1000);
    const producedRate = count / ((produced - started) / 1000);
    // The worker's rate while the producers enqueue, and after.
    const drainWhileProducing = sentWhileProducing / ((produced - started) / 1000);
    const drainAfterProducing = (count - sentWhileProducing) / ((ended - produced) / 1000);
    const endToEndRequests = requests.count / count;
    const overlappedSteps = times.take();

    // Enqueue all, then drain: each phase alone.
    await freshFake();
    requests.count = 0;
    const sequentialStarted = performance.now();
    await enqueueAll('sequential');
    const enqueued = performance.now();
    const enqueueRequests = requests.count / count;
    requests.count = 0;
    const { processed } = await queue.drain(consumer, { concurrency: slotted.concurrency });
    const sequentialRedelivered = await redeliver();
    await checkAllSent(processed, 'sequential');
    const drained = performance.now();
    const drainRequests = requests.count / count;
    const sequentialSteps = times.take();
    const enqueueRate = count / ((enqueued - sequentialStarted) / 1000);
    const sequentialRate = count / ((drained - sequentialStarted) / 1000);
    const drainRate = count / ((drained - enqueued) / 1000);

    // The bare loop: the same sends, nothing else, at the same concurrency.
    await freshFake();
    const bareStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < count; i = next++) await sms.send(address(i % CONTACTS), `【连心】第${i}条`);
      }),
    );
    const bareRate = count / ((performance.now() - bareStarted) / 1000);
    const label = `${count} msgs, fake Twilio latency ${twilioLatencyMs} ms, concurrency ${CONCURRENCY}`;
    const stepFigures = (run: string, steps: Record<Step, number>): Figure[] => [
      { name: `  ${run}: mean conditional put, enqueue (${label})`, value: steps.put, unit: 'ms' },
      { name: `  ${run}: mean claim, behind a send in flight (${label})`, value: steps.claim, unit: 'ms' },
      {
        name: `  ${run}: mean provider call, holds a send slot (${label})`,
        value: steps.provider,
        unit: 'ms',
      },
      {
        name: `  ${run}: mean sent write, after the slot (${label})`,
        value: steps['sent write'],
        unit: 'ms',
      },
    ];
    return [
      {
        name: `send path end to end, worker draining while producers enqueue (${label})`,
        value: endToEndRate,
        unit: 'msg/s',
      },
      { name: `bare sends (${label})`, value: bareRate, unit: 'msg/s' },
      {
        name: `ratio end to end / bare (${label})`,
        value: endToEndRate / bareRate,
        unit: 'x',
        target: '≥ 0.9',
      },
      {
        name: `DynamoDB requests per message, end to end, enqueue included (${label})`,
        value: endToEndRequests,
        unit: 'req',
        target: '≤ 3',
      },
      { name: `  end to end: producers' enqueue rate (${label})`, value: producedRate, unit: 'msg/s' },
      {
        name: `  end to end: worker's rate while the producers enqueue (${label})`,
        value: drainWhileProducing,
        unit: 'msg/s',
      },
      {
        name: `  end to end: worker's rate after the producers are done (${label})`,
        value: drainAfterProducing,
        unit: 'msg/s',
      },
      {
        name: `  end to end: deliveries the worker threw on, redelivered (${label})`,
        value: overlappedRedelivered,
        unit: '',
      },
      ...stepFigures('end to end', overlappedSteps),
      { name: `enqueue all, then drain (${label})`, value: sequentialRate, unit: 'msg/s' },
      { name: `  enqueue alone (${label})`, value: enqueueRate, unit: 'msg/s' },
      { name: `  drain alone (${label})`, value: drainRate, unit: 'msg/s' },
      { name: `  ratio drain alone / bare (${label})`, value: drainRate / bareRate, unit: 'x' },
      { name: `  DynamoDB requests per message, enqueue (${label})`, value: enqueueRequests, unit: 'req' },
      { name: `  DynamoDB requests per message, drain (${label})`, value: drainRequests, unit: 'req' },
      {
        name: `  deliveries the worker threw on, redelivered (${label})`,
        value: sequentialRedelivered,
        unit: '',
      },
      ...stepFigures('then', sequentialSteps),
    ];
  } finally {
    await producers?.close();
    await fake.close();
    await bench.stop();
  }
}
