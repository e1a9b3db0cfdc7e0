import { authenticator } from '#lib/api/auth.ts';
import { type CoordinatorApiDependencies, coordinatorRoutes } from '#lib/api/coordinator-api.ts';
import type { ApiHandlerOptions } from '#lib/api/handler.ts';
import { withOpenApi } from '#lib/api/handler.ts';
import { rosterRoutes } from '#lib/api/roster-api.ts';
import type { Config } from '#lib/config.ts';
import type { ApiSettings } from '#lib/config-api.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { systemClock } from '#lib/ports/clock.ts';
import { CheckinRepository } from '#lib/store/checkin-repository.ts';
import { ChildMessageRepository } from '#lib/store/child-message-repository.ts';
import { CoordinatorWorkRepository } from '#lib/store/coordinator-work-repository.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { RosterErasure } from '#lib/store/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';
import { type Adapters, localClock } from '#lib/wiring/adapters.ts';

/** The table client and the clock: the API sends nothing, so it needs no queue. */
function apiAdapters(config: Config): Pick<Adapters, 'client' | 'clock'> {
  const client = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  return { client, clock: config.LIANXIN_ENV === 'local' ? localClock : systemClock };
}

export function createCoordinatorApiDependencies(
  config: Config,
  logger: Logger,
  adapters: Pick<Adapters, 'client' | 'clock'> = apiAdapters(config),
): CoordinatorApiDependencies {
  const store = { client: adapters.client, tableName: config.TABLE_NAME };
  const roster = new RosterRepository(store);
  return {
    work: new CoordinatorWorkRepository(store),
    messages: new ChildMessageRepository(store),
    roster,
    erasure: new RosterErasure({ ...store, roster }),
    checkins: new CheckinRepository(store),
    clock: adapters.clock,
    logger,
  };
}

export function createCoordinatorApiOptions(
  settings: ApiSettings,
  deps: CoordinatorApiDependencies,
): ApiHandlerOptions {
  return {
    routes: withOpenApi([...coordinatorRoutes(deps), ...rosterRoutes(deps)]),
    authenticate: authenticator(settings.auth),
    maxBodyBytes: settings.maxBodyBytes,
    logger: deps.logger,
  };
}
