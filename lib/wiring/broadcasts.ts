// The coordinators' GB command, shared by the webhooks that run conversation turns (SMS, WeChat).
import { type BroadcastDependencies, BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import type { Config } from '#lib/config.ts';
import { broadcastPricing } from '#lib/config-broadcast.ts';
import { ConfigError } from '#lib/errors.ts';

/**
 * The coordinators' GB command previews, so it needs the SMS price. Without one (not configured for
 * this deployment) GB is an ordinary message: a missing price must never stop carers' answers.
 */
export function textBroadcasts(
  config: Config,
  deps: Omit<BroadcastDependencies, 'pricing'>,
): BroadcastService | undefined {
  try {
    return new BroadcastService({ ...deps, pricing: broadcastPricing(config) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    deps.logger.warn('broadcasts by text message are off: no SMS price configured', { error });
    return undefined;
  }
}
