// Mainland SMS: which provider carries +86 numbers, its credentials, signature and template codes, and
// the path secret of its callbacks. Read by the send worker and the domestic SMS webhooks.
import { type MainlandProvider, SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { ConfigError } from '#lib/errors.ts';
import * as z from '#lib/zod.ts';
import type { Config } from './core.ts';
import {
  MAINLAND_SMS_FALLBACK_FIELD,
  MAINLAND_SMS_PRICE_FIELDS,
  MAINLAND_SMS_PROVIDER_FIELD,
  TENCENT_SMS_LIMIT_FIELD,
} from './mainland-sms-prices.ts';
import { configError, type Env, parseEnv, withLocalDefaults } from './parse-env.ts';
import { type FetchSecret, secretsManager } from './secrets.ts';

const templateCodes = z.pipe(
  z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        z.addCustomIssue(ctx, 'must be JSON');
        return z.NEVER;
      }
    }),
  ),
  z.record(z.string(), z.string().check(z.regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a template code'))),
);

const callbackSecret = z.string().check(z.minLength(16, 'at least 16 characters'), z.maxLength(128));

export const mainlandSmsEnvSchema = z.object({
  ...MAINLAND_SMS_PROVIDER_FIELD,
  ...MAINLAND_SMS_FALLBACK_FIELD,
  ALIYUN_SMS_SECRET_ARN: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'AWS only: the Secrets Manager secret {"accessKeyId","accessKeySecret","callbackSecret","previousCallbackSecret"}',
      ),
    ),
  ALIYUN_SMS_ACCESS_KEY_ID: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('Alibaba Cloud AccessKey ID with SendSms only (in AWS from ALIYUN_SMS_SECRET_ARN)')),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('Its AccessKey secret (in AWS from ALIYUN_SMS_SECRET_ARN)')),
  ALIYUN_SMS_CALLBACK_SECRET: z
    .optional(callbackSecret)
    .check(
      z.describe('The path secret of /webhooks/aliyun-sms/{up,report}/{secret} (in AWS from the secret)'),
    ),
  ALIYUN_SMS_PREVIOUS_CALLBACK_SECRET: z
    .optional(callbackSecret)
    .check(z.describe('The path secret being rotated out, still accepted until the console has the new URL')),
  ALIYUN_SMS_SIGN_NAME: z
    ._default(z.string().check(z.minLength(2), z.maxLength(12)), '连心')
    .check(z.describe('The registered signature, without 【】 (SignName)')),
  ALIYUN_SMS_TEMPLATE_CODES: z
    .optional(templateCodes)
    .check(
      z.describe(
        'JSON {"LX_REPLY_ZH_1":"SMS_…",…}: the code approval gave each template of `npm run sms-templates`',
      ),
    ),
  ALIYUN_SMS_ENDPOINT: z
    ._default(
      z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'host[:port]')),
      'dysmsapi.aliyuncs.com',
    )
    .check(z.describe('SendSms endpoint (host[:port]); the local stand-in in `npm start`')),
  ALIYUN_SMS_PROTOCOL: z
    ._default(z.enum(['https', 'http']), 'https')
    .check(z.describe('https in AWS; http only for a local stand-in')),
  ALIYUN_SMS_TIMEOUT_MS: z
    ._default(z.coerce.number().check(z.int(), z.gte(500), z.lte(30_000)), 5000)
    .check(z.describe('Whole SendSms request timeout; past it the outcome is unknown')),
  TENCENT_SMS_SECRET_ARN: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'AWS only: the Secrets Manager secret {"secretId","secretKey","callbackSecret","previousCallbackSecret"}',
      ),
    ),
  TENCENT_SMS_SECRET_ID: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'Tencent Cloud API SecretId of a sub-user allowed SendSms only (in AWS from TENCENT_SMS_SECRET_ARN)',
      ),
    ),
  TENCENT_SMS_SECRET_KEY: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('Its SecretKey (in AWS from TENCENT_SMS_SECRET_ARN)')),
  TENCENT_SMS_CALLBACK_SECRET: z
    .optional(callbackSecret)
    .check(
      z.describe('The path secret of /webhooks/tencent-sms/{reply,status}/{secret} (in AWS from the secret)'),
    ),
  TENCENT_SMS_PREVIOUS_CALLBACK_SECRET: z
    .optional(callbackSecret)
    .check(
      z.describe(
        'The Tencent path secret being rotated out, still accepted until the console has the new URL',
      ),
    ),
  TENCENT_SMS_SDK_APP_ID: z
    .optional(z.string().check(z.regex(/^\d{6,12}$/, 'the SmsSdkAppId, digits')))
    .check(
      z.describe('The SMS application (SmsSdkAppId, e.g. 1400006666) the signature and templates belong to'),
    ),
  TENCENT_SMS_SIGN_NAME: z
    ._default(z.string().check(z.minLength(2), z.maxLength(12)), '连心')
    .check(z.describe('The approved signature content, without 【】 (SignName)')),
  TENCENT_SMS_TEMPLATE_IDS: z
    .optional(templateCodes)
    .check(z.describe('JSON {"LX_REPLY_ZH_1":"1234567",…}: the TemplateId approval gave each template')),
  TENCENT_SMS_ENDPOINT: z
    ._default(
      z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'host[:port]')),
      'sms.tencentcloudapi.com',
    )
    .check(z.describe('SendSms endpoint (host[:port]); the local stand-in in `npm start`')),
  TENCENT_SMS_PROTOCOL: z
    ._default(z.enum(['https', 'http']), 'https')
    .check(z.describe('https in AWS; http only for a local stand-in')),
  TENCENT_SMS_REGION: z
    ._default(z.string().check(z.regex(/^[a-z]+-[a-z]+$/, 'a region such as ap-guangzhou')), 'ap-guangzhou')
    .check(z.describe('The API region of the SMS application (ap-guangzhou, ap-beijing or ap-nanjing)')),
  TENCENT_SMS_TIMEOUT_MS: z
    ._default(z.coerce.number().check(z.int(), z.gte(500), z.lte(30_000)), 5000)
    .check(z.describe('Whole SendSms request timeout; past it the outcome is unknown')),
  ...TENCENT_SMS_LIMIT_FIELD,
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

