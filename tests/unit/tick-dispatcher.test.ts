import { describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/errors.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { SchedulerDependencies } from '#lib/schedule/scheduler-tick.ts';
import { handleTickEvent, TICK_UNIT_SOURCE, type TickUnit } from '#lib/schedule/tick-dispatcher.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';

const clock = new ManualClock('2026-12-05T02:00:00Z');
const logger = createLogger('test-tick-dispatcher');
logger.setLogLevel('SILENT');
// Dispatching reads nothing: only the clock and the logger (the units do the work).
const deps = { clock, logger } as unknown as SchedulerDependencies;

function recording() {
  const sent: TickUnit[] = [];
  return { sent, fanOut: { send: async (units: readonly TickUnit[]) => void sent.push(...units) } };
}

describe('handleTickEvent', () => {
  it("dispatches one unit per shard for EventBridge Scheduler's invocation, at the tick's time", async () => {
    const { sent, fanOut } = recording();
    expect(await handleTickEvent({}, deps, fanOut, 100)).toEqual({ units: DUE_INDEX.shards });
    expect(sent.map((u) => u.shard)).toEqual([...Array(DUE_INDEX.shards).keys()]);
    expect(new Set(sent.map((u) => u.at))).toEqual(new Set(['2026-12-05T02:00:00.000Z']));
    expect(sent.every((u) => u.source === TICK_UNIT_SOURCE && u.cursor === undefined)).toBe(true);
  });

  it('refuses a malformed unit instead of dispatching a whole tick again', async () => {
    const { sent, fanOut } = recording();
    const bad = { source: TICK_UNIT_SOURCE, shard: DUE_INDEX.maxShards, at: '2026-12-05T02:00:00.000Z' };
    await expect(handleTickEvent(bad, deps, fanOut, 100)).rejects.toBeInstanceOf(ValidationError);
    expect(sent).toEqual([]);
  });
});
