import middy from '@middy/core';
import { loadConfig } from '#lib/config/core.ts';
import { observe } from '#lib/observability/lambda-middleware.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { handleTickEvent } from '#lib/schedule/tick-dispatcher.ts';
import {
  createSchedulerDependencies,
  createTickFanOut,
  TICK_UNIT_MAX_ITEMS,
} from '#lib/wiring/scheduler-tick.ts';

// Cold start: config read once; clients reused across invocations. No provider secrets: the tick
// only enqueues (the send worker talks to Twilio and WeChat), and its role may read none.
const config = loadConfig();
const logger = createLogger('scheduler-tick');
const deps = createSchedulerDependencies(config, logger);
// In Lambda (AWS_LAMBDA_FUNCTION_NAME is set by the runtime) each shard's unit is an async self-invoke.
const lambdaName = config.LIANXIN_ENV === 'aws' ? process.env.AWS_LAMBDA_FUNCTION_NAME : undefined;
const fanOut = createTickFanOut(config, logger, deps, lambdaName);

// EventBridge Scheduler's invocation dispatches one unit per shard; a unit's invocation runs it.
export const handler = middy((event: unknown) =>
  handleTickEvent(event, deps, fanOut, TICK_UNIT_MAX_ITEMS),
).use(observe(logger));
