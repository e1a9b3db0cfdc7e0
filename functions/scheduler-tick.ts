import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { runSchedulerTickOrFail } from '#lib/schedule/scheduler-tick.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';

// Cold start: config read once; clients reused across invocations.
const config = await loadConfigWithSecrets();
const logger = createLogger('scheduler-tick');
const deps = createSchedulerDependencies(config, logger);

export const handler = middy(() => runSchedulerTickOrFail(deps)).use(injectLambdaContext(logger));
