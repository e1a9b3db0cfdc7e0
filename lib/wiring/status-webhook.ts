import { type Config, twilioAuthToken } from '#lib/config/core.ts';
import type { StatusWebhookDependencies } from '#lib/http/twilio-status-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';

export function createStatusWebhookDependencies(
  config: Config,
  logger: Logger,
  adapters: Adapters = defaultAdapters(config),
): StatusWebhookDependencies {
  return {
    authToken: twilioAuthToken(config),
    repository: outboundRepository(config, adapters),
    clock: adapters.clock,
    logger,
  };
}
