import { describe, expect, it } from 'vitest';
import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { ConfigError } from '#lib/errors.ts';

const CODES = JSON.stringify(Object.fromEntries(SMS_TEMPLATES.map((t, i) => [t.id, `SMS_${100 + i}`])));
const SECRET = JSON.stringify({
  accessKeyId: 'LTAI-id',
  accessKeySecret: 'key-secret',
  callbackSecret: 'new-callback-secret-0123456789',
  previousCallbackSecret: 'old-callback-secret-0123456789',
});
const aws = { LIANXIN_ENV: 'aws' } as const;

describe('loadMainlandSmsSettings', () => {
  it('defaults to Alibaba Cloud in AWS, with the AccessKey and both callback secrets from Secrets Manager', async () => {
    const asked: string[] = [];
    const settings = await loadMainlandSmsSettings(
      aws,
      { ALIYUN_SMS_SECRET_ARN: 'arn:aliyun', ALIYUN_SMS_TEMPLATE_CODES: CODES },
      async (id) => {
        asked.push(id);
        return SECRET;
      },
    );
    expect(asked).toEqual(['arn:aliyun']);
    expect(settings.provider).toBe('aliyun');
    expect(settings.aliyun).toMatchObject({ accessKeyId: 'LTAI-id', signName: '连心', protocol: 'https' });
    expect(settings.aliyunCallbackSecrets).toEqual([
      'new-callback-secret-0123456789',
      'old-callback-secret-0123456789',
    ]);
  });

  it('refuses to start sending without a code for every template, naming the missing ones', async () => {
    const partial = JSON.stringify({ LX_REPLY_ZH_1: 'SMS_1' });
    const error = await loadMainlandSmsSettings(
      aws,
      { ALIYUN_SMS_SECRET_ARN: 'arn', ALIYUN_SMS_TEMPLATE_CODES: partial },
      async () => SECRET,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/no code for LX_REPLY_ZH_2/);
    // The callbacks never send: they need the path secret only.
    const callbacks = await loadMainlandSmsSettings(
      aws,
      { ALIYUN_SMS_SECRET_ARN: 'arn' },
      async () => SECRET,
      {
        sending: false,
      },
    );
    expect(callbacks.aliyun).toBeUndefined();
  });

  it('fails loudly on an unreadable secret, without echoing it', async () => {
    const error = await loadMainlandSmsSettings(
      aws,
      { ALIYUN_SMS_SECRET_ARN: 'arn' },
      async () => 'not json',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('not json');
  });

  it('keeps Twilio for mainland numbers locally unless SMS_PROVIDER=aliyun', async () => {
    expect((await loadMainlandSmsSettings({ LIANXIN_ENV: 'local' }, {})).provider).toBe('twilio');
    const local = await loadMainlandSmsSettings({ LIANXIN_ENV: 'local' }, { SMS_PROVIDER: 'aliyun' });
    expect(local.aliyun?.templateCodes.LX_REPLY_ZH_1).toBe('LX_REPLY_ZH_1');
  });

  it('fails over to Tencent Cloud with its own secret, SmsSdkAppId and TemplateIds, named when missing', async () => {
    const TENCENT_IDS = JSON.stringify(
      Object.fromEntries(SMS_TEMPLATES.map((t, i) => [t.id, `${2_100_000 + i}`])),
    );
    const secrets: Record<string, string> = {
      'arn:aliyun': SECRET,
      'arn:tencent': JSON.stringify({
        secretId: 'AKID-id',
        secretKey: 'tencent-key',
        callbackSecret: 'tencent-callback-secret-0123456789',
      }),
    };
    const env = {
      ALIYUN_SMS_SECRET_ARN: 'arn:aliyun',
      ALIYUN_SMS_TEMPLATE_CODES: CODES,
      TENCENT_SMS_SECRET_ARN: 'arn:tencent',
      SMS_FALLBACK_PROVIDER: 'tencent',
    };
    const missing = await loadMainlandSmsSettings(aws, env, async (id) => secrets[id] as string).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(
      /TENCENT_SMS_SDK_APP_ID.*required when SMS_FALLBACK_PROVIDER=tencent/,
    );
    expect((missing as Error).message).toMatch(/TENCENT_SMS_TEMPLATE_IDS/);
    const settings = await loadMainlandSmsSettings(
      aws,
      { ...env, TENCENT_SMS_SDK_APP_ID: '1400123456', TENCENT_SMS_TEMPLATE_IDS: TENCENT_IDS },
      async (id) => secrets[id] as string,
    );
    expect(settings).toMatchObject({ provider: 'aliyun', fallback: 'tencent' });
    expect(settings.tencent).toMatchObject({
      secretId: 'AKID-id',
      secretKey: 'tencent-key',
      sdkAppId: '1400123456',
      endpoint: 'sms.tencentcloudapi.com',
      region: 'ap-guangzhou',
      maxVariableChars: 12,
    });
    expect(settings.tencentCallbackSecrets).toEqual(['tencent-callback-secret-0123456789']);
    // The callbacks need only their path secret: no key, no ids.
    const callbacks = await loadMainlandSmsSettings(
      aws,
      { TENCENT_SMS_SECRET_ARN: 'arn:tencent' },
      async (id) => secrets[id] as string,
      { sending: false },
    );
    expect(callbacks.tencent).toBeUndefined();
    expect(callbacks.tencentCallbackSecrets).toHaveLength(1);
  });

  it('has no second provider when it would be the first, or when +86 goes by Twilio', async () => {
    const local = { LIANXIN_ENV: 'local' } as const;
    expect(
      (await loadMainlandSmsSettings(local, { SMS_PROVIDER: 'tencent', SMS_FALLBACK_PROVIDER: 'tencent' }))
        .fallback,
    ).toBeUndefined();
    expect(
      (await loadMainlandSmsSettings(local, { SMS_FALLBACK_PROVIDER: 'aliyun' })).fallback,
    ).toBeUndefined();
    const both = await loadMainlandSmsSettings(local, {
      SMS_PROVIDER: 'tencent',
      SMS_FALLBACK_PROVIDER: 'aliyun',
    });
    expect(both.fallback).toBe('aliyun');
    expect(both.tencent?.templateIds.LX_REPLY_ZH_1).toBe('LX_REPLY_ZH_1');
    expect(both.aliyun).toBeDefined();
  });
});
