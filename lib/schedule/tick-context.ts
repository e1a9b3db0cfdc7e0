import type { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import type { OutboundKind } from '#lib/domain/outbound-message.ts';
import type { WeeklySchedule } from '#lib/domain/weekly-schedule.ts';
import type { ReplayOutcome } from '#lib/inbound/replay-unprocessed.ts';
import type { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import type { Activity, CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { ScheduleRepository } from '#lib/store/schedule/schedule-repository.ts';
import type { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import type { WorkReferenceRepository } from '#lib/store/tasks/work-reference-repository.ts';

export interface SchedulerDependencies {
  schedules: ScheduleRepository;
  checkins: CheckinRepository;
  calendar: CentreCalendarRepository;
  tasks: CoordinatorTaskRepository;
  /** Short references (A7, T3) on alerts and tasks sent to coordinators, to answer them by text. */
  references?: WorkReferenceRepository | undefined;
  /** The Centre's coordinators, for tasks. */
  roster: RosterRepository;
  /** Replays inbound messages kept after a failed turn (lib/inbound/replay-unprocessed.ts). */
  replay?: ((key: { pk: string; sk: string }) => Promise<ReplayOutcome>) | undefined;
  /** Carries on jobs the API started (erasure on request). */
  jobs?: Pick<ErasureJobs, 'run'> | undefined;
  /** Fans out broadcasts when they are due (approved for now or a time). */
  broadcasts?: Pick<BroadcastService, 'fanOut'> | undefined;
  /** Every message goes through enqueue: once per key, quiet hours and opt-out at send time. */
  outbound: OutboundPort;
  clock: Clock;
  logger: Logger;
  schedule: WeeklySchedule;
  sessionTtlHours: number;
  /** Due items worked on at once. */
  concurrency: number;
  /**
   * The sweeper: messages still waiting past their time go to the queue again (OutboundService).
   * Without it, such rows are left for a tick that has one.
   */
  stranded?:
    | {
        recoverStranded(
          row: { key: string; dueKey: string },
          claimTimeoutSeconds: number,
        ): Promise<'requeued' | 'later' | 'settled'>;
        claimTimeoutSeconds: number;
      }
    | undefined;
  /** No new item is started after this long (the function's timeout less a margin); the rest waits. */
  budgetMs: number;
  /** Due, processed and failed items (the tick-errors alarm reads the last). */
  metrics?: BusinessMetrics | undefined;
}

/** What one tick did, for its log line (and tests). */
export interface TickReport {
  at: string;
  /** Rows the due index returned. */
  due: number;
  /** Schedule steps done (a contact caught up over several steps counts each). */
  steps: number;
  /** Messages enqueued by kind (a key enqueued before is not counted again). */
  enqueued: Partial<Record<OutboundKind, number>>;
  /** Items that failed; they stay due and the next tick tries again. */
  failed: number;
  /** Items left for the next tick because the time budget ran out. */
  deferred: number;
  /** Stranded messages handed to the queue again (only when there were any). */
  recovered?: number;
}

/** State shared by the work of one tick: the report, and what many contacts read alike. */
export class TickContext {
  readonly report: TickReport;
  readonly #activities = new Map<string, Promise<Activity[]>>();

  constructor(
    readonly deps: SchedulerDependencies,
    readonly now: Date,
  ) {
    this.report = { at: now.toISOString(), due: 0, steps: 0, enqueued: {}, failed: 0, deferred: 0 };
  }

  /** A Centre's activities of a week, read once per tick however many parents hear about them. */
  activities(centreId: string, week: string): Promise<Activity[]> {
    const key = `${centreId}#${week}`;
    let found = this.#activities.get(key);
    if (!found) {
      found = this.deps.calendar.activitiesOfWeek(centreId, week);
      this.#activities.set(key, found);
      found.catch(() => this.#activities.delete(key));
    }
    return found;
  }

  async enqueue(request: Parameters<OutboundPort['enqueue']>[0]): Promise<boolean> {
    // Stale before it is even queued (a catch-up after downtime): not worth a message item.
    if (request.expiresAt && request.expiresAt <= this.now) return false;
    const created = await this.deps.outbound.enqueue(request);
    if (created) this.report.enqueued[request.kind] = (this.report.enqueued[request.kind] ?? 0) + 1;
    return created;
  }
}
