import { CognitoCoordinatorDirectory } from '#lib/accounts/cognito-coordinator-directory.ts';
import { type ActivityApiDependencies, activityRoutes } from '#lib/api/activity-api.ts';
import { authenticator } from '#lib/api/auth.ts';
import { type BroadcastApiDependencies, broadcastRoutes } from '#lib/api/broadcast-api.ts';
import { centreRoutes } from '#lib/api/centre-api.ts';
import { childRoutes } from '#lib/api/child-api.ts';
import { type CoordinatorApiDependencies, coordinatorRoutes } from '#lib/api/coordinator-api.ts';
import { type CoordinatorsApiDependencies, coordinatorsRoutes } from '#lib/api/coordinators-api.ts';
import { dashboardRoutes } from '#lib/api/dashboard-api.ts';
import { type GbPinApiDependencies, gbPinRoutes } from '#lib/api/gb-pin-api.ts';
import type { ApiHandlerOptions } from '#lib/api/handler.ts';
import { withOpenApi } from '#lib/api/handler.ts';
import { jobRoutes } from '#lib/api/job-api.ts';
import { type LinkCodeApiDependencies, linkCodeRoutes } from '#lib/api/link-code-api.ts';
import { type RosterApiDependencies, rosterRoutes } from '#lib/api/roster-api.ts';
import { type UnprocessedApiDependencies, unprocessedRoutes } from '#lib/api/unprocessed-api.ts';
import { type BroadcastPricing, BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { type ApiSettings, apiSettings, exportSettings } from '#lib/config/api.ts';
import { broadcastPricing } from '#lib/config/broadcast.ts';
import type { Config } from '#lib/config/core.ts';
import { domesticSmsPricing, mainlandTemplateCarriers } from '#lib/config/mainland-sms-prices.ts';
import type { TemplateCarrier } from '#lib/domain/broadcast-template-limits.ts';
import { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { traced } from '#lib/observability/process-observability.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { SQS_SEND_QUEUE } from '#lib/outbound/sqs-access.ts';
import type { CoordinatorDirectory } from '#lib/ports/coordinator-directory.ts';
import type { ExportFiles } from '#lib/ports/export-files.ts';
import { LocalCoordinatorDirectory } from '#lib/store/accounts/local-coordinator-directory.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { GbPinRepository } from '#lib/store/broadcasts/gb-pin-repository.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { ChildMessageRepository } from '#lib/store/conversation/child-message-repository.ts';
import { UnprocessedRepository } from '#lib/store/conversation/unprocessed-repository.ts';
import { S3ExportFiles } from '#lib/store/exports/s3-export-files.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { JobRepository } from '#lib/store/jobs/job-repository.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import { type Adapters, asFunction, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { loadOnce } from '#lib/wiring/load-once.ts';

/** Everything the coordinators' API may send to AWS: the union over what its wiring builds. */
export const COORDINATOR_API_ACCESS = accessOf(
  RosterRepository,
  DynamoOutboundRepository,
  BroadcastRepository,
  CoordinatorWorkRepository,
  ChildMessageRepository,
  RosterErasure,
  JobRepository,
  CheckinRepository,
  GbPinRepository,
  UnprocessedRepository,
  CentreCalendarRepository,
  LinkCodeRepository,
  SQS_SEND_QUEUE,
  // Centre admins' invitations (lib/api/coordinators-api.ts); locally the table stands in for it.
  CognitoCoordinatorDirectory,
  S3ExportFiles,
);

export type CoordinatorApiDependenciesWithBroadcasts = CoordinatorApiDependencies &
  RosterApiDependencies &
  BroadcastApiDependencies &
  Partial<Pick<GbPinApiDependencies, 'gbPins'>> &
  UnprocessedApiDependencies &
  ActivityApiDependencies &
  LinkCodeApiDependencies &
  Partial<Pick<CoordinatorsApiDependencies, 'coordinators'>>;

/**
 * Steps of an erasure job run in the request that starts it (each reads at most ERASURE_STEP_ITEMS
 * items, well under a second): a family of a few people is erased by the answer; the tick does the rest.
 */
const INLINE_JOB_STEPS = 10;

/** Approving a broadcast for now fans out this long in the request; the scheduler tick does the rest. */
const INLINE_FAN_OUT_MS = 8_000;

export function createCoordinatorApiDependencies(
  config: Config,
  logger: Logger,
  all: Adapters = defaultAdapters(config),
  pricing: BroadcastPricing = { ...broadcastPricing(config), domestic: domesticSmsPricing(config) },
  /** The +86 providers a broadcast is checked against (SMS_PROVIDER, SMS_FALLBACK_PROVIDER). */
  carriers: readonly TemplateCarrier[] = mainlandTemplateCarriers(config),
): CoordinatorApiDependenciesWithBroadcasts {
  const adapters = asFunction(all, 'coordinator-api');
  const store = { client: adapters.client, tableName: config.TABLE_NAME };
  const roster = new RosterRepository(store);
  const erasure = new RosterErasure({ ...store, roster });
  const outbound = new OutboundService({
    repository: outboundRepository(config, adapters),
    queue: adapters.queue,
    clock: adapters.clock,
    logger,
  });
  return {
    broadcasts: new BroadcastService({
      broadcasts: new BroadcastRepository(store),
      roster,
      outbound,
      clock: adapters.clock,
      logger,
      pricing,
      carriers,
      metrics: adapters.metrics,
    }),
    inlineFanOutMs: INLINE_FAN_OUT_MS,
    work: new CoordinatorWorkRepository(store),
    gbPins: new GbPinRepository(store),
    messages: new ChildMessageRepository(store),
    roster,
    erasure,
    erasureJobs: new ErasureJobs({
      jobs: new JobRepository(store),
      erasure,
      clock: adapters.clock,
      logger,
    }),
    inlineJobSteps: INLINE_JOB_STEPS,
    exportFiles: exportFilesOf(config),
    checkins: new CheckinRepository(store),
    unprocessed: new UnprocessedRepository(store),
    calendar: new CentreCalendarRepository(store),
    linkCodes: new LinkCodeRepository(store),
    ...withCoordinators(coordinatorDirectory(config, store)),
    clock: adapters.clock,
    logger,
    metrics: adapters.metrics,
  };
}

/** Where coordinators' accounts live: the table locally, the Cognito user pool in AWS (when named). */
function coordinatorDirectory(
  config: Config,
  store: ConstructorParameters<typeof LocalCoordinatorDirectory>[0],
): CoordinatorDirectory | undefined {
  const accounts = apiSettings(config).accounts;
  if (accounts.mode === 'local') return new LocalCoordinatorDirectory(store);
  if (accounts.mode === 'none') return undefined;
  return new CognitoCoordinatorDirectory({
    client: lazyCognitoClient(config.AWS_REGION),
    userPoolId: accounts.userPoolId,
  });
}

type CognitoSend = ConstructorParameters<typeof CognitoCoordinatorDirectory>[0]['client'];

/** The Cognito client, loaded on the first request that needs it (invitations, the 协调员 page). */
function lazyCognitoClient(region: string): CognitoSend {
  const load = loadOnce(async () => {
    const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
    return traced(new CognitoIdentityProviderClient({ region }));
  });
  return { send: (async (command: never) => (await load()).send(command)) as CognitoSend['send'] };
}

const withCoordinators = (coordinators: CoordinatorDirectory | undefined) =>
  coordinators ? { coordinators } : {};

let localExportFiles: ExportFiles | undefined;

/** `npm start` writes large exports to files it serves itself (lib/local/local-export-files.ts). */
export function useLocalExportFiles(files: ExportFiles): void {
  localExportFiles = files;
}

/**
 * In AWS, the exports bucket the CDK names; locally, the local server's files; otherwise an export
 * too large for a response is a 413.
 */
function exportFilesOf(config: Config): ExportFiles | undefined {
  const { bucket, linkSeconds } = exportSettings();
  if (bucket) return new S3ExportFiles({ bucket, region: config.AWS_REGION, linkSeconds });
  return config.LIANXIN_ENV === 'local' ? localExportFiles : undefined;
}

export function createCoordinatorApiOptions(
  settings: ApiSettings,
  deps: CoordinatorApiDependenciesWithBroadcasts,
): ApiHandlerOptions {
  return {
    routes: withOpenApi([
      ...coordinatorRoutes(deps),
      ...centreRoutes(deps),
      ...rosterRoutes(deps),
      ...broadcastRoutes(deps),
      ...(deps.gbPins ? gbPinRoutes({ ...deps, gbPins: deps.gbPins }) : []),
      ...unprocessedRoutes(deps),
      ...dashboardRoutes(deps),
      ...childRoutes(deps),
      ...activityRoutes(deps),
      ...linkCodeRoutes(deps),
      ...(deps.coordinators ? coordinatorsRoutes({ ...deps, coordinators: deps.coordinators }) : []),
      ...jobRoutes(deps),
    ]),
    authenticate: authenticator(settings.auth),
    maxBodyBytes: settings.maxBodyBytes,
    logger: deps.logger,
  };
}
