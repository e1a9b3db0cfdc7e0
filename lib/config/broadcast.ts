// The broadcasts' part of the configuration: the price the preview estimates with. Read by the
// entry points that preview broadcasts (the coordinators' API and the SMS webhook's GB command).
import type { BroadcastPricing } from '#lib/broadcasts/broadcast-service.ts';
import * as z from '#lib/zod.ts';
import type { Config } from './core.ts';
import { type Env, parseEnv, withLocalDefaults } from './parse-env.ts';

export const broadcastEnvSchema = z.object({
  SMS_PRICE_PER_SEGMENT: z.coerce
    .number()
    .check(
      z.gte(0),
      z.lte(10),
      z.describe('Price of one SMS segment, for the broadcast preview (no default in AWS)'),
    ),
  SMS_PRICE_CURRENCY: z
    .string()
    .check(
      z.regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. USD or CNY'),
      z.describe('Currency of SMS_PRICE_PER_SEGMENT'),
    ),
});

/** `config` says which mode (local fills dev values); the values come from `env`. */
export function broadcastPricing(
  config: Pick<Config, 'LIANXIN_ENV'>,
  env: Env = process.env,
): BroadcastPricing {
  const parsed = parseEnv(broadcastEnvSchema, withLocalDefaults({ ...env, LIANXIN_ENV: config.LIANXIN_ENV }));
  return { perSegment: parsed.SMS_PRICE_PER_SEGMENT, currency: parsed.SMS_PRICE_CURRENCY };
}
