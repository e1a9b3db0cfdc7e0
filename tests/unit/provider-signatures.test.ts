// Our SendSms signers against the provider SDKs' own (kept as devDependencies for this check): the same
// fixed request, keys, nonce and time must give the same signature, or the provider would refuse it.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { acs3Authorization, sha256Hex } from '#lib/channels/aliyun-sms/aliyun-acs3-signature.ts';
import { AliyunSmsOutbound } from '#lib/channels/aliyun-sms/aliyun-sms-outbound.ts';
import { TencentSmsOutbound } from '#lib/channels/tencent-sms/tencent-sms-outbound.ts';
import { tc3Authorization } from '#lib/channels/tencent-sms/tencent-tc3-signature.ts';

const require = createRequire(import.meta.url);

interface AcsRequestLike {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}
// @alicloud/openapi-core's signer: what dysmsapi20170525 calls for SendSms (ACS3-HMAC-SHA256).
const aliyunSdk = (
  require('@alicloud/openapi-core/dist/utils.js') as {
    default: {
      getAuthorization(
        r: AcsRequestLike,
        algorithm: string,
        payload: string,
        id: string,
        secret: string,
      ): string;
    };
  }
).default;
// tencentcloud-sdk-nodejs-common's signer: what every API 3.0 call is signed with.
const tencentSdk = (
  require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js') as {
    default: {
      sign3(args: {
        method: string;
        url: string;
        payload: unknown;
        timestamp: number;
        service: string;
        secretId: string;
        secretKey: string;
        headers: Record<string, string>;
      }): string;
    };
  }
).default;

const SENDSMS_QUERY = {
  PhoneNumbers: '13800000001',
  SignName: '连心',
  TemplateCode: 'SMS_40000001',
  // Chinese, spaces, quotes and the characters the two encodings differ on (!'()*~).
  TemplateParam: JSON.stringify({ c1: "好的。1很开心 2还好 (3)* it's ~ok!" }),
  OutId: 'reply#SM1#0',
};

describe('Alibaba Cloud ACS3-HMAC-SHA256', () => {
  it('signs a fixed SendSms exactly as the SDK does', () => {
    const request = {
      method: 'POST',
      pathname: '/',
      query: SENDSMS_QUERY,
      headers: {
        host: 'dysmsapi.aliyuncs.com',
        'x-acs-version': '2017-05-25',
        'x-acs-action': 'SendSms',
        'x-acs-date': '2026-12-05T02:00:00Z',
        'x-acs-signature-nonce': '3f1b2c4d5e6f708192a3b4c5d6e7f809',
        accept: 'application/json',
        'user-agent': 'lianxin',
        'x-acs-content-sha256': sha256Hex(''),
      },
    };
    const ours = acs3Authorization(request, sha256Hex(''), 'LTAI-fixed-id', 'fixed-secret');
    const sdk = aliyunSdk.getAuthorization(
      request,
      'ACS3-HMAC-SHA256',
      sha256Hex(''),
      'LTAI-fixed-id',
      'fixed-secret',
    );
    expect(ours).toBe(sdk);
    // And a different secret gives a different signature (the comparison can fail).
    expect(acs3Authorization(request, sha256Hex(''), 'LTAI-fixed-id', 'other')).not.toBe(sdk);
  });

  it('the client signs what it sends: its own request, re-signed by the SDK from the sent parts', () => {
    const channel = new AliyunSmsOutbound({
      accessKeyId: 'LTAI-fixed-id',
      accessKeySecret: 'fixed-secret',
      signName: '连心',
      templateCodes: {},
      now: () => new Date('2026-12-05T02:00:00.123Z'),
    });
    const sent = channel.signedRequest(SENDSMS_QUERY, 'fixed-nonce');
    expect(sent.headers['x-acs-date']).toBe('2026-12-05T02:00:00Z');
    expect(sent.headers.host).toBe('dysmsapi.aliyuncs.com');
    // The query as it goes on the wire, decoded back: what the provider reads.
    const url = new URL(sent.path, 'https://dysmsapi.aliyuncs.com');
    expect(Object.fromEntries(url.searchParams)).toEqual(SENDSMS_QUERY);
    const { authorization, ...headers } = sent.headers;
    expect(authorization).toBe(
      aliyunSdk.getAuthorization(
        { method: 'POST', pathname: '/', query: SENDSMS_QUERY, headers },
        'ACS3-HMAC-SHA256',
        sha256Hex(''),
        'LTAI-fixed-id',
        'fixed-secret',
      ),
    );
  });
});

describe('Tencent Cloud TC3-HMAC-SHA256', () => {
  const payload = {
    PhoneNumberSet: ['+8613800000001'],
    SmsSdkAppId: '1400123456',
    SignName: '连心',
    TemplateId: '2100000',
    TemplateParamSet: ['好的。1很开心', "2还好 (3)* it's"],
    SessionContext: 'reply#SM1#0',
  };

  it('signs a fixed SendSms exactly as the SDK does (also across a UTC date change)', () => {
    for (const timestamp of [1_796_522_400, 1_796_515_199]) {
      const ours = tc3Authorization(
        {
          method: 'POST',
          hostname: 'sms.tencentcloudapi.com',
          path: '/',
          query: '',
          contentType: 'application/json',
          payload: JSON.stringify(payload),
          timestamp,
          service: 'sms',
        },
        'AKID-fixed',
        'fixed-key',
      );
      const sdk = tencentSdk.sign3({
        method: 'POST',
        url: 'https://sms.tencentcloudapi.com',
        payload,
        timestamp,
        service: 'sms',
        secretId: 'AKID-fixed',
        secretKey: 'fixed-key',
        headers: { 'Content-Type': 'application/json' },
      });
      expect(ours).toBe(sdk);
    }
  });

  it('the client signs what it sends: its body and timestamp, re-signed by the SDK', () => {
    const channel = new TencentSmsOutbound({
      secretId: 'AKID-fixed',
      secretKey: 'fixed-key',
      sdkAppId: '1400123456',
      signName: '连心',
      templateIds: {},
      maxVariableChars: 12,
      endpoint: 'sms.tencentcloudapi.com',
      now: () => new Date('2026-12-06T02:00:00.900Z'),
    });
    const sent = channel.signedRequest(payload);
    expect(sent.headers).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-timestamp': '1796522400',
      'x-tc-region': 'ap-guangzhou',
    });
    expect(JSON.parse(sent.body ?? '')).toEqual(payload);
    expect(sent.headers.authorization).toBe(
      tencentSdk.sign3({
        method: 'POST',
        url: 'https://sms.tencentcloudapi.com/',
        payload: JSON.parse(sent.body ?? ''),
        timestamp: Number(sent.headers['x-tc-timestamp']),
        service: 'sms',
        secretId: 'AKID-fixed',
        secretKey: 'fixed-key',
        headers: { 'Content-Type': sent.headers['content-type'] ?? '' },
      }),
    );
  });
});
