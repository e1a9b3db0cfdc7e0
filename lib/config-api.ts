// The coordinators' API part of the configuration. In AWS, API Gateway's JWT authorizer (Cognito)
// has verified the token before the function runs: the handler reads the claims it passes on. Locally
// (`npm start`) there is no authorizer: the handler verifies tokens signed with a local key itself.
import * as z from 'zod';
import type { Config } from '#lib/config.ts';
import { ConfigError } from '#lib/errors.ts';

/** Dev values printed by `npm start`; never used unless LIANXIN_ENV=local. */
export const API_LOCAL_DEFAULTS = {
  API_LOCAL_SIGNING_KEY: 'local-dev-coordinators-api-signing-key-not-a-secret',
} as const;

/** What local tokens say they are, and what the handler requires of them. */
export const LOCAL_TOKEN_ISSUER = 'lianxin-local';
export const LOCAL_TOKEN_AUDIENCE = 'lianxin-coordinators-api';

/** The claim (a Cognito custom attribute) listing the coordinator's centres, comma-separated. */
export const CENTRES_CLAIM = 'custom:centres';

const schema = z.object({
  /** HS256 key of local tokens (local only; at least 32 characters). */
  API_LOCAL_SIGNING_KEY: z.string().min(32).optional(),
  /** Largest request body accepted, in bytes (413 above). */
  API_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .max(1024 * 1024)
    .default(16 * 1024),
});

export type ApiAuthSettings =
  | { mode: 'authorizer' }
  | { mode: 'local'; signingKey: Uint8Array; issuer: string; audience: string };

export interface ApiSettings {
  auth: ApiAuthSettings;
  maxBodyBytes: number;
}

export function apiSettings(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): ApiSettings {
  const local = config.LIANXIN_ENV === 'local';
  const parsed = schema.safeParse({
    API_LOCAL_SIGNING_KEY:
      env.API_LOCAL_SIGNING_KEY || (local ? API_LOCAL_DEFAULTS.API_LOCAL_SIGNING_KEY : undefined),
    API_MAX_BODY_BYTES: env.API_MAX_BODY_BYTES || undefined,
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration (${fields})`);
  }
  const { API_LOCAL_SIGNING_KEY: key, API_MAX_BODY_BYTES: maxBodyBytes } = parsed.data;
  if (!local) return { auth: { mode: 'authorizer' }, maxBodyBytes };
  if (!key) throw new ConfigError('invalid configuration (API_LOCAL_SIGNING_KEY: required locally)');
  return {
    auth: {
      mode: 'local',
      signingKey: new TextEncoder().encode(key),
      issuer: LOCAL_TOKEN_ISSUER,
      audience: LOCAL_TOKEN_AUDIENCE,
    },
    maxBodyBytes,
  };
}
