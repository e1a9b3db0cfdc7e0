import { describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/core.ts';
import { WECHAT_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { parseTemplates, wechatInboundSettings, wechatOutboundSettings } from '#lib/config/wechat.ts';
import { ConfigError } from '#lib/errors.ts';

const AWS_ENV = {
  LIANXIN_ENV: 'aws',
  PUBLIC_URL: 'https://api.lianxin.example.org',
  TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'a-real-looking-auth-token',
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
};
const SECRET_ARN = 'arn:aws:secretsmanager:ap-east-1:123456789012:secret:lianxin/wechat-AbCdEf';
const WECHAT = {
  appId: 'wx2c2769f8efd9abc2',
  appSecret: '0123456789abcdef0123456789abcdef',
  token: 'GeneratedToken32CharactersLong00',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

describe('WeChat configuration', () => {
  it('is optional: without it the send worker has no WeChat channel and the webhook refuses to start', () => {
    const config = loadConfig(AWS_ENV);
    expect(wechatOutboundSettings(config)).toBeUndefined();
    expect(() => wechatInboundSettings(config)).toThrow(
      new ConfigError('invalid configuration (WECHAT_APP_ID: required; WECHAT_TOKEN: required)'),
    );
  });

  it('comes from the WeChat secret in AWS, read once alongside nothing else', async () => {
    const asked: string[] = [];
    const config = await loadConfigWithSecrets({ ...AWS_ENV, WECHAT_SECRET_ARN: SECRET_ARN }, async (id) => {
      asked.push(id);
      return JSON.stringify(WECHAT);
    });
    expect(asked).toEqual([SECRET_ARN]);
    expect(wechatInboundSettings(config)).toEqual({
      appId: WECHAT.appId,
      token: WECHAT.token,
      encodingAesKey: WECHAT.encodingAesKey,
      requireEncryption: true,
      replyBudgetMs: 4000,
    });
    expect(wechatOutboundSettings(config)).toEqual({
      appId: WECHAT.appId,
      appSecret: WECHAT.appSecret,
      apiBaseUrl: 'https://api.weixin.qq.com',
      templates: {},
    });
  });

  it('treats a secret not filled in yet (empty values) as WeChat off, not as an error', async () => {
    const config = await loadConfigWithSecrets({ ...AWS_ENV, WECHAT_SECRET_ARN: SECRET_ARN }, async () =>
      JSON.stringify({ appId: '', appSecret: '', token: 'GeneratedToken', encodingAesKey: '' }),
    );
    expect(wechatOutboundSettings(config)).toBeUndefined();
    expect(() => wechatInboundSettings(config)).toThrow(/WECHAT_APP_ID: required/);
  });

  it('fails loudly, without echoing it, on a malformed secret or value', async () => {
    const unreadable = await loadConfigWithSecrets(
      { ...AWS_ENV, WECHAT_SECRET_ARN: SECRET_ARN },
      async () => 'x',
    )
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(ConfigError);
    const badKey = await loadConfigWithSecrets({ ...AWS_ENV, WECHAT_SECRET_ARN: SECRET_ARN }, async () =>
      JSON.stringify({ ...WECHAT, encodingAesKey: 'short-secret-key' }),
    ).catch((e: unknown) => e as Error);
    expect((badKey as Error).message).toBe(
      'invalid configuration (WECHAT_ENCODING_AES_KEY: must be 43 letters and digits)',
    );
  });

  it('requires encrypted POSTs only in AWS with an EncodingAESKey: locally plaintext stays allowed', () => {
    const wechat = { WECHAT_APP_ID: WECHAT.appId, WECHAT_TOKEN: WECHAT.token };
    const key = { WECHAT_ENCODING_AES_KEY: WECHAT.encodingAesKey };
    const requires = (env: Record<string, string>) =>
      wechatInboundSettings(loadConfig(env)).requireEncryption;
    expect(requires({ ...AWS_ENV, ...wechat, ...key })).toBe(true);
    // Plaintext mode in the WeChat console: no key, nothing to require.
    expect(requires({ ...AWS_ENV, ...wechat })).toBe(false);
    // `npm run chat -- --wechat … --plain` posts plaintext to the local server, which has the dev key.
    expect(requires({ LIANXIN_ENV: 'local' })).toBe(false);
    expect(requires({ LIANXIN_ENV: 'local', ...wechat, ...key })).toBe(false);
  });

  it('fills dev values locally', () => {
    const config = loadConfig({ LIANXIN_ENV: 'local' });
    expect(wechatInboundSettings(config).token).toBe(WECHAT_LOCAL_DEFAULTS.WECHAT_TOKEN);
    expect(wechatOutboundSettings(config)?.templates.digest).toEqual({
      templateId: 'local-digest',
      field: 'content',
      maxLength: 200,
    });
  });

  it('reads templates per kind, with WeChat’s 20-character field as the default limit', () => {
    expect(parseTemplates('{"invitation":{"templateId":"TPL1","field":"thing1"}}')).toEqual({
      invitation: { templateId: 'TPL1', field: 'thing1', maxLength: 20 },
    });
    expect(() => parseTemplates('{"holiday":{"templateId":"T","field":"x"}}')).toThrow(ConfigError);
    expect(() => parseTemplates('{"digest":{"templateId":"T","field":"thing 1"}}')).toThrow(
      /WECHAT_TEMPLATES/,
    );
    expect(() => parseTemplates('not json')).toThrow('invalid configuration (WECHAT_TEMPLATES: not JSON)');
  });
});
