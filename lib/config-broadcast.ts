// The broadcasts' part of the configuration: the price the preview estimates with. Read by the
// entry points that preview broadcasts (the coordinators' API and the SMS webhook's GB command).
import * as z from 'zod';
import type { BroadcastPricing } from '#lib/broadcasts/broadcast-service.ts';
import type { Config } from '#lib/config.ts';
import { ConfigError } from '#lib/errors.ts';

/** Local only: the README's estimate (Twilio's US price per segment plus carrier fees). */
export const LOCAL_SMS_PRICE = { SMS_PRICE_PER_SEGMENT: '0.0113', SMS_PRICE_CURRENCY: 'USD' } as const;

const schema = z.object({
  SMS_PRICE_PER_SEGMENT: z.coerce.number().min(0).max(10),
  SMS_PRICE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. USD or CNY'),
});

export function broadcastPricing(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): BroadcastPricing {
  const local = config.LIANXIN_ENV === 'local';
  const parsed = schema.safeParse({
    SMS_PRICE_PER_SEGMENT:
      env.SMS_PRICE_PER_SEGMENT || (local ? LOCAL_SMS_PRICE.SMS_PRICE_PER_SEGMENT : undefined),
    SMS_PRICE_CURRENCY: env.SMS_PRICE_CURRENCY || (local ? LOCAL_SMS_PRICE.SMS_PRICE_CURRENCY : undefined),
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration (${fields})`);
  }
  return { perSegment: parsed.data.SMS_PRICE_PER_SEGMENT, currency: parsed.data.SMS_PRICE_CURRENCY };
}
