// The one place an environment is validated: every schema in lib/config/ goes through parseEnv, so a
// bad deployment fails at cold start with one error that lists every bad or missing variable at once.
import { ConfigError } from '#lib/errors.ts';
import type * as z from '#lib/zod.ts';
import { LOCAL_DEFAULTS } from './local-defaults.ts';

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; empty strings count as unset (CDK and shells write them for "none"). */
export function parseEnv<S extends z.ZodMiniType>(schema: S, env: Env): z.output<S> {
  const parsed = schema.safeParse(stripUnset(env));
  if (!parsed.success) throw configError(parsed.error.issues);
  return parsed.data;
}

/** The error shape of every configuration failure: `invalid configuration (A: why; B: why)`. */
export function configError(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix = '',
): ConfigError {
  const fields = issues.map((i) => `${prefix}${i.path.map(String).join('.')}: ${i.message}`).join('; ');
  return new ConfigError(`invalid configuration (${fields})`);
}

/**
 * `env` with the dev values of lib/config/local-defaults.ts filled in where unset, when and only when
 * LIANXIN_ENV=local. In AWS nothing is filled: a missing value fails loudly.
 */
export function withLocalDefaults(env: Env): Env {
  if (env.LIANXIN_ENV !== 'local') return env;
  const port = env.PORT || LOCAL_DEFAULTS.PORT;
  return { ...LOCAL_DEFAULTS, PUBLIC_URL: `http://localhost:${port}`, ...stripUnset(env) };
}

function stripUnset(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}
