import { describe, expect, it } from 'vitest';
import { loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import { LOCAL_DEFAULTS, WECHAT_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { ConfigError } from '#lib/errors.ts';

/** A complete, valid AWS environment. */
const AWS_ENV = {
  LIANXIN_ENV: 'aws',
  PUBLIC_URL: 'https://api.lianxin.example.org',
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789ABCDEF',
  TWILIO_AUTH_TOKEN: 'a-real-looking-auth-token',
  TWILIO_PHONE_NUMBER: '+8610690000001',
  TABLE_NAME: 'lianxin-prod',
  AWS_REGION: 'ap-east-1',
  MESSAGE_LOG_TTL_DAYS: '30',
  SESSION_TTL_HOURS: '72',
  SEND_QUEUE_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/lianxin-send',
  SEND_DLQ_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/lianxin-send-dlq',
  SEND_RATE_PER_SECOND: '1',
  SEND_WORKER_CONCURRENCY: '2',
  SEND_MAX_ATTEMPTS: '6',
  LOOP_GUARD_LIMIT: '3',
  SEND_CLAIM_TIMEOUT_SECONDS: '120',
} as const;

type EnvKey = keyof typeof AWS_ENV;

function without(key: EnvKey): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...AWS_ENV };
  delete env[key];
  return env;
}

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected loadConfig to throw for ${JSON.stringify(env)}`);
}

describe('loadConfig in AWS', () => {
  it('parses a complete environment, coercing numbers', () => {
    const config = loadConfig({ ...AWS_ENV });
    expect(config).toEqual({
      LIANXIN_ENV: 'aws',
      PORT: 0,
      PUBLIC_URL: 'https://api.lianxin.example.org',
      TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789ABCDEF',
      TWILIO_AUTH_TOKEN: 'a-real-looking-auth-token',
      TWILIO_PHONE_NUMBER: '+8610690000001',
      TABLE_NAME: 'lianxin-prod',
      AWS_REGION: 'ap-east-1',
      MESSAGE_LOG_TTL_DAYS: 30,
      SESSION_TTL_HOURS: 72,
      SEND_QUEUE_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/lianxin-send',
      SEND_DLQ_URL: 'https://sqs.ap-east-1.amazonaws.com/123456789012/lianxin-send-dlq',
      SEND_RATE_PER_SECOND: 1,
      SEND_WORKER_CONCURRENCY: 2,
      SEND_MAX_ATTEMPTS: 6,
      LOOP_GUARD_LIMIT: 3,
      SEND_CLAIM_TIMEOUT_SECONDS: 120,
    });
  });

  it('treats a missing LIANXIN_ENV as aws', () => {
    const { LIANXIN_ENV: _, ...rest } = AWS_ENV;
    expect(loadConfig(rest).LIANXIN_ENV).toBe('aws');
  });

  it('takes DYNAMODB_ENDPOINT when given', () => {
    expect(loadConfig({ ...AWS_ENV, DYNAMODB_ENDPOINT: 'http://10.0.0.5:8000' }).DYNAMODB_ENDPOINT).toBe(
      'http://10.0.0.5:8000',
    );
  });

  it.each([
    ['https://api.lianxin.example.org/', 'https://api.lianxin.example.org'],
    ['https://api.lianxin.example.org///', 'https://api.lianxin.example.org'],
    ['https://example.org/lianxin/', 'https://example.org/lianxin'],
    ['https://example.org/lianxin', 'https://example.org/lianxin'],
  ])('strips the trailing slash of PUBLIC_URL %s', (url, expected) => {
    expect(loadConfig({ ...AWS_ENV, PUBLIC_URL: url }).PUBLIC_URL).toBe(expected);
  });

  const required: EnvKey[] = [
    'PUBLIC_URL',
    'TWILIO_ACCOUNT_SID',
    'TWILIO_PHONE_NUMBER',
    'TABLE_NAME',
    'AWS_REGION',
    'MESSAGE_LOG_TTL_DAYS',
    'SESSION_TTL_HOURS',
    'SEND_RATE_PER_SECOND',
    'SEND_WORKER_CONCURRENCY',
    'SEND_MAX_ATTEMPTS',
    'LOOP_GUARD_LIMIT',
    'SEND_CLAIM_TIMEOUT_SECONDS',
  ];

  it.each(required)('requires %s (no local default fills it)', (key) => {
    const error = configErrorOf(without(key));
    expect(error.message).toContain(`${key}:`);
    for (const other of required.filter((k) => k !== key)) expect(error.message).not.toContain(`${other}:`);
  });

  it.each(required)('treats an empty %s as missing', (key) => {
    expect(configErrorOf({ ...AWS_ENV, [key]: '' }).message).toContain(`${key}:`);
  });

  it('names every missing field at once', () => {
    const error = configErrorOf({});
    for (const key of required) expect(error.message).toContain(`${key}:`);
    expect(error.message).not.toContain('LIANXIN_ENV');
  });

  it.each<[EnvKey | 'PORT' | 'DYNAMODB_ENDPOINT', string]>([
    ['LIANXIN_ENV', 'production'],
    ['PUBLIC_URL', 'api.lianxin.example.org'],
    ['PUBLIC_URL', 'not a url'],
    ['TWILIO_ACCOUNT_SID', 'AC0123'],
    ['TWILIO_ACCOUNT_SID', 'SM0123456789abcdef0123456789abcdef'],
    ['TWILIO_ACCOUNT_SID', 'AC0123456789abcdef0123456789abcdeg'],
    ['TWILIO_ACCOUNT_SID', 'AC0123456789abcdef0123456789abcdef0'],
    ['TWILIO_PHONE_NUMBER', '8610690000001'],
    ['TWILIO_PHONE_NUMBER', '+08610690000001'],
    ['TWILIO_PHONE_NUMBER', '+86 1069 0000 001'],
    ['TWILIO_PHONE_NUMBER', '+12345'],
    ['TWILIO_PHONE_NUMBER', '+1234567890123456'],
    ['TWILIO_AUTH_TOKEN', 'short'],
    ['TABLE_NAME', 'lx'],
    ['MESSAGE_LOG_TTL_DAYS', '0'],
    ['MESSAGE_LOG_TTL_DAYS', '366'],
    ['MESSAGE_LOG_TTL_DAYS', '1.5'],
    ['MESSAGE_LOG_TTL_DAYS', 'ninety'],
    ['SESSION_TTL_HOURS', '337'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DYNAMODB_ENDPOINT', 'dynamodb local'],
  ])('rejects %s=%j and names it', (key, value) => {
    const error = configErrorOf({ ...AWS_ENV, [key]: value });
    expect(error.message).toMatch(new RegExp(`^invalid configuration \\(${key}: [^;]+\\)$`));
  });

  it('accepts the bounds of the numeric ranges', () => {
    const config = loadConfig({ ...AWS_ENV, MESSAGE_LOG_TTL_DAYS: '365', SESSION_TTL_HOURS: '336' });
    expect([config.MESSAGE_LOG_TTL_DAYS, config.SESSION_TTL_HOURS]).toEqual([365, 336]);
  });

  it('says what an account sid and a phone number must look like, without echoing the values', () => {
    const error = configErrorOf({
      ...AWS_ENV,
      TWILIO_ACCOUNT_SID: 'ACsecretish',
      TWILIO_PHONE_NUMBER: '10690000001',
      TWILIO_AUTH_TOKEN: 'hunter2',
    });
    expect(error.message).toContain('TWILIO_ACCOUNT_SID: must look like AC + 32 hex digits');
    expect(error.message).toContain('TWILIO_PHONE_NUMBER: must be E.164');
    expect(error.message).toContain('TWILIO_AUTH_TOKEN:');
    for (const value of ['ACsecretish', '10690000001', 'hunter2']) expect(error.message).not.toContain(value);
  });
});

describe('loadConfig locally', () => {
  it('fills the printed dev defaults', () => {
    expect(loadConfig({ LIANXIN_ENV: 'local' })).toEqual({
      LIANXIN_ENV: 'local',
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      TWILIO_ACCOUNT_SID: LOCAL_DEFAULTS.TWILIO_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: LOCAL_DEFAULTS.TWILIO_AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: LOCAL_DEFAULTS.TWILIO_PHONE_NUMBER,
      TABLE_NAME: LOCAL_DEFAULTS.TABLE_NAME,
      DYNAMODB_ENDPOINT: LOCAL_DEFAULTS.DYNAMODB_ENDPOINT,
      AWS_REGION: LOCAL_DEFAULTS.AWS_REGION,
      MESSAGE_LOG_TTL_DAYS: 90,
      SESSION_TTL_HOURS: 48,
      SEND_RATE_PER_SECOND: 10,
      SEND_WORKER_CONCURRENCY: 2,
      SEND_MAX_ATTEMPTS: 5,
      LOOP_GUARD_LIMIT: 3,
      SEND_CLAIM_TIMEOUT_SECONDS: 120,
      // The local Official Account, so `npm start` has WeChat too.
      ...WECHAT_LOCAL_DEFAULTS,
    });
  });

  it.each([
    [{ PORT: '4000' }, 4000, 'http://localhost:4000'],
    [{ PORT: '' }, 3000, 'http://localhost:3000'],
    [{ PORT: undefined }, 3000, 'http://localhost:3000'],
    [{ PORT: '4000', PUBLIC_URL: 'https://abc123.ngrok.app/' }, 4000, 'https://abc123.ngrok.app'],
  ])('with %j serves on PORT %i at %s', (env, port, url) => {
    const config = loadConfig({ LIANXIN_ENV: 'local', ...env });
    expect(config.PORT).toBe(port);
    expect(config.PUBLIC_URL).toBe(url);
  });

  it('lets the environment override any default', () => {
    const config = loadConfig({
      LIANXIN_ENV: 'local',
      TABLE_NAME: 'lianxin-test-42',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8123',
      SESSION_TTL_HOURS: '1',
      TWILIO_AUTH_TOKEN: '',
    });
    expect(config.TABLE_NAME).toBe('lianxin-test-42');
    expect(config.DYNAMODB_ENDPOINT).toBe('http://127.0.0.1:8123');
    expect(config.SESSION_TTL_HOURS).toBe(1);
    expect(config.TWILIO_AUTH_TOKEN).toBe(LOCAL_DEFAULTS.TWILIO_AUTH_TOKEN);
  });

  it('still validates what the environment overrides', () => {
    const error = configErrorOf({ LIANXIN_ENV: 'local', TWILIO_PHONE_NUMBER: '15005550006' });
    expect(error.message).toBe('invalid configuration (TWILIO_PHONE_NUMBER: must be E.164)');
  });
});

describe('twilioAuthToken', () => {
  it('is optional in the schema, for functions that never talk to Twilio', () => {
    const { TWILIO_AUTH_TOKEN: _, ...rest } = AWS_ENV;
    expect(loadConfig(rest).TWILIO_AUTH_TOKEN).toBeUndefined();
  });

  it('fails loudly where a function needs it and it is missing', () => {
    const { TWILIO_AUTH_TOKEN: _, ...rest } = AWS_ENV;
    expect(() => twilioAuthToken(loadConfig(rest))).toThrow(ConfigError);
    expect(() => twilioAuthToken(loadConfig(rest))).toThrow(/TWILIO_AUTH_TOKEN/);
  });

  it('gives the token when present', () => {
    expect(twilioAuthToken(loadConfig({ ...AWS_ENV }))).toBe(AWS_ENV.TWILIO_AUTH_TOKEN);
  });
});
