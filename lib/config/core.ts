// The configuration every entry point reads: table, Twilio, sending limits. Parsed once at cold start.
import { ConfigError } from '#lib/errors.ts';
import * as z from '#lib/zod.ts';
import { type Env, parseEnv, withLocalDefaults } from './parse-env.ts';
import { wechatEnvSchema } from './wechat-env.ts';

const E164 = /^\+[1-9]\d{6,14}$/;

export const coreEnvSchema = z.object({
  LIANXIN_ENV: z
    ._default(z.enum(['aws', 'local']), 'aws')
    .check(z.describe('`aws` (every value required) or `local`')),
  PORT: z
    ._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 0)
    .check(z.describe('Local server port (local only)')),
  PUBLIC_URL: z
    .pipe(
      z.url(),
      z.transform((u: string) => u.replace(/\/+$/, '')),
    )
    .check(z.describe('Public base URL the webhooks are called on (Twilio signs this exact URL)')),
  TWILIO_ACCOUNT_SID: z
    .string()
    .check(
      z.regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits'),
      z.describe('Twilio account (in AWS from TWILIO_SECRET_ARN)'),
    ),
  TWILIO_AUTH_TOKEN: z
    .optional(z.string().check(z.minLength(8)))
    .check(z.describe('Only for the functions that talk to Twilio (in AWS from TWILIO_SECRET_ARN)')),
  TWILIO_PHONE_NUMBER: z
    .string()
    .check(z.regex(E164, 'must be E.164'), z.describe('Our sending number, the To of inbound messages')),
  TABLE_NAME: z.string().check(z.minLength(3), z.describe('The DynamoDB table')),
  DYNAMODB_ENDPOINT: z.optional(z.url()).check(z.describe('DynamoDB Local (unset in AWS)')),
  AWS_REGION: z.string().check(z.minLength(1), z.describe('AWS region (set by Lambda)')),
  MESSAGE_LOG_TTL_DAYS: z.coerce
    .number()
    .check(z.int(), z.gte(1), z.lte(365), z.describe('Days a message log is kept')),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .check(z.int(), z.gte(1), z.lte(24 * 14), z.describe('Hours a conversation session lives')),
  SEND_QUEUE_URL: z
    .optional(z.url())
    .check(z.describe('The SQS send queue (unset locally: the queue is in-process)')),
  SEND_DLQ_URL: z.optional(z.url()).check(z.describe("The send queue's dead-letter queue")),
  SEND_RATE_PER_SECOND: z.coerce
    .number()
    .check(
      z.gte(0),
      z.lte(1000),
      z.describe("Messages per second our sender may send (Twilio's per-sender limit); 0 = no limit"),
    ),
  SEND_WORKER_CONCURRENCY: z.coerce
    .number()
    .check(
      z.int(),
      z.gte(1),
      z.lte(1000),
      z.describe(
        'Concurrent send workers (the event source maximum concurrency): each gets rate / concurrency',
      ),
    ),
  SEND_MAX_ATTEMPTS: z.coerce
    .number()
    .check(z.int(), z.gte(1), z.lte(20), z.describe('Attempts before a send fails')),
  LOOP_GUARD_LIMIT: z.coerce
    .number()
    .check(
      z.int(),
      z.gte(1),
      z.lte(100),
      z.describe('More identical bodies than this to one address in 5 minutes are blocked'),
    ),
  SEND_CLAIM_TIMEOUT_SECONDS: z.coerce
    .number()
    .check(
      z.int(),
      z.gte(10),
      z.lte(43_200),
      z.describe('A claim older than this without an outcome means the worker died mid-send'),
    ),
  // The WeChat credentials travel with the core values because, in AWS, they arrive through the same
  // secrets step (lib/config/secrets.ts); lib/config/wechat.ts turns them into settings.
  ...wechatEnvSchema.shape,
});

export type Config = z.infer<typeof coreEnvSchema>;

/**
 * Reads and validates the environment once (call at module scope, i.e. cold start).
 * In AWS every value must be set; local mode fills the dev defaults of lib/config/local-defaults.ts.
 */
export function loadConfig(env: Env = process.env): Config {
  return parseEnv(coreEnvSchema, withLocalDefaults(env));
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
