// The scheduler tick, scaled out: one invocation (EventBridge Scheduler's) only dispatches, one unit
// of work per shard of the due index; each unit walks its shard for at most `maxItems` rows and, when
// the shard has more due, hands on a unit that continues from its cursor. In AWS each unit is an
// asynchronous invocation of the tick function itself (Lambda keeps and retries the event, twice);
// locally and in tests the units run in the process. A unit retried after failing halfway re-reads
// from the same cursor at the same time: every due item is idempotent and re-read before it is acted
// on, so what the first attempt did is not done again, and nothing before the cursor is skipped.
import { dueIndexShards } from '#lib/config/due-index.ts';
import { ValidationError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { traced } from '#lib/observability/process-observability.ts';
import { type SchedulerDependencies, ShardRun } from '#lib/schedule/scheduler-tick.ts';
import { TickContext, type TickReport } from '#lib/schedule/tick-context.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';
import * as z from '#lib/zod.ts';

export const TICK_UNIT_SOURCE = 'lianxin.tick-unit';

export const tickUnitSchema = z.object({
  source: z.literal(TICK_UNIT_SOURCE),
  shard: z.int().check(z.gte(0), z.lte(DUE_INDEX.maxShards - 1)),
  /** The tick's time: a continuation and a retry see the same due set. */
  at: z.iso.datetime(),
  /** Where the previous unit of this shard stopped (the due index's LastEvaluatedKey). */
  cursor: z.optional(z.record(z.string(), z.unknown())),
});

export type TickUnit = z.infer<typeof tickUnitSchema>;

/** Where units go: the function's own async invocations in AWS, the process itself locally. */
export interface TickFanOut {
  send(units: readonly TickUnit[]): Promise<void>;
}

/** The units of a tick at `at`: one per shard it reads (DUE_INDEX_READ_SHARDS, at least DUE_INDEX_SHARDS). */
export function tickUnits(at: Date, shards: number = dueIndexShards().read): TickUnit[] {
  return Array.from({ length: shards }, (_, shard) => ({
    source: TICK_UNIT_SOURCE,
    shard,
    at: at.toISOString(),
  }));
}

/** One unit: at most `maxItems` due rows of its shard; `next` continues it when the shard has more. */
export async function runTickUnit(
  deps: SchedulerDependencies,
  unit: TickUnit,
  maxItems: number,
): Promise<{ report: TickReport; next: TickUnit | undefined }> {
  const tick = new TickContext(deps, new Date(unit.at));
  const cursor = await new ShardRun(tick).shard(unit.shard, { startKey: unit.cursor, maxItems });
  const next = cursor ? { ...unit, cursor } : undefined;
  deps.logger.info('tick unit done', { shard: unit.shard, ...tick.report, continues: next !== undefined });
  return { report: tick.report, next };
}

/**
 * What the tick function does with an event: a unit runs (and hands on its continuation); anything
 * else (EventBridge Scheduler's invocation) dispatches a unit per shard. A unit whose work throws
 * fails its invocation, and Lambda retries it with the same cursor.
 */
export async function handleTickEvent(
  event: unknown,
  deps: SchedulerDependencies,
  fanOut: TickFanOut,
  maxItems: number,
): Promise<{ units: number } | TickReport> {
  const unit = tickUnitSchema.safeParse(event);
  // A unit that does not parse is a bug to see, not a reason to dispatch a whole tick again.
  if (!unit.success && (event as { source?: unknown } | null)?.source === TICK_UNIT_SOURCE) {
    throw new ValidationError(`malformed tick unit: ${z.prettifyError(unit.error)}`);
  }
  if (unit.success) {
    const { report, next } = await runTickUnit(deps, unit.data, maxItems);
    if (next) await fanOut.send([next]);
    return report;
  }
  const units = tickUnits(deps.clock.now());
  await fanOut.send(units);
  deps.logger.info('tick dispatched', { units: units.length });
  return { units: units.length };
}

/**
 * The whole tick in one process (`npm start`, `npm run tick`, tests): the same units and
 * continuations, run here; the reports summed.
 */
export async function runTickInProcess(
  deps: SchedulerDependencies,
  at: Date,
  maxItems: number,
): Promise<TickReport> {
  const total: TickReport = { at: at.toISOString(), due: 0, steps: 0, enqueued: {}, failed: 0, deferred: 0 };
  const runUnit = async (first: TickUnit): Promise<void> => {
    for (let unit: TickUnit | undefined = first; unit; ) {
      const { report, next } = await runTickUnit(deps, unit, maxItems);
      add(total, report);
      unit = next;
    }
  };
  await Promise.all(tickUnits(at).map(runUnit));
  return total;
}

function add(total: TickReport, report: TickReport): void {
  total.due += report.due;
  total.steps += report.steps;
  total.failed += report.failed;
  total.deferred += report.deferred;
  if (report.recovered) total.recovered = (total.recovered ?? 0) + report.recovered;
  for (const [kind, n] of Object.entries(report.enqueued) as [keyof TickReport['enqueued'], number][]) {
    total.enqueued[kind] = (total.enqueued[kind] ?? 0) + n;
  }
}

/** In AWS: each unit an asynchronous invocation of the tick function itself. */
export class LambdaTickFanOut implements TickFanOut {
  /** The self-invoke (a policy of its own in the CDK: the role cannot name its function). */
  static readonly awsAccess: AwsAccess = { self: ['lambda:InvokeFunction'] };

  constructor(private readonly deps: { functionName: string; region: string; logger: Logger }) {}

  async send(units: readonly TickUnit[]): Promise<void> {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const client = traced(new LambdaClient({ region: this.deps.region }));
    // Every unit is tried; one that could not be handed on is reported by the invocation failing.
    const results = await Promise.allSettled(
      units.map((unit) =>
        client.send(
          new InvokeCommand({
            FunctionName: this.deps.functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(unit)),
          }),
        ),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      throw new Error(`${failed.length} of ${units.length} tick units could not be dispatched`, {
        cause: (failed[0] as PromiseRejectedResult).reason,
      });
    }
  }
}
