import { ConfigError } from '#lib/errors.ts';
import * as z from '#lib/zod.ts';
import { type Config, loadConfig } from './core.ts';
import { type Env, parseEnv } from './parse-env.ts';

export const secretsEnvSchema = z.object({
  TWILIO_SECRET_ARN: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('AWS only: the Secrets Manager secret {"accountSid","authToken"}')),
  WECHAT_SECRET_ARN: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('AWS only: the Secrets Manager secret {"appId","appSecret","token","encodingAesKey"}')),
});

const twilioSecretSchema = z.object({
  accountSid: z.string().check(z.minLength(1)),
  authToken: z.string().check(z.minLength(8)),
});

export type FetchSecret = (secretId: string) => Promise<string>;

export const secretsManager: FetchSecret = async (secretId) => {
  // Loaded only where a secret is named (in AWS), not on every local start or test.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!out.SecretString) throw new ConfigError(`secret ${secretId} has no string value`);
  return out.SecretString;
};

/**
 * In AWS the Twilio credentials are never plain environment values: TWILIO_SECRET_ARN names a
 * Secrets Manager secret ({"accountSid","authToken"}), read once per cold start and kept for the
 * container's life. Likewise WECHAT_SECRET_ARN ({"appId","appSecret","token","encodingAesKey"};
 * values left empty until the operator sets them count as unset). Then the whole configuration is
 * validated as usual.
 */
export async function loadConfigWithSecrets(
  env: Env = process.env,
  fetchSecret: FetchSecret = secretsManager,
): Promise<Config> {
  const arns = parseEnv(secretsEnvSchema, env);
  const [twilio, wechat] = await Promise.all([
    arns.TWILIO_SECRET_ARN ? readTwilioSecret(arns.TWILIO_SECRET_ARN, fetchSecret) : {},
    arns.WECHAT_SECRET_ARN ? readWechatSecret(arns.WECHAT_SECRET_ARN, fetchSecret) : {},
  ]);
  return loadConfig({ ...env, ...twilio, ...wechat });
}

async function readTwilioSecret(secretArn: string, fetchSecret: FetchSecret) {
  let secret: z.infer<typeof twilioSecretSchema>;
  try {
    secret = twilioSecretSchema.parse(JSON.parse(await fetchSecret(secretArn)));
  } catch (error) {
    throw new ConfigError('the Twilio secret could not be read or is not {"accountSid","authToken"}', {
      cause: error,
    });
  }
  return { TWILIO_ACCOUNT_SID: secret.accountSid, TWILIO_AUTH_TOKEN: secret.authToken };
}

const wechatSecretSchema = z.object({
  appId: z._default(z.string(), ''),
  appSecret: z._default(z.string(), ''),
  token: z._default(z.string(), ''),
  encodingAesKey: z._default(z.string(), ''),
});

async function readWechatSecret(secretArn: string, fetchSecret: FetchSecret) {
  let secret: z.infer<typeof wechatSecretSchema>;
  try {
    secret = wechatSecretSchema.parse(JSON.parse(await fetchSecret(secretArn)));
  } catch (error) {
    throw new ConfigError(
      'the WeChat secret could not be read or is not {"appId","appSecret","token","encodingAesKey"}',
      { cause: error },
    );
  }
  // Empty values are dropped by loadConfig: a secret not yet filled in is WeChat not configured.
  return {
    WECHAT_APP_ID: secret.appId,
    WECHAT_APP_SECRET: secret.appSecret,
    WECHAT_TOKEN: secret.token,
    WECHAT_ENCODING_AES_KEY: secret.encodingAesKey,
  };
}
