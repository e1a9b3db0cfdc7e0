// Who carries +86 mobiles and what each domestic provider charges: the part of the mainland SMS
// configuration the broadcast preview reads. Kept apart from the credentials (lib/config/mainland-sms.ts)
// so that the functions that only preview never bundle the secret reading.
import * as z from 'zod';
import { MAINLAND_PROVIDERS, type MainlandProvider } from '#lib/domain/sms-templates.ts';
import type { Config } from './core.ts';
import { type Env, parseEnv, withLocalDefaults } from './parse-env.ts';

export const MAINLAND_SMS_PROVIDER_FIELD = {
  SMS_PROVIDER: z
    .enum([...MAINLAND_PROVIDERS, 'twilio'])
    .default('aliyun')
    .describe('Who carries SMS to +86 numbers: aliyun, tencent, or twilio (others always go by Twilio)'),
};

export const MAINLAND_SMS_PRICE_FIELDS = {
  MAINLAND_SMS_PRICE_ALIYUN: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.045)
    .describe('CNY per billed segment on Alibaba Cloud, for previews and the bench'),
  MAINLAND_SMS_PRICE_TENCENT: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.045)
    .describe('CNY per billed segment on Tencent Cloud, for previews and the bench'),
};

const pricingSchema = z.object({ ...MAINLAND_SMS_PROVIDER_FIELD, ...MAINLAND_SMS_PRICE_FIELDS });

/** Who carries +86 mobiles and each domestic provider's price, for the broadcast preview. */
export function domesticSmsPricing(
  config: Pick<Config, 'LIANXIN_ENV'>,
  env: Env = process.env,
): { provider: MainlandProvider | 'twilio'; perSegment: Record<MainlandProvider, number> } {
  const e = parseEnv(pricingSchema, withLocalDefaults({ ...env, LIANXIN_ENV: config.LIANXIN_ENV }));
  return {
    provider: e.SMS_PROVIDER,
    perSegment: { aliyun: e.MAINLAND_SMS_PRICE_ALIYUN, tencent: e.MAINLAND_SMS_PRICE_TENCENT },
  };
}
