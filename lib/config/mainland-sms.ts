// Mainland SMS: which provider carries +86 numbers, its credentials, signature and template codes, and
// the path secret of its callbacks. Read by the send worker and the domestic SMS webhooks.
import * as z from 'zod';
import { type MainlandProvider, SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { ConfigError } from '#lib/errors.ts';
import type { Config } from './core.ts';
import { MAINLAND_SMS_PRICE_FIELDS, MAINLAND_SMS_PROVIDER_FIELD } from './mainland-sms-prices.ts';
import { configError, type Env, parseEnv, withLocalDefaults } from './parse-env.ts';
import { type FetchSecret, secretsManager } from './secrets.ts';

const templateCodes = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a template code')));

const callbackSecret = z.string().min(16, 'at least 16 characters').max(128);

export const mainlandSmsEnvSchema = z.object({
  ...MAINLAND_SMS_PROVIDER_FIELD,
  ALIYUN_SMS_SECRET_ARN: z
    .string()
    .min(1)
    .optional()
    .describe(
      'AWS only: the Secrets Manager secret {"accessKeyId","accessKeySecret","callbackSecret","previousCallbackSecret"}',
    ),
  ALIYUN_SMS_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe('Alibaba Cloud AccessKey ID with SendSms only (in AWS from ALIYUN_SMS_SECRET_ARN)'),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z
    .string()
    .min(1)
    .optional()
    .describe('Its AccessKey secret (in AWS from ALIYUN_SMS_SECRET_ARN)'),
  ALIYUN_SMS_CALLBACK_SECRET: callbackSecret
    .optional()
    .describe('The path secret of /webhooks/aliyun-sms/{up,report}/{secret} (in AWS from the secret)'),
  ALIYUN_SMS_PREVIOUS_CALLBACK_SECRET: callbackSecret
    .optional()
    .describe('The path secret being rotated out, still accepted until the console has the new URL'),
  ALIYUN_SMS_SIGN_NAME: z
    .string()
    .min(2)
    .max(12)
    .default('连心')
    .describe('The registered signature, without 【】 (SignName)'),
  ALIYUN_SMS_TEMPLATE_CODES: templateCodes
    .optional()
    .describe(
      'JSON {"LX_REPLY_ZH_1":"SMS_…",…}: the code approval gave each template of `npm run sms-templates`',
    ),
  ALIYUN_SMS_ENDPOINT: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'host[:port]')
    .default('dysmsapi.aliyuncs.com')
    .describe('SendSms endpoint (host[:port]); the local stand-in in `npm start`'),
  ALIYUN_SMS_PROTOCOL: z
    .enum(['https', 'http'])
    .default('https')
    .describe('https in AWS; http only for a local stand-in'),
  ALIYUN_SMS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(500)
    .max(30_000)
    .default(5000)
    .describe('Whole SendSms request timeout; past it the outcome is unknown'),
  ...MAINLAND_SMS_PRICE_FIELDS,
});

export type MainlandSmsEnv = z.infer<typeof mainlandSmsEnvSchema>;

export interface AliyunSmsSettings {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Our template id → Alibaba Cloud's TemplateCode, for every template in the catalogue. */
  templateCodes: Readonly<Record<string, string>>;
  endpoint: string;
  protocol: 'https' | 'http';
  timeoutMs: number;
}

export interface MainlandSmsSettings {
  provider: MainlandProvider | 'twilio';
  aliyun: AliyunSmsSettings | undefined;
  /** The path secrets accepted on the callbacks: current first, then the one being rotated out. */
  aliyunCallbackSecrets: string[];
  pricePerSegment: Readonly<Record<MainlandProvider, number>>;
}

const aliyunSecretSchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  callbackSecret: callbackSecret,
  previousCallbackSecret: z.string().default(''),
});

