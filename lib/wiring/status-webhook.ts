import { type Config, twilioAuthToken } from '#lib/config/core.ts';
import type { StatusWebhookDependencies } from '#lib/http/twilio-status-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import {
  asFunction,
  outboundRepository,
  type StoreAdapters,
  storeAdapters,
} from '#lib/wiring/store-adapters.ts';

/** Everything the status webhook may send to AWS: it only records delivery statuses. */
export const STATUS_WEBHOOK_ACCESS = accessOf(DynamoOutboundRepository);

export function createStatusWebhookDependencies(
  config: Config,
  logger: Logger,
  all: StoreAdapters = storeAdapters(config),
): StatusWebhookDependencies {
  const adapters = asFunction(all, 'twilio-status-webhook');
  return {
    authToken: twilioAuthToken(config),
    repository: outboundRepository(config, adapters),
    clock: adapters.clock,
    logger,
  };
}
