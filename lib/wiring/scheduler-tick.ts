import { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import type { Config } from '#lib/config/core.ts';
import { loadScheduleConfig } from '#lib/config/schedule.ts';
import { replayUnprocessed } from '#lib/inbound/replay-unprocessed.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import type { SchedulerDependencies } from '#lib/schedule/scheduler-tick.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { UnprocessedRepository } from '#lib/store/conversation/unprocessed-repository.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { ScheduleRepository } from '#lib/store/schedule/schedule-repository.ts';
import { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import { WorkReferenceRepository } from '#lib/store/tasks/work-reference-repository.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { conversationTurns } from '#lib/wiring/conversation-turns.ts';

/** The scheduler tick's adapters; tests pass a test table's client, a manual clock and their queue. */
export function createSchedulerDependencies(
  config: Config,
  logger: Logger,
  adapters: Adapters = defaultAdapters(config),
  overrides: Partial<SchedulerDependencies> = {},
): SchedulerDependencies {
  const { client, clock, queue } = adapters;
  const tableName = config.TABLE_NAME;
  const roster = new RosterRepository({ client, tableName });
  const outbound = new OutboundService({
    repository: outboundRepository(config, adapters),
    queue,
    clock,
    logger,
  });
  return {
    schedules: new ScheduleRepository({ client, tableName }),
    checkins: new CheckinRepository({ client, tableName }),
    calendar: new CentreCalendarRepository({ client, tableName }),
    tasks: new CoordinatorTaskRepository({ client, tableName }),
    references: new WorkReferenceRepository({ client, tableName }),
    roster,
    outbound,
    broadcasts: new BroadcastService({
      broadcasts: new BroadcastRepository({ client, tableName }),
      roster,
      outbound,
      clock,
      logger,
    }),
    clock,
    logger,
    replay: (key) =>
      replayUnprocessed(key, {
        turns: conversationTurns(config, logger, adapters).turns,
        unprocessed: new UnprocessedRepository({ client, tableName }),
        outbound,
        logger,
      }),
    schedule: loadScheduleConfig(),
    sessionTtlHours: config.SESSION_TTL_HOURS,
    concurrency: 32,
    // The function's timeout is 4 minutes; work not started by then waits for the next tick.
    budgetMs: 200_000,
    ...overrides,
  };
}
