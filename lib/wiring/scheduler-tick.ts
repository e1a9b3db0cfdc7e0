import { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import type { Config } from '#lib/config/core.ts';
import { loadScheduleConfig } from '#lib/config/schedule.ts';
import { replayUnprocessed } from '#lib/inbound/replay-unprocessed.ts';
import { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { SQS_SEND_QUEUE } from '#lib/outbound/sqs-access.ts';
import type { SchedulerDependencies } from '#lib/schedule/scheduler-tick.ts';
import {
  LambdaTickFanOut,
  runTickUnit,
  type TickFanOut,
  type TickUnit,
} from '#lib/schedule/tick-dispatcher.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { UnprocessedRepository } from '#lib/store/conversation/unprocessed-repository.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { JobRepository } from '#lib/store/jobs/job-repository.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { ScheduleRepository } from '#lib/store/schedule/schedule-repository.ts';
import { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import { WorkReferenceRepository } from '#lib/store/tasks/work-reference-repository.ts';
import { type Adapters, asFunction, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { CONVERSATION_TURNS_BUILD, conversationTurns } from '#lib/wiring/conversation-turns.ts';

/** Everything the scheduler tick may send to AWS: the union over what its wiring builds. */
export const SCHEDULER_TICK_ACCESS = accessOf(
  ScheduleRepository,
  CheckinRepository,
  CentreCalendarRepository,
  CoordinatorTaskRepository,
  RosterRepository,
  DynamoOutboundRepository,
  BroadcastRepository,
  WorkReferenceRepository,
  UnprocessedRepository,
  // Erasure jobs the API started.
  JobRepository,
  RosterErasure,
  // Replays of unprocessed messages run conversation turns.
  ...CONVERSATION_TURNS_BUILD,
  SQS_SEND_QUEUE,
  LambdaTickFanOut,
);

/**
 * Due rows one unit of a fanned-out tick takes before it hands on a continuation: at about 10 ms a
 * row (`npm run bench`), well inside the function's 4 minutes.
 */
export const TICK_UNIT_MAX_ITEMS = 2000;

/**
 * Where a tick's units go: the function's own async invocations in AWS (`lambdaFunctionName` given),
 * else run here, one after another per shard, all shards at once.
 */
export function createTickFanOut(
  config: Config,
  logger: Logger,
  deps: SchedulerDependencies,
  lambdaFunctionName?: string,
): TickFanOut {
  if (lambdaFunctionName) {
    return new LambdaTickFanOut({ functionName: lambdaFunctionName, region: config.AWS_REGION, logger });
  }
  return {
    send: async (units) => {
      await Promise.all(
        units.map(async (first) => {
          for (let unit: TickUnit | undefined = first; unit; ) {
            unit = (await runTickUnit(deps, unit, TICK_UNIT_MAX_ITEMS)).next;
          }
        }),
      );
    },
  };
}

/** The scheduler tick's adapters; tests pass a test table's client, a manual clock and their queue. */
export function createSchedulerDependencies(
  config: Config,
  logger: Logger,
  all: Adapters = defaultAdapters(config),
  overrides: Partial<SchedulerDependencies> = {},
): SchedulerDependencies {
  const adapters = asFunction(all, 'scheduler-tick');
  const { client, clock, queue, metrics } = adapters;
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
    stranded: {
      recoverStranded: (row, t) => outbound.recoverStranded(row, t),
      claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS,
    },
    broadcasts: new BroadcastService({
      broadcasts: new BroadcastRepository({ client, tableName }),
      roster,
      outbound,
      clock,
      logger,
      metrics,
    }),
    jobs: new ErasureJobs({
      jobs: new JobRepository({ client, tableName }),
      erasure: new RosterErasure({ client, tableName, roster }),
      clock,
      logger,
    }),
    clock,
    logger,
    metrics,
    replay: (key) =>
      replayUnprocessed(key, {
        turns: conversationTurns(config, logger, adapters).turns,
        unprocessed: new UnprocessedRepository({ client, tableName }),
        outbound,
        logger,
        metrics,
      }),
    schedule: loadScheduleConfig(),
    sessionTtlHours: config.SESSION_TTL_HOURS,
    concurrency: 32,
    // The function's timeout is 4 minutes; work not started by then waits for the next tick.
    budgetMs: 200_000,
    ...overrides,
  };
}
