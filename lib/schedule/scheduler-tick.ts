// The scheduler tick (EventBridge Scheduler every few minutes in AWS, a timer in `npm start`):
// finds what is due in the due index — every shard queried in parallel, only keys up to now, so
// the cost follows what is due and not the roster — and does it. Each item is idempotent (see
// contact-schedule.ts), so ticks may overlap, be re-run, or come after downtime.
import { dueIndexShards } from '#lib/config/due-index.ts';
import { DependencyError } from '#lib/errors.ts';
import { TICK_JOB_STEPS } from '#lib/jobs/erasure-jobs.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import { processAlertFollowUp } from '#lib/schedule/alert-follow-ups.ts';
import { processSchedule } from '#lib/schedule/contact-schedule.ts';
import { processCompletedCheckin } from '#lib/schedule/parent-digests.ts';
import { processTaskFollowUp } from '#lib/schedule/task-follow-ups.ts';
import { type SchedulerDependencies, TickContext, type TickReport } from '#lib/schedule/tick-context.ts';
import type { DueRow } from '#lib/store/schedule/schedule-repository.ts';

export type { SchedulerDependencies, TickReport };

/** Rows read per query page: work starts on the first page while the next is read. */
const PAGE_SIZE = 500;

export async function runSchedulerTick(
  deps: SchedulerDependencies,
  at: Date = deps.clock.now(),
): Promise<TickReport> {
  const tick = new TickContext(deps, at);
  const run = new ShardRun(tick);
  const { read } = dueIndexShards();
  await Promise.all(Array.from({ length: read }, (_, shard) => run.shard(shard)));
  const log = tick.report.failed > 0 ? 'warn' : 'info';
  deps.logger[log]('scheduler tick done', { ...tick.report, ms: Date.now() - run.started });
  return tick.report;
}

/**
 * The work of one tick on its shards: each due row on the work pool, the time budget checked before
 * each. `shard` walks one shard from `startKey`, at most `maxItems` rows, and returns where it stopped
 * (undefined when the shard has nothing more due): a unit of a fanned-out tick (tick-dispatcher.ts).
 */
export class ShardRun {
  readonly started = Date.now();
  readonly #pool: WorkPool;

  constructor(readonly tick: TickContext) {
    this.#pool = new WorkPool(tick.deps.concurrency);
  }

  async shard(
    shard: number,
    options: { startKey?: Record<string, unknown> | undefined; maxItems?: number } = {},
  ): Promise<Record<string, unknown> | undefined> {
    const { deps } = this.tick;
    const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    let startKey = options.startKey;
    let taken = 0;
    const pending: Promise<void>[] = [];
    do {
      if (this.#outOfTime() || taken >= maxItems) break;
      const limit = Math.min(PAGE_SIZE, maxItems - taken);
      const page = await deps.schedules.queryDue(shard, this.tick.now, { limit, startKey });
      this.tick.report.due += page.rows.length;
      if (page.rows.length > 0) deps.metrics?.count(METRIC.tickDue, {}, page.rows.length);
      taken += page.rows.length;
      for (const row of page.rows) pending.push(this.#work(row));
      startKey = page.next;
    } while (startKey);
    await Promise.all(pending);
    return startKey;
  }

  #outOfTime(): boolean {
    return Date.now() - this.started > this.tick.deps.budgetMs;
  }

  #work(row: DueRow): Promise<void> {
    const { tick } = this;
    const { deps } = tick;
    return this.#pool.run(async () => {
      if (this.#outOfTime()) {
        tick.report.deferred++;
        return;
      }
      try {
        if (row.kind === 'schedule') await processSchedule(tick, row.item);
        else if (row.kind === 'alert') await processAlertFollowUp(tick, row);
        else if (row.kind === 'task') await processTaskFollowUp(tick, row);
        else if (row.kind === 'broadcast') await fanOutBroadcast(tick, row.broadcastId, this.started);
        else if (row.kind === 'outbound') await recoverOutbound(tick, row);
        else if (row.kind === 'replay') await replayKept(tick, row);
        else if (row.kind === 'job') await runJob(tick, row);
        else await processCompletedCheckin(tick, row);
        deps.metrics?.count(METRIC.tickProcessed);
      } catch (error) {
        // One contact's trouble must not hold up the others; it stays due for the next tick.
        tick.report.failed++;
        deps.metrics?.count(METRIC.tickErrors);
        deps.logger.error('due item failed; it stays due', {
          item: dueRowName(row),
          error: error as Error,
        });
      }
    });
  }
}

function dueRowName(row: DueRow): string {
  if (row.kind === 'schedule') return row.item.contactId;
  if (row.kind === 'alert') return `${row.step} ${row.alertId}`;
  if (row.kind === 'task') return `escalate ${row.taskId}`;
  if (row.kind === 'broadcast') return `broadcast ${row.broadcastId}`;
  if (row.kind === 'outbound') return `stranded message ${row.key}`;
  if (row.kind === 'replay') return 'replay of an unprocessed message';
  if (row.kind === 'job') return `job ${row.jobId}`;
  return `${row.childId} ${row.week}`;
}

/** A due broadcast: fan out what the tick's time allows; the rest stays due for the next tick. */
async function fanOutBroadcast(tick: TickContext, broadcastId: string, started: number): Promise<void> {
  const { deps } = tick;
  if (!deps.broadcasts) throw new DependencyError('a broadcast is due but the tick has no broadcast service');
  const budgetMs = Math.max(0, deps.budgetMs - (Date.now() - started));
  const outcome = await deps.broadcasts.fanOut(broadcastId, { budgetMs });
  if (outcome === 'unfinished') tick.report.deferred++;
  else tick.report.steps++;
}

/** A job still running (an erasure on request): more of its steps; unfinished, it stays due. */
async function runJob(tick: TickContext, row: { centreId: string; jobId: string }): Promise<void> {
  if (!tick.deps.jobs) throw new DependencyError('a job is due but the tick cannot run jobs');
  const job = await tick.deps.jobs.run(row.centreId, row.jobId, TICK_JOB_STEPS);
  if (job?.status === 'running') tick.report.deferred++;
  else tick.report.steps++;
}

/** The sweeper's row: a message still waiting past its time. */
async function recoverOutbound(tick: TickContext, row: { key: string; dueKey: string }): Promise<void> {
  const stranded = tick.deps.stranded;
  if (!stranded) return;
  const outcome = await stranded.recoverStranded(row, stranded.claimTimeoutSeconds);
  if (outcome === 'requeued') tick.report.recovered = (tick.report.recovered ?? 0) + 1;
}

/** An inbound message kept after a failed turn: replayed (lib/inbound/replay-unprocessed.ts). */
async function replayKept(tick: TickContext, row: { pk: string; sk: string }): Promise<void> {
  if (!tick.deps.replay) throw new DependencyError('a message is due for replay but the tick cannot replay');
  const outcome = await tick.deps.replay({ pk: row.pk, sk: row.sk });
  if (outcome === 'replayed') tick.report.steps++;
}

/** At most `size` tasks at once, in the order they were given. */
class WorkPool {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    if (this.#running >= this.size) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * The tick as the Lambda runs it: failed items stay due and the next tick retries them, but the
 * invocation fails so that the function's error alarm sees it.
 */
export async function runSchedulerTickOrFail(deps: SchedulerDependencies): Promise<TickReport> {
  const report = await runSchedulerTick(deps);
  if (report.failed > 0) throw new DependencyError(`${report.failed} due items failed; they stay due`);
  return report;
}