export interface TencentSmsSettings {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  /** Our template id → Tencent Cloud's TemplateId, for every template in the catalogue. */
  templateIds: Readonly<Record<string, string>>;
  endpoint: string;
  protocol: 'https' | 'http';
  region: string;
  timeoutMs: number;
  maxVariableChars: number;
}

export interface MainlandSmsSettings {
  provider: MainlandProvider | 'twilio';
  /** The second domestic provider, for failover; undefined when there is none. */
  fallback: MainlandProvider | undefined;
  /** Set when Alibaba Cloud sends (first or second). */
  aliyun: AliyunSmsSettings | undefined;
  /** Set when Tencent Cloud sends (first or second). */
  tencent: TencentSmsSettings | undefined;
  /** The path secrets accepted on the callbacks: current first, then the one being rotated out. */
  aliyunCallbackSecrets: string[];
  tencentCallbackSecrets: string[];
  pricePerSegment: Readonly<Record<MainlandProvider, number>>;
}

const aliyunSecretSchema = z.object({
  accessKeyId: z.string().check(z.minLength(1)),
  accessKeySecret: z.string().check(z.minLength(1)),
  callbackSecret: callbackSecret,
  previousCallbackSecret: z._default(z.string(), ''),
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

const tencentSecretSchema = z.object({
  secretId: z.string().check(z.minLength(1)),
  secretKey: z.string().check(z.minLength(1)),
  callbackSecret: callbackSecret,
  previousCallbackSecret: z._default(z.string(), ''),
});

/** The Tencent Cloud secret's values as the environment names them (read once per cold start). */
async function readTencentSecret(secretArn: string, fetchSecret: FetchSecret): Promise<Env> {
  let secret: z.infer<typeof tencentSecretSchema>;
  try {
    secret = tencentSecretSchema.parse(JSON.parse(await fetchSecret(secretArn)));
  } catch (error) {
    throw new ConfigError(
      'the Tencent Cloud SMS secret could not be read or is not {"secretId","secretKey","callbackSecret"}',
      { cause: error },
    );
  }
  return {
    TENCENT_SMS_SECRET_ID: secret.secretId,
    TENCENT_SMS_SECRET_KEY: secret.secretKey,
    TENCENT_SMS_CALLBACK_SECRET: secret.callbackSecret,
    TENCENT_SMS_PREVIOUS_CALLBACK_SECRET: secret.previousCallbackSecret,
  };
}

/**
 * The mainland SMS settings. In AWS the credentials and callback secrets come from
 * ALIYUN_SMS_SECRET_ARN and TENCENT_SMS_SECRET_ARN; locally the dev values of lib/config/local-defaults.ts fill what is unset.
 */
export async function loadMainlandSmsSettings(
  config: Pick<Config, 'LIANXIN_ENV'>,
  env: Env = process.env,
  fetchSecret: FetchSecret = secretsManager,
  /** false for the callbacks, which never send: the provider's AccessKey and codes are not needed. */
  options: { sending: boolean } = { sending: true },
): Promise<MainlandSmsSettings> {
  const merged = withLocalDefaults({ ...env, LIANXIN_ENV: config.LIANXIN_ENV });
  const fromSecrets = {
    ...(merged.ALIYUN_SMS_SECRET_ARN
      ? await readAliyunSecret(merged.ALIYUN_SMS_SECRET_ARN, fetchSecret)
      : {}),
    ...(merged.TENCENT_SMS_SECRET_ARN
      ? await readTencentSecret(merged.TENCENT_SMS_SECRET_ARN, fetchSecret)
      : {}),
  };
  return mainlandSmsSettings(parseEnv(mainlandSmsEnvSchema, { ...merged, ...fromSecrets }), options);
}

const secretsOf = (...values: (string | undefined)[]): string[] =>
  values.filter((v): v is string => v !== undefined && v !== '');

/** Checks what the chosen providers need (first and second); every catalogue template must have a code. */
export function mainlandSmsSettings(
  e: MainlandSmsEnv,
  options: { sending: boolean } = { sending: true },
): MainlandSmsSettings {
  const fallback =
    e.SMS_FALLBACK_PROVIDER === 'none' ||
    e.SMS_PROVIDER === 'twilio' ||
    e.SMS_FALLBACK_PROVIDER === e.SMS_PROVIDER
      ? undefined
      : e.SMS_FALLBACK_PROVIDER;
  const sends = (p: MainlandProvider) => options.sending && (e.SMS_PROVIDER === p || fallback === p);
  const role = (p: MainlandProvider) =>
    e.SMS_PROVIDER === p ? `SMS_PROVIDER=${p}` : `SMS_FALLBACK_PROVIDER=${p}`;
  const issues: { path: string[]; message: string }[] = [];
  const uncodedIssue = (key: string, codes: Readonly<Record<string, string>>) => {
    const uncoded = SMS_TEMPLATES.filter((t) => !codes[t.id]).map((t) => t.id);
    if (uncoded.length > 0) issues.push({ path: [key], message: `no code for ${uncoded.join(', ')}` });
  };
  let aliyun: AliyunSmsSettings | undefined;
  if (sends('aliyun')) {
    const missing = (
      ['ALIYUN_SMS_ACCESS_KEY_ID', 'ALIYUN_SMS_ACCESS_KEY_SECRET', 'ALIYUN_SMS_TEMPLATE_CODES'] as const
    ).filter((k) => e[k] === undefined);
    issues.push(...missing.map((k) => ({ path: [k], message: `required when ${role('aliyun')}` })));
    if (e.ALIYUN_SMS_TEMPLATE_CODES) uncodedIssue('ALIYUN_SMS_TEMPLATE_CODES', e.ALIYUN_SMS_TEMPLATE_CODES);
    aliyun = {
      accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID as string,
      accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET as string,
      signName: e.ALIYUN_SMS_SIGN_NAME,
      templateCodes: e.ALIYUN_SMS_TEMPLATE_CODES ?? {},
      endpoint: e.ALIYUN_SMS_ENDPOINT,
      protocol: e.ALIYUN_SMS_PROTOCOL,
      timeoutMs: e.ALIYUN_SMS_TIMEOUT_MS,
    };
  }
  let tencent: TencentSmsSettings | undefined;
  if (sends('tencent')) {
    const missing = (
      [
        'TENCENT_SMS_SECRET_ID',
        'TENCENT_SMS_SECRET_KEY',
        'TENCENT_SMS_SDK_APP_ID',
        'TENCENT_SMS_TEMPLATE_IDS',
      ] as const
    ).filter((k) => e[k] === undefined);
    issues.push(...missing.map((k) => ({ path: [k], message: `required when ${role('tencent')}` })));
    if (e.TENCENT_SMS_TEMPLATE_IDS) uncodedIssue('TENCENT_SMS_TEMPLATE_IDS', e.TENCENT_SMS_TEMPLATE_IDS);
    tencent = {
      secretId: e.TENCENT_SMS_SECRET_ID as string,
      secretKey: e.TENCENT_SMS_SECRET_KEY as string,
      sdkAppId: e.TENCENT_SMS_SDK_APP_ID as string,
      signName: e.TENCENT_SMS_SIGN_NAME,
      templateIds: e.TENCENT_SMS_TEMPLATE_IDS ?? {},
      endpoint: e.TENCENT_SMS_ENDPOINT,
      protocol: e.TENCENT_SMS_PROTOCOL,
      region: e.TENCENT_SMS_REGION,
      timeoutMs: e.TENCENT_SMS_TIMEOUT_MS,
      maxVariableChars: e.TENCENT_SMS_MAX_VARIABLE_CHARS,
    };
  }
  if (issues.length > 0) throw configError(issues);
  return {
    provider: e.SMS_PROVIDER,
    fallback,
    aliyun,
    tencent,
    aliyunCallbackSecrets: secretsOf(e.ALIYUN_SMS_CALLBACK_SECRET, e.ALIYUN_SMS_PREVIOUS_CALLBACK_SECRET),
    tencentCallbackSecrets: secretsOf(e.TENCENT_SMS_CALLBACK_SECRET, e.TENCENT_SMS_PREVIOUS_CALLBACK_SECRET),
    pricePerSegment: { aliyun: e.MAINLAND_SMS_PRICE_ALIYUN, tencent: e.MAINLAND_SMS_PRICE_TENCENT },
  };
}
