import { describe, expect, it } from 'vitest';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { ConfigError } from '#lib/errors.ts';

const AWS_ENV = {
  LIANXIN_ENV: 'aws',
  PUBLIC_URL: 'https://api.lianxin.example.org',
  TWILIO_PHONE_NUMBER: '+8610690000001',
  TABLE_NAME: 'lianxin-prod',
  AWS_REGION: 'ap-east-1',
  MESSAGE_LOG_TTL_DAYS: '30',
  SESSION_TTL_HOURS: '72',
  SEND_RATE_PER_SECOND: '1',
  SEND_WORKER_CONCURRENCY: '2',
  SEND_MAX_ATTEMPTS: '6',
  LOOP_GUARD_LIMIT: '3',
  SEND_CLAIM_TIMEOUT_SECONDS: '120',
  TWILIO_SECRET_ARN: 'arn:aws:secretsmanager:ap-east-1:123456789012:secret:lianxin/twilio-AbCdEf',
};
const ACCOUNT = `AC${'1'.repeat(32)}`;

describe('loadConfigWithSecrets', () => {
  it('takes the Twilio credentials from the named secret, read once', async () => {
    const asked: string[] = [];
    const config = await loadConfigWithSecrets(AWS_ENV, async (id) => {
      asked.push(id);
      return JSON.stringify({ accountSid: ACCOUNT, authToken: 'token-from-secrets-manager' });
    });
    expect(asked).toEqual([AWS_ENV.TWILIO_SECRET_ARN]);
    expect(config.TWILIO_AUTH_TOKEN).toBe('token-from-secrets-manager');
    expect(config.TWILIO_ACCOUNT_SID).toBe(ACCOUNT);
  });

  it.each([
    ['not JSON', 'token'],
    ['without a token', JSON.stringify({ accountSid: ACCOUNT })],
    ['with a short token', JSON.stringify({ accountSid: ACCOUNT, authToken: 'x' })],
  ])('fails loudly on a secret %s, without echoing it', async (_, value) => {
    const error = await loadConfigWithSecrets(AWS_ENV, async () => value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(value);
  });

  it('fails loudly when the secret cannot be read', async () => {
    const error = await loadConfigWithSecrets(AWS_ENV, async () => {
      throw new Error('AccessDenied');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
  });

  it('reads no secret when none is named (local mode)', async () => {
    const config = await loadConfigWithSecrets({ LIANXIN_ENV: 'local' }, async () => {
      throw new Error('must not be called');
    });
    expect(config.LIANXIN_ENV).toBe('local');
  });
});
