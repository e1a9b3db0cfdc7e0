// What every webhook that runs conversation turns (SMS, WeChat) is built from: the store, the alert
// notifier, and the coordinators' GB command, on one roster and one outbound path.
import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { CoordinatorTaskNotifier } from '#lib/alerts/coordinator-task-notifier.ts';
import { type BroadcastDependencies, BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { GbPinGuard } from '#lib/broadcasts/gb-pin-guard.ts';
import { broadcastPricing } from '#lib/config/broadcast.ts';
import type { Config } from '#lib/config/core.ts';
import { domesticSmsPricing, mainlandTemplateCarriers } from '#lib/config/mainland-sms-prices.ts';
import { ConfigError } from '#lib/errors.ts';
import type { InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { SQS_SEND_QUEUE } from '#lib/outbound/sqs-access.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { GbPinRepository } from '#lib/store/broadcasts/gb-pin-repository.ts';
import { DynamoConversationStore } from '#lib/store/conversation/dynamo-conversation-store.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import { WorkReferenceRepository } from '#lib/store/tasks/work-reference-repository.ts';
import { type Adapters, outboundRepository } from '#lib/wiring/adapters.ts';

/** What the turns below build that talks to AWS; the webhooks that run turns include it in theirs. */
export const CONVERSATION_TURNS_BUILD = [
  RosterRepository,
  DynamoOutboundRepository,
  DynamoConversationStore,
  BroadcastRepository,
  WorkReferenceRepository,
  CoordinatorTaskRepository,
  CoordinatorWorkRepository,
  GbPinRepository,
  SQS_SEND_QUEUE,
] as const;

export function conversationTurns(
  config: Config,
  logger: Logger,
  adapters: Adapters,
): { turns: InboundDependencies; roster: RosterRepository; outbound: OutboundService } {
  const { client, clock, queue, metrics } = adapters;
  const tableName = config.TABLE_NAME;
  const roster = new RosterRepository({ client, tableName });
  const outbound = new OutboundService({
    repository: outboundRepository(config, adapters),
    queue,
    clock,
    logger,
  });
  const references = new WorkReferenceRepository({ client, tableName });
  const tasks = new CoordinatorTaskNotifier({
    tasks: new CoordinatorTaskRepository({ client, tableName }),
    references,
    roster,
    outbound,
    logger,
  });
  const turns: InboundDependencies = {
    store: new DynamoConversationStore({ client, tableName, messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS }),
    clock,
    logger,
    alerts: new CoordinatorAlertNotifier({
      roster,
      outbound,
      references,
      logger,
    }),
    coordinatorWork: { work: new CoordinatorWorkRepository({ client, tableName }), roster, metrics },
    metrics,
    sessionTtlHours: config.SESSION_TTL_HOURS,
    tasks,
    broadcastPins: new GbPinGuard({ pins: new GbPinRepository({ client, tableName }), tasks, logger }),
    broadcasts: textBroadcasts(config, {
      broadcasts: new BroadcastRepository({ client, tableName }),
      roster,
      outbound,
      clock,
      logger,
      metrics,
    }),
  };
  return { turns, roster, outbound };
}

/**
 * The coordinators' GB command previews, so it needs the SMS price. Without one (not configured for
 * this deployment) GB is an ordinary message: a missing price must never stop carers' answers.
 */
function textBroadcasts(
  config: Config,
  deps: Omit<BroadcastDependencies, 'pricing'>,
): BroadcastService | undefined {
  try {
    return new BroadcastService({
      ...deps,
      pricing: { ...broadcastPricing(config), domestic: domesticSmsPricing(config) },
      carriers: mainlandTemplateCarriers(config),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    deps.logger.warn('broadcasts by text message are off: no SMS price configured', { error });
    return undefined;
  }
}
