import * as z from 'zod';
import { ConfigError } from '#lib/errors.ts';

/** Dev values printed by `npm start`; never used unless LIANXIN_ENV=local. */
export const LOCAL_DEFAULTS = {
  PORT: '3000',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'local-dev-auth-token',
  TWILIO_PHONE_NUMBER: '+15005550006',
  TABLE_NAME: 'lianxin-local',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  AWS_REGION: 'local',
} as const;

const schema = z.object({
  LIANXIN_ENV: z.enum(['aws', 'local']),
  PORT: z.coerce.number().int().min(0).max(65535),
  /** Public base URL the webhooks are called on (Twilio signs this exact URL). */
  PUBLIC_URL: z.url().transform((u) => u.replace(/\/+$/, '')),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits'),
  /** Only for the functions that talk to Twilio (in AWS it comes from TWILIO_SECRET_ARN). */
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  /** Our sending number, the To of inbound messages. */
  TWILIO_PHONE_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164'),
  TABLE_NAME: z.string().min(3),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1),
  MESSAGE_LOG_TTL_DAYS: z.coerce.number().int().min(1).max(365),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 14),
  /** The send queue (SQS) and its dead-letter queue; unset locally, where the queue is in-process. */
  SEND_QUEUE_URL: z.url().optional(),
  SEND_DLQ_URL: z.url().optional(),
  /** Messages per second our sender may send (Twilio's per-sender limit); 0 = no limit. */
  SEND_RATE_PER_SECOND: z.coerce.number().min(0).max(1000),
  /** Concurrent send workers (the event source's maximum concurrency): each gets rate / concurrency. */
  SEND_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000),
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20),
  /** More identical bodies than this to one address in 5 minutes are blocked. */
  LOOP_GUARD_LIMIT: z.coerce.number().int().min(1).max(100),
  /** A claim older than this without an outcome means the worker died mid-send (outcome unknown). */
  SEND_CLAIM_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(43_200),
  // WeChat Official Account (optional: a deployment outside China can be SMS-only). In AWS the four
  // credentials come from WECHAT_SECRET_ARN; locally lib/config-wechat.ts fills dev values.
  WECHAT_APP_ID: z
    .string()
    .regex(/^wx[0-9a-fA-F]{16}$/, 'must look like wx + 16 hex digits')
    .optional(),
  WECHAT_APP_SECRET: z.string().min(8).optional(),
  /** The Token set in the WeChat console; signs every request WeChat makes to us. */
  WECHAT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3-32 letters and digits')
    .optional(),
  /** Safe mode's 43-character EncodingAESKey. */
  WECHAT_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters and digits')
    .optional(),
  /** WeChat's API origin (a fake server in tests); default https://api.weixin.qq.com. */
  WECHAT_API_BASE_URL: z.url().optional(),
  /** JSON: message kind → {"templateId","field","maxLength"} for sends outside the 48-hour window. */
  WECHAT_TEMPLATES: z.string().optional(),
  /** How long the webhook waits for the conversation before answering `success` (WeChat allows 5 s). */
  WECHAT_REPLY_BUDGET_MS: z.coerce.number().int().min(100).max(4500).optional(),
});

export type Config = z.infer<typeof schema>;

/**
 * Reads and validates the environment once (call at module scope, i.e. cold start).
 * In AWS every value must be set; local mode fills the printed dev defaults.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const local = env.LIANXIN_ENV === 'local';
  const port = env.PORT || (local ? LOCAL_DEFAULTS.PORT : undefined);
  const withDefaults: Record<string, string | undefined> = local
    ? {
        ...LOCAL_DEFAULTS,
        PUBLIC_URL: `http://localhost:${port}`,
        MESSAGE_LOG_TTL_DAYS: '90',
        SESSION_TTL_HOURS: '48',
        SEND_RATE_PER_SECOND: '10',
        SEND_WORKER_CONCURRENCY: '2',
        SEND_MAX_ATTEMPTS: '5',
        LOOP_GUARD_LIMIT: '3',
        SEND_CLAIM_TIMEOUT_SECONDS: '120',
        ...stripUndefined(env),
      }
    : { PORT: '0', ...stripUndefined(env) };
  const parsed = schema.safeParse({ ...withDefaults, LIANXIN_ENV: env.LIANXIN_ENV ?? 'aws' });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration (${fields})`);
  }
  return parsed.data;
}

function stripUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

/**
 * The Twilio auth token, for the functions that verify Twilio's signatures or send through it.
 * Functions that never talk to Twilio are not granted its secret, so the token is optional in the
 * schema and required here, where it is used: a missing one still fails at cold start.
 */
export function twilioAuthToken(config: Config): string {
  if (!config.TWILIO_AUTH_TOKEN) {
    throw new ConfigError(
      'invalid configuration (TWILIO_AUTH_TOKEN: required by this function; TWILIO_SECRET_ARN in AWS)',
    );
  }
  return config.TWILIO_AUTH_TOKEN;
}
