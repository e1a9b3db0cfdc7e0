import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadConfig } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { runSchedulerTickOrFail } from '#lib/schedule/scheduler-tick.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';

// Cold start: config read once; clients reused across invocations. No provider secrets: the tick
// only enqueues (the send worker talks to Twilio and WeChat), and its role may read none.
const config = loadConfig();
const logger = createLogger('scheduler-tick');
const deps = createSchedulerDependencies(config, logger);

export const handler = middy(() => runSchedulerTickOrFail(deps)).use(injectLambdaContext(logger));
