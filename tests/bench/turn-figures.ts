import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { systemClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { localSendQueue } from '#lib/wiring/adapters.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';

const CARER = '+8613800000001';
// One full check-in for two children: 12 answers, none of which raises an alert.
const ANSWERS = ['3', '１', '一', '1个', '是', '0', '2', '2', '1', '1', '否', '0'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Mid-check-in turns through the real handler (middy, signature check, engine, store) against
 * DynamoDB Local, with every DynamoDB HTTP request counted by an SDK middleware.
 */
export async function turnFigures(rounds = 50): Promise<Figure[]> {
  const bench = await startBenchTable('bench-turns');
  const { client, config, requests } = bench;
  try {
    await seedDemoRoster(new RosterRepository({ client, tableName: config.TABLE_NAME }));
    const logger = createLogger('bench');
    logger.setLogLevel('ERROR');
    const adapters = { client, clock: systemClock, queue: localSendQueue(config) };
    const handler = createSmsWebhookHandler(
      createSmsWebhookDependencies(config, logger, {}, adapters),
      config.PUBLIC_URL,
    );

    const latencies: number[] = [];
    const requestCounts: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await invoke(handler, smsEvent(config, { from: CARER, body: '签到' }));
      for (const [i, answer] of ANSWERS.entries()) {
        const event = smsEvent(config, { from: CARER, body: answer });
        requests.count = 0;
        const started = performance.now();
        const result = await invoke(handler, event);
        const elapsed = performance.now() - started;
        if (result.statusCode !== 200) throw new Error(`turn failed: ${result.statusCode} ${result.body}`);
        // The last answer ends the check-in; every other one is mid-flow.
        if (i < ANSWERS.length - 1) {
          latencies.push(elapsed);
          requestCounts.push(requests.count);
        }
      }
    }
    latencies.sort((a, b) => a - b);
    const meanRequests = requestCounts.reduce((a, b) => a + b, 0) / requestCounts.length;
    return [
      { name: 'mid-check-in turns measured', value: latencies.length, unit: 'turns', target: '≥ 500' },
      { name: 'turn latency p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'turn latency p95', value: percentile(latencies, 95), unit: 'ms' },
      { name: 'turn latency p99', value: percentile(latencies, 99), unit: 'ms' },
      { name: 'DynamoDB requests per mid-flow turn (mean)', value: meanRequests, unit: 'req', target: '2' },
      {
        name: 'DynamoDB requests per mid-flow turn (max)',
        value: Math.max(...requestCounts),
        unit: 'req',
        target: '2',
      },
    ];
  } finally {
    await bench.stop();
  }
}
