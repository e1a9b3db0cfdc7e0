// The scheduler tick over a large roster: 100,000 carers with their weekly schedule, of whom a part
// is due. The tick finds them through the due index, so its cost follows the due set, not the roster.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dueIndexShards } from '#lib/config/due-index.ts';
import { addWeeks, atWeekTime } from '#lib/domain/weekly-schedule.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import { runTickUnit, type TickUnit, tickUnits } from '#lib/schedule/tick-dispatcher.ts';
import { dueIndexKeys, keys } from '#lib/store/keys.ts';
import { scheduleItemId } from '#lib/store/schedule/schedule-items.ts';
import { createSchedulerDependencies, TICK_UNIT_MAX_ITEMS } from '#lib/wiring/scheduler-tick.ts';
import { seedItems, startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';

const WEEK = '2026-W49';
/** The contacts' due times are spread over 70 minutes from Saturday 10:00: one slot in 70 per minute. */
const SLOTS = 70;
const SEED_CONCURRENCY = 16;

/**
 * Seeds `contacts` carers (schedule + contact projection, as the roster writes them), then runs the
 * tick twice on the same table: when 1/70 of them are due, then when the next 1/7 are.
 */
export async function tickFigures(contacts = 100_000): Promise<Figure[]> {
  // The shards the tick reads (DUE_INDEX_READ_SHARDS, default DUE_INDEX_SHARDS): `DUE_INDEX_SHARDS=32
  // npm run bench -- tick` measures another count.
  const shards = dueIndexShards().read;
  const bench = await startBenchTable('bench-tick');
  const { client, config, requests } = bench;
  try {
    const start = atWeekTime(WEEK, { weekday: 6, time: '10:00' });
    const seeded = performance.now();
    await seed(client, config.TABLE_NAME, contacts, start);
    const seedSeconds = (performance.now() - seeded) / 1000;

    const clock = new ManualClock(start);
    const queue = new InProcessQueue({ clock, visibilityTimeoutSeconds: 600, maxReceiveCount: 10 });
    const logger = createLogger('bench-tick');
    logger.setLogLevel('SILENT');
    const deps = createSchedulerDependencies(
      config,
      logger,
      { client, clock, queue },
      { budgetMs: 3_600_000 },
    );

    const figures: Figure[] = [
      {
        name: `tick bench: seeding ${contacts} carers' schedules and projections`,
        value: seedSeconds,
        unit: 's',
      },
    ];
    const measure = async (label: string, minutes: number) => {
      clock.set(new Date(start.getTime() + minutes * 60_000));
      requests.count = 0;
      const started = performance.now();
      const report = await runSchedulerTick(deps, clock.now());
      const ms = performance.now() - started;
      if (report.failed > 0) throw new Error(`${report.failed} items failed`);
      const due = report.enqueued.invitation ?? 0;
      const name = `tick over ${contacts} contacts, ${due} due (${label})`;
      if (due === 0) {
        figures.push(
          { name: `${name}: wall time`, value: ms / 1000, unit: 's' },
          {
            name: `${name}: DynamoDB requests`,
            value: requests.count,
            unit: 'req',
            target: `${shards} (one query a shard)`,
          },
        );
        return due;
      }
      figures.push(
        { name: `${name}: wall time`, value: ms / 1000, unit: 's' },
        { name: `${name}: DynamoDB requests`, value: requests.count, unit: 'req' },
        {
          name: `${name}: DynamoDB requests per due contact`,
          value: (requests.count - shards) / due,
          unit: 'req',
          target: `≤ 4 (+${shards} queries a tick)`,
        },
        { name: `${name}: due contacts per second`, value: due / (ms / 1000), unit: '/s' },
      );
      return due;
    };
    // 1/70 due: the slot at 10:00. Then 1/7: the next ten slots, 10:01 to 10:10.
    const few = await measure('1/70', 0);
    const many = await measure('1/7', 10);
    // Nothing due: what every quiet tick costs (one query per shard), however large the roster.
    await measure('none', 10);
    // The same 1/7 (the next ten slots) fanned out as in AWS: a unit per shard, each at most
    // TICK_UNIT_MAX_ITEMS rows, one after another as separate invocations would run them. What bounds a
    // deployment is the largest unit's wall time against the function's timeout.
    clock.set(new Date(start.getTime() + 20 * 60_000));
    requests.count = 0;
    const pending = tickUnits(clock.now());
    let units = 0;
    let largestMs = 0;
    let fannedDue = 0;
    while (pending.length > 0) {
      const unit = pending.shift() as TickUnit;
      const unitStarted = performance.now();
      const { report, next } = await runTickUnit(deps, unit, TICK_UNIT_MAX_ITEMS);
      largestMs = Math.max(largestMs, performance.now() - unitStarted);
      if (report.failed > 0) throw new Error(`${report.failed} items failed`);
      fannedDue += report.enqueued.invitation ?? 0;
      units++;
      if (next) pending.push(next);
    }
    // Ten slots of 1/70 each, as the in-process tick's: a unit that missed rows would fall short.
    if (Math.abs(fannedDue - many) > 10) {
      throw new Error(`the fanned-out tick found ${fannedDue} due, the in-process tick ${many}`);
    }
    const fanned = `tick fanned out over ${contacts} contacts, ${fannedDue} due (1/7), ${shards} shards, ${units} units of ≤ ${TICK_UNIT_MAX_ITEMS} rows`;
    figures.push(
      {
        name: `${fanned}: DynamoDB requests per due contact`,
        value: (requests.count - units) / Math.max(1, fannedDue),
        unit: 'req',
        target: '≤ 4 (+1 query a unit)',
      },
      { name: `${fanned}: largest unit's wall time`, value: largestMs / 1000, unit: 's', target: '< 240 s' },
    );
    if (few !== Math.ceil(contacts / SLOTS) || many < contacts / 7 - SLOTS) {
      throw new Error(`unexpected due counts ${few}, ${many}`);
    }
    return figures;
  } finally {
    await bench.stop();
  }
}

async function seed(client: DynamoDBDocumentClient, table: string, contacts: number, start: Date) {
  const items = function* () {
    for (let i = 0; i < contacts; i++) {
      const contactId = `bench-carer-${i}`;
      const address = `+86138${String(i).padStart(8, '0')}`;
      const child = {
        childId: `bench-child-${i}`,
        familyId: `bench-family-${i}`,
        name: '小明',
        category: 'both-away',
      };
      const dueAt = new Date(start.getTime() + (i % SLOTS) * 60_000);
      yield {
        ...keys.schedule(contactId),
        entity: 'schedule',
        contactId,
        role: 'carer',
        centreId: 'bench-centre',
        channel: 'sms',
        address,
        quietHours: null,
        checkinAt: null,
        children: [{ childId: child.childId, familyId: child.familyId }],
        step: 'invite',
        week: WEEK,
        dueAt: dueAt.toISOString(),
        ...dueIndexKeys(scheduleItemId(contactId), dueAt),
        missedStreak: 0,
      };
      yield {
        ...keys.contactView('sms', address),
        entity: 'contact-view',
        contactId,
        role: 'carer',
        language: 'zh-CN',
        optedOut: false,
        displayName: '奶奶',
        centreId: 'bench-centre',
        centreName: '石门村儿童之家',
        centrePhone: '0731-8888 1234',
        children: [child],
        addresses: [{ channel: 'sms', address }],
        stopHintWeek: addWeeks(WEEK, -1),
      };
    }
  };
  await seedItems(client, table, items(), SEED_CONCURRENCY);
}