/** The Alibaba Cloud secret's values as the environment names them (read once per cold start). */
async function readAliyunSecret(secretArn: string, fetchSecret: FetchSecret): Promise<Env> {
  let secret: z.infer<typeof aliyunSecretSchema>;
  try {
    secret = aliyunSecretSchema.parse(JSON.parse(await fetchSecret(secretArn)));
  } catch (error) {
    throw new ConfigError(
      'the Alibaba Cloud SMS secret could not be read or is not {"accessKeyId","accessKeySecret","callbackSecret"}',
      { cause: error },
    );
  }
  return {
    ALIYUN_SMS_ACCESS_KEY_ID: secret.accessKeyId,
    ALIYUN_SMS_ACCESS_KEY_SECRET: secret.accessKeySecret,
    ALIYUN_SMS_CALLBACK_SECRET: secret.callbackSecret,
    ALIYUN_SMS_PREVIOUS_CALLBACK_SECRET: secret.previousCallbackSecret,
  };
}

/**
 * The mainland SMS settings. In AWS the credentials and callback secrets come from
 * ALIYUN_SMS_SECRET_ARN; locally the dev values of lib/config/local-defaults.ts fill what is unset.
 */
export async function loadMainlandSmsSettings(
  config: Pick<Config, 'LIANXIN_ENV'>,
  env: Env = process.env,
  fetchSecret: FetchSecret = secretsManager,
  /** false for the callbacks, which never send: the provider's AccessKey and codes are not needed. */
  options: { sending: boolean } = { sending: true },
): Promise<MainlandSmsSettings> {
  const merged = withLocalDefaults({ ...env, LIANXIN_ENV: config.LIANXIN_ENV });
  const fromSecret = merged.ALIYUN_SMS_SECRET_ARN
    ? await readAliyunSecret(merged.ALIYUN_SMS_SECRET_ARN, fetchSecret)
    : {};
  return mainlandSmsSettings(parseEnv(mainlandSmsEnvSchema, { ...merged, ...fromSecret }), options);
}

/** Checks what the chosen provider needs; every catalogue template must have a code. */
export function mainlandSmsSettings(
  e: MainlandSmsEnv,
  options: { sending: boolean } = { sending: true },
): MainlandSmsSettings {
  const secrets = [e.ALIYUN_SMS_CALLBACK_SECRET, e.ALIYUN_SMS_PREVIOUS_CALLBACK_SECRET].filter(
    (s): s is string => s !== undefined,
  );
  let aliyun: AliyunSmsSettings | undefined;
  if (e.SMS_PROVIDER === 'aliyun' && options.sending) {
    const missing = (
      ['ALIYUN_SMS_ACCESS_KEY_ID', 'ALIYUN_SMS_ACCESS_KEY_SECRET', 'ALIYUN_SMS_TEMPLATE_CODES'] as const
    ).filter((k) => e[k] === undefined);
    const codes = e.ALIYUN_SMS_TEMPLATE_CODES ?? {};
    const uncoded = SMS_TEMPLATES.filter((t) => !codes[t.id]).map((t) => t.id);
    const issues = [
      ...missing.map((k) => ({ path: [k], message: 'required when SMS_PROVIDER=aliyun' })),
      ...(missing.includes('ALIYUN_SMS_TEMPLATE_CODES') || uncoded.length === 0
        ? []
        : [{ path: ['ALIYUN_SMS_TEMPLATE_CODES'], message: `no code for ${uncoded.join(', ')}` }]),
    ];
    if (issues.length > 0) throw configError(issues);
    aliyun = {
      accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID as string,
      accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET as string,
      signName: e.ALIYUN_SMS_SIGN_NAME,
      templateCodes: codes,
      endpoint: e.ALIYUN_SMS_ENDPOINT,
      protocol: e.ALIYUN_SMS_PROTOCOL,
      timeoutMs: e.ALIYUN_SMS_TIMEOUT_MS,
    };
  }
  return {
    provider: e.SMS_PROVIDER,
    aliyun,
    aliyunCallbackSecrets: secrets,
    pricePerSegment: { aliyun: e.MAINLAND_SMS_PRICE_ALIYUN, tencent: e.MAINLAND_SMS_PRICE_TENCENT },
  };
}
