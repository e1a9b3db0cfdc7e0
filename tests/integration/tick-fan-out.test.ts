// The tick fanned out: a unit per shard of the due index, each bounded in rows and continuing from
// its cursor; a unit that fails halfway and is retried from the same cursor misses nothing and does
// nothing twice. The due rows here are stranded messages (queued, never handed to the queue), which
// the tick's sweeper hands to the queue once each.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LocalOutbox } from '#lib/channels/local-outbox.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { newOutboundMessage } from '#lib/domain/outbound-message.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { SchedulerDependencies } from '#lib/schedule/scheduler-tick.ts';
import { runTickInProcess, runTickUnit, type TickUnit, tickUnits } from '#lib/schedule/tick-dispatcher.ts';
import { STRANDED_AFTER_MS } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const clock = new ManualClock('2026-12-05T02:00:00Z');
const PARENT = { contactId: 'contact-li-baba', channel: 'sms' as const, address: '+8613900000001' };

/** Each test's own table with the demo roster: a unit left half done in one test is not another's. */
async function freshTable(): Promise<{ table: TestTable; config: Config }> {
  const table = await createTestTable();
  const config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    LOOP_GUARD_LIMIT: '100',
  });
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  return { table, config };
}

/** `count` messages written but never handed to the queue (the enqueue died after the put). */
async function strand(harness: ReturnType<typeof outboundHarness>, prefix: string, count: number) {
  for (let i = 0; i < count; i++) {
    const message = newOutboundMessage(
      {
        key: `${prefix}#${i}`,
        recipient: PARENT,
        body: `【连心】消息 ${prefix} ${i}`,
        kind: 'digest',
        urgent: true,
      },
      clock.now(),
    );
    expect(await harness.worker.repository.create(message)).toBe(true);
  }
}

async function world(prefix: string) {
  const { table, config } = await freshTable();
  const outbox = new LocalOutbox();
  const harness = outboundHarness(config, table, clock, outbox);
  const logger = createLogger('test-tick');
  logger.setLogLevel('SILENT');
  const deps = createSchedulerDependencies(config, logger, harness.adapters);
  const sentOf = () =>
    outbox
      .list()
      .filter((m) => m.body.includes(` ${prefix} `))
      .map((m) => m.body);
  return { table, harness, deps, sentOf };
}

describe('the tick fanned out per shard', () => {
  it('a unit per shard, each bounded and continuing from its cursor, covers every due row once', async () => {
    clock.set('2026-12-05T02:00:00Z');
    const { harness, deps, sentOf } = await world('fan');
    await strand(harness, 'fan', 40);
    expect(tickUnits(clock.now()).map((u) => u.shard)).toEqual([...Array(DUE_INDEX.shards).keys()]);
    clock.advance(STRANDED_AFTER_MS + 60_000);
    const report = await runTickInProcess(deps, clock.now(), 2);
    expect(report.recovered).toBe(40);
    expect(harness.queue.size()).toBe(40);
    await harness.drain();
    expect(sentOf()).toHaveLength(40);
    expect(new Set(sentOf()).size).toBe(40);
  });

  it('a unit that fails halfway and is retried from its cursor misses nothing and does nothing twice', async () => {
    clock.set('2026-12-12T02:00:00Z');
    const { harness, deps, sentOf } = await world('retry');
    await strand(harness, 'retry', 40);
    clock.advance(STRANDED_AFTER_MS + 60_000);
    // The due index fails on the third page any unit reads, once: that unit dies after doing its first pages.
    let pages = 0;
    const flaky: SchedulerDependencies = {
      ...deps,
      schedules: Object.assign(Object.create(deps.schedules), {
        queryDue: (...args: Parameters<typeof deps.schedules.queryDue>) => {
          pages++;
          if (pages === 3) return Promise.reject(new Error('DynamoDB timed out'));
          return deps.schedules.queryDue(...args);
        },
      }),
    };
    let failures = 0;
    let units = 0;
    const pendingUnits: TickUnit[] = tickUnits(clock.now());
    while (pendingUnits.length > 0) {
      const unit = pendingUnits.shift() as TickUnit;
      units++;
      try {
        const { next } = await runTickUnit(flaky, unit, 1);
        if (next) pendingUnits.push(next);
      } catch {
        // As Lambda does with an async event: the same unit again.
        failures++;
        pendingUnits.unshift(unit);
      }
    }
    expect(failures).toBe(1);
    expect(units).toBeGreaterThan(DUE_INDEX.shards + 20);
    expect(harness.queue.size()).toBe(40);
    await harness.drain();
    expect(sentOf()).toHaveLength(40);
    expect(new Set(sentOf()).size).toBe(40);
    // A second tick later: nothing due again, nothing more sent.
    clock.advance(2 * 3_600_000);
    await runTickInProcess(deps, clock.now(), 5);
    await harness.drain();
    expect(sentOf()).toHaveLength(40);
  });

  it('lowering DUE_INDEX_SHARDS loses nothing while the tick still reads the old shards', async () => {
    clock.set('2026-12-19T02:00:00Z');
    const { table, harness, deps, sentOf } = await world('reshard');
    const saved = { write: process.env.DUE_INDEX_SHARDS, read: process.env.DUE_INDEX_READ_SHARDS };
    const setShards = (write: string | undefined, read: string | undefined) => {
      for (const [name, value] of [
        ['DUE_INDEX_SHARDS', write],
        ['DUE_INDEX_READ_SHARDS', read],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    try {
      // Written while the deployment had 32 shards: some land on shards 16…31.
      setShards('32', undefined);
      await strand(harness, 'reshard', 40);
      const shards = await table.client.send(
        new ScanCommand({
          TableName: table.tableName,
          FilterExpression: 'begins_with(pk, :pk)',
          ExpressionAttributeValues: { ':pk': 'OUTBOUND#reshard' },
          ProjectionExpression: 'dueShard',
        }),
      );
      const numbers = (shards.Items ?? []).map((i) => Number(String(i.dueShard).slice(4)));
      expect(numbers).toHaveLength(40);
      expect(Math.max(...numbers)).toBeGreaterThanOrEqual(16);
      clock.advance(STRANDED_AFTER_MS + 60_000);

      // Lowered to 16 with nothing else: the tick reads 16 shards and misses what is on the others.
      setShards('16', undefined);
      expect(tickUnits(clock.now())).toHaveLength(16);
      // Lowered as docs/measured.md says: the tick goes on reading the 32.
      setShards('16', '32');
      expect(tickUnits(clock.now()).map((u) => u.shard)).toEqual([...Array(32).keys()]);
      const report = await runTickInProcess(deps, clock.now(), 5);
      expect(report.recovered).toBe(40);
      await harness.drain();
      expect(new Set(sentOf()).size).toBe(40);
      expect(sentOf()).toHaveLength(40);
    } finally {
      setShards(saved.write, saved.read);
    }
  });
});
