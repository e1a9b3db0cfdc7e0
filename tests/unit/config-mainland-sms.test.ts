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
});
