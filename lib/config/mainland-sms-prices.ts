// Who carries +86 mobiles (first and fallback), Tencent's variable limit and what each domestic
// provider charges: the part of the mainland SMS configuration the broadcast preview reads. Kept apart from the credentials (lib/config/mainland-sms.ts)
// so that the functions that only preview never bundle the secret reading.
import { type TemplateCarrier, templateCarriers } from '#lib/domain/broadcast-template-limits.ts';
import { MAINLAND_PROVIDERS, type MainlandProvider } from '#lib/domain/sms-templates.ts';
import * as z from '#lib/zod.ts';
import type { Config } from './core.ts';
import { type Env, parseEnv, withLocalDefaults } from './parse-env.ts';

export const MAINLAND_SMS_PROVIDER_FIELD = {
  SMS_PROVIDER: z
    ._default(z.enum([...MAINLAND_PROVIDERS, 'twilio']), 'aliyun')
    .check(
      z.describe('Who carries SMS to +86 numbers: aliyun, tencent, or twilio (others always go by Twilio)'),
    ),
};

export const MAINLAND_SMS_FALLBACK_FIELD = {
  SMS_FALLBACK_PROVIDER: z
    ._default(z.enum([...MAINLAND_PROVIDERS, 'none']), 'none')
    .check(
      z.describe(
        'The second domestic provider: a +86 message the first fails with a provider error or a timeout goes by it, once (none: no failover)',
      ),
    ),
};

export const TENCENT_SMS_LIMIT_FIELD = {
  TENCENT_SMS_MAX_VARIABLE_CHARS: z
    ._default(z.coerce.number().check(z.int(), z.gte(6), z.lte(35)), 12)
    .check(
      z.describe(
        'The longest value Tencent accepts in one of our templates\' variables: 6 for an "other" variable by Tencent\'s rule, more only as approved for the template (docs/mainland-sms.md)',
      ),
    ),
};

export const MAINLAND_SMS_PRICE_FIELDS = {
  MAINLAND_SMS_PRICE_ALIYUN: z
    ._default(z.coerce.number().check(z.gte(0), z.lte(1)), 0.045)
    .check(z.describe('CNY per billed segment on Alibaba Cloud, for previews and the bench')),
  MAINLAND_SMS_PRICE_TENCENT: z
    ._default(z.coerce.number().check(z.gte(0), z.lte(1)), 0.045)
    .check(z.describe('CNY per billed segment on Tencent Cloud, for previews and the bench')),
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

const carriageSchema = z.object({
  ...MAINLAND_SMS_PROVIDER_FIELD,
  ...MAINLAND_SMS_FALLBACK_FIELD,
  ...TENCENT_SMS_LIMIT_FIELD,
});

/** The providers that may carry a broadcast to +86 mobiles, each with its variable limit (read at cold start). */
export function mainlandTemplateCarriers(
  config: Pick<Config, 'LIANXIN_ENV'>,
  env: Env = process.env,
): TemplateCarrier[] {
  const e = parseEnv(carriageSchema, withLocalDefaults({ ...env, LIANXIN_ENV: config.LIANXIN_ENV }));
  return templateCarriers({
    provider: e.SMS_PROVIDER,
    fallback: e.SMS_FALLBACK_PROVIDER,
    tencentMaxVariableChars: e.TENCENT_SMS_MAX_VARIABLE_CHARS,
  });
}
