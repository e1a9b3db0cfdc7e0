import * as z from 'zod';
import { type Config, loadConfig } from '#lib/config.ts';
import { ConfigError } from '#lib/errors.ts';

const twilioSecretSchema = z.object({ accountSid: z.string().min(1), authToken: z.string().min(8) });

export type FetchSecret = (secretId: string) => Promise<string>;

const secretsManager: FetchSecret = async (secretId) => {
  // Loaded only where a secret is named (in AWS), not on every local start or test.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!out.SecretString) throw new ConfigError(`secret ${secretId} has no string value`);
  return out.SecretString;
};

/**
 * In AWS the Twilio credentials are never plain environment values: TWILIO_SECRET_ARN names a
 * Secrets Manager secret ({"accountSid","authToken"}), read once per cold start and kept for the
 * container's life. Then the whole configuration is validated as usual.
 */
export async function loadConfigWithSecrets(
  env: Record<string, string | undefined> = process.env,
  fetchSecret: FetchSecret = secretsManager,
): Promise<Config> {
  const secretArn = env.TWILIO_SECRET_ARN;
  if (!secretArn) return loadConfig(env);
  let secret: z.infer<typeof twilioSecretSchema>;
  try {
    secret = twilioSecretSchema.parse(JSON.parse(await fetchSecret(secretArn)));
  } catch (error) {
    throw new ConfigError('the Twilio secret could not be read or is not {"accountSid","authToken"}', {
      cause: error,
    });
  }
  return loadConfig({ ...env, TWILIO_ACCOUNT_SID: secret.accountSid, TWILIO_AUTH_TOKEN: secret.authToken });
}
