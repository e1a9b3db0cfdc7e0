import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { apiSettings } from '#lib/config/api.ts';
import { loadConfig } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';

// Cold start: config read once; clients reused across invocations. No provider secrets: the token
// was verified by API Gateway's JWT authorizer (locally, by the handler with the local key).
const config = loadConfig();
const logger = createLogger('coordinator-api');

export const handler = createCoordinatorApiHandler(
  createCoordinatorApiOptions(apiSettings(config), createCoordinatorApiDependencies(config, logger)),
);
