// The console's runtime configuration (/config.json): how to sign in. Kept apart from ./oauth.ts so
// the first load does not carry the OAuth library; the sign-in page loads that only in AWS.
export type RuntimeConfig =
  | { auth: 'local' }
  | { auth: 'cognito'; signInUrl: string; clientId: string; issuer: string };

export const CALLBACK_PATH = '/auth/callback';
export const SIGNED_OUT_PATH = '/sign-in';

/** The runtime config as served, or an error naming what is wrong (never a half-read config). */
export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  const v = (value ?? {}) as Record<string, unknown>;
  if (v.auth === 'local') return { auth: 'local' };
  const https = (s: unknown) => typeof s === 'string' && /^https:\/\/[^/\s]+(\/[^\s]*)?$/.test(s);
  if (
    v.auth === 'cognito' &&
    https(v.signInUrl) &&
    https(v.issuer) &&
    typeof v.clientId === 'string' &&
    v.clientId
  ) {
    return {
      auth: 'cognito',
      signInUrl: String(v.signInUrl).replace(/\/+$/, ''),
      clientId: v.clientId,
      issuer: String(v.issuer),
    };
  }
  throw new Error('config.json: unknown sign-in configuration');
}
