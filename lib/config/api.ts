// The coordinators' API part of the configuration. In AWS, API Gateway's JWT authorizer (Cognito)
// has verified the token before the function runs: the handler reads the claims it passes on. Locally
// (`npm start`) there is no authorizer: the handler verifies tokens signed with a local key itself.
import { ConfigError } from '#lib/errors.ts';
import * as z from '#lib/zod.ts';
import type { Config } from './core.ts';
import { type Env, parseEnv, withLocalDefaults } from './parse-env.ts';

/** What local tokens say they are, and what the handler requires of them. */
export const LOCAL_TOKEN_ISSUER = 'lianxin-local';
export const LOCAL_TOKEN_AUDIENCE = 'lianxin-coordinators-api';

/** The claim (a Cognito custom attribute) listing the coordinator's centres, comma-separated. */
export const CENTRES_CLAIM = 'custom:centres';
/** The claim listing the user's Cognito groups. */
export const GROUPS_CLAIM = 'cognito:groups';
/** The group of centre admins: they invite coordinators and give them centres they hold themselves. */
export const CENTRE_ADMIN_GROUP = 'centre-admin';

export const apiEnvSchema = z.object({
  API_LOCAL_SIGNING_KEY: z
    .optional(z.string().check(z.minLength(32)))
    .check(z.describe('HS256 key of local tokens (local only; at least 32 characters)')),
  API_MAX_BODY_BYTES: z
    ._default(z.coerce.number().check(z.int(), z.gte(256), z.lte(1024 * 1024)), 16 * 1024)
    .check(z.describe('Largest request body accepted, in bytes (413 above)')),
  COORDINATORS_USER_POOL_ID: z
    .optional(
      z.string().check(z.regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'a Cognito user pool id, e.g. ap-east-1_AbC123')),
    )
    .check(
      z.describe(
        "The coordinators' Cognito user pool (AWS only): centre admins invite coordinators into it; unset, the invitation routes are off",
      ),
    ),
  EXPORT_BUCKET: z
    .optional(z.string().check(z.minLength(3)))
    .check(
      z.describe(
        'S3 bucket for exports too large for a response (set by the CDK; unset: such an export is a 413)',
      ),
    ),
  EXPORT_LINK_SECONDS: z
    ._default(z.coerce.number().check(z.int(), z.gte(60), z.lte(3600)), 900)
    .check(z.describe('How long the link to an export file works, in seconds')),
});

/** Where exports too large for a response go (none: refused with a 413). */
export function exportSettings(env: Env = process.env): { bucket?: string | undefined; linkSeconds: number } {
  const parsed = parseEnv(apiEnvSchema, env);
  return { bucket: parsed.EXPORT_BUCKET, linkSeconds: parsed.EXPORT_LINK_SECONDS };
}

export type ApiAuthSettings =
  | { mode: 'authorizer' }
  | { mode: 'local'; signingKey: Uint8Array; issuer: string; audience: string };

export interface ApiSettings {
  auth: ApiAuthSettings;
  maxBodyBytes: number;
  /** Where coordinators' accounts live: the local store (npm start) or the Cognito user pool. */
  accounts: { mode: 'local' } | { mode: 'cognito'; userPoolId: string } | { mode: 'none' };
}

/** `config` says which mode (local fills dev values); the values come from `env`. */
export function apiSettings(config: Pick<Config, 'LIANXIN_ENV'>, env: Env = process.env): ApiSettings {
  const parsed = parseEnv(apiEnvSchema, withLocalDefaults({ ...env, LIANXIN_ENV: config.LIANXIN_ENV }));
  const { API_LOCAL_SIGNING_KEY: key, API_MAX_BODY_BYTES: maxBodyBytes } = parsed;
  const poolId = parsed.COORDINATORS_USER_POOL_ID;
  if (config.LIANXIN_ENV !== 'local') {
    const accounts = poolId
      ? ({ mode: 'cognito', userPoolId: poolId } as const)
      : ({ mode: 'none' } as const);
    return { auth: { mode: 'authorizer' }, maxBodyBytes, accounts };
  }
  if (!key) throw new ConfigError('invalid configuration (API_LOCAL_SIGNING_KEY: required locally)');
  return {
    auth: {
      mode: 'local',
      signingKey: new TextEncoder().encode(key),
      issuer: LOCAL_TOKEN_ISSUER,
      audience: LOCAL_TOKEN_AUDIENCE,
    },
    maxBodyBytes,
    accounts: { mode: 'local' },
  };
}
