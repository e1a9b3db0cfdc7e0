import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { twilioAuthToken } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { PendingWrites } from '#lib/outbound/pending-writes.ts';
import { processDelivery } from '#lib/outbound/send-worker.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { keys } from '#lib/store/keys.ts';
import { createSendWorkerDependencies } from '#lib/wiring/send-worker.ts';
import { startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { smsChannelTo, startFakeTwilio } from '#tests/support/fake-twilio-server.ts';

const CONTACTS = 1_000;
const CONCURRENCY = 32;

const address = (i: number) => `+86139${String(i).padStart(8, '0')}`;

/**
 * Enqueue and drain `count` messages through the real enqueue, queue and send worker against the
 * fake Twilio server (no rate limit), next to a bare loop of sends at the same concurrency.
 */
export async function sendFigures(count = 10_000, twilioLatencyMs = 0): Promise<Figure[]> {
  const bench = await startBenchTable('bench-send', { SEND_RATE_PER_SECOND: '0' });
  const { client, config, requests } = bench;
  const fake = await startFakeTwilio({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: twilioAuthToken(config),
  });
  fake.latencyMs = twilioLatencyMs;
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
    const queue = new InProcessQueue({ clock, visibilityTimeoutSeconds: 600, maxReceiveCount: 10 });
    const logger = createLogger('bench');
    logger.setLogLevel('SILENT');
    const service = new OutboundService({
      repository: createSendWorkerDependencies(config, logger, { client, clock, queue }, sms).repository,
      queue,
      clock,
      logger,
    });
    // As the Lambda handler runs it (sqsSendWorker): the `sent` write goes on while the slot takes the
    // next delivery, and is settled before the drain counts as done.
    const writeErrors: unknown[] = [];
    const pendingWrites = new PendingWrites((error) => writeErrors.push(error));
    const worker = {
      ...createSendWorkerDependencies(config, logger, { client, clock, queue }, sms),
      pendingWrites,
    };

    requests.count = 0;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < count; i = next++) {
          await service.enqueue({
            key: `bench#${i}`,
            recipient: { contactId: `bench-${i % CONTACTS}`, channel: 'sms', address: address(i % CONTACTS) },
            body: `【连心】第${i}条：本周活动剪纸、作业辅导。`,
            kind: 'broadcast',
          });
        }
      }),
    );
    const enqueued = performance.now();
    const { processed } = await queue.drain((d, control) => processDelivery(d, control, worker), {
      concurrency: CONCURRENCY,
    });
    await pendingWrites.settle();
    if (writeErrors.length > 0)
      throw new Error(`${writeErrors.length} sent writes failed`, { cause: writeErrors[0] });
    const drained = performance.now();
    const sent = fake.requests.filter((r) => r.answeredWith === 201).length;
    if (processed !== count || sent !== count) throw new Error(`sent ${sent} of ${count}`);
    const dynamoPerMessage = requests.count / count;

    // The bare loop: the same sends, nothing else, at the same concurrency.
    fake.reset();
    fake.latencyMs = twilioLatencyMs;
    const bareStarted = performance.now();
    next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < count; i = next++) await sms.send(address(i % CONTACTS), `【连心】第${i}条`);
      }),
    );
    const bareRate = count / ((performance.now() - bareStarted) / 1000);
    const endToEndRate = count / ((drained - started) / 1000);
    const sendRate = count / ((drained - enqueued) / 1000);
    const label = `${count} msgs, fake Twilio latency ${twilioLatencyMs} ms, concurrency ${CONCURRENCY}`;
    return [
      { name: `send path end to end, enqueue + drain (${label})`, value: endToEndRate, unit: 'msg/s' },
      { name: `send path, drain only (${label})`, value: sendRate, unit: 'msg/s' },
      { name: `bare sends (${label})`, value: bareRate, unit: 'msg/s' },
      {
        name: `ratio end to end / bare (${label})`,
        value: endToEndRate / bareRate,
        unit: 'x',
        target: '≥ 0.9',
      },
      { name: `ratio drain / bare (${label})`, value: sendRate / bareRate, unit: 'x', target: '≥ 0.9' },
      {
        name: `DynamoDB requests per message (${label})`,
        value: dynamoPerMessage,
        unit: 'req',
        target: '≤ 3',
      },
    ];
  } finally {
    await fake.close();
    await bench.stop();
  }
}
