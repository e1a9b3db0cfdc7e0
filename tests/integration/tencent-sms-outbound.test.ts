import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AliyunSmsOutbound,
  type AliyunSmsOutboundOptions,
} from '#lib/channels/aliyun-sms/aliyun-sms-outbound.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { FailoverSmsChannel } from '#lib/channels/mainland-sms-failover.ts';
import { PerNumberSmsChannel } from '#lib/channels/mainland-sms-router.ts';
import {
  TencentSmsOutbound,
  type TencentSmsOutboundOptions,
} from '#lib/channels/tencent-sms/tencent-sms-outbound.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { providerTemplateText, SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { type SendSmsStandIn, startSendSmsStandIn } from '#lib/local/aliyun-sms-stand-in.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { startTencentSendSmsStandIn, type TencentSendSmsStandIn } from '#lib/local/tencent-sms-stand-in.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import { SendFailure } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const CARER = '+8613800000001';
// Tencent's TemplateIds are its own (digits): the map is what configuration holds.
const TENCENT_IDS = Object.fromEntries(SMS_TEMPLATES.map((t, i) => [t.id, `${2_100_000 + i}`]));
const TENCENT_TEXT = Object.fromEntries(
  SMS_TEMPLATES.map((t) => [TENCENT_IDS[t.id] as string, providerTemplateText(t, 'tencent')]),
);
const ALIYUN_CODES = Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.id]));
const MAX_VARIABLE = 12;

let tencent: TencentSendSmsStandIn;
let aliyun: SendSmsStandIn;

beforeAll(async () => {
  tencent = await startTencentSendSmsStandIn({
    templateText: (id) => TENCENT_TEXT[id],
    maxVariableChars: MAX_VARIABLE,
    keys: { 'AKID-test-secret-id': 'test-secret-key' },
  });
  aliyun = await startSendSmsStandIn({ keys: { 'LTAI-test': 'secret' } });
});
afterAll(async () => {
  await tencent.close();
  await aliyun.close();
});
afterEach(() => {
  for (const s of [tencent, aliyun]) {
    s.calls.length = 0;
    s.script.length = 0;
  }
});

const tencentChannel = (overrides: Partial<TencentSmsOutboundOptions> = {}) =>
  new TencentSmsOutbound({
    secretId: 'AKID-test-secret-id',
    secretKey: 'test-secret-key',
    sdkAppId: '1400123456',
    signName: '连心',
    templateIds: TENCENT_IDS,
    maxVariableChars: MAX_VARIABLE,
    endpoint: tencent.endpoint,
    protocol: 'http',
    timeoutMs: 500,
    ...overrides,
  });

const aliyunChannel = (overrides: Partial<AliyunSmsOutboundOptions> = {}) =>
  new AliyunSmsOutbound({
    accessKeyId: 'LTAI-test',
    accessKeySecret: 'secret',
    signName: '连心',
    templateCodes: ALIYUN_CODES,
    endpoint: aliyun.endpoint,
    protocol: 'http',
    timeoutMs: 500,
    ...overrides,
  });

async function failureOf(promise: Promise<unknown>): Promise<SendFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendFailure);
  return error as SendFailure;
}

const apiError = (Code: string) => ({
  status: 200,
  body: { Response: { Error: { Code, Message: `${Code} for 13800000001` }, RequestId: 'r' } },
});
const statusCode = (Code: string) => ({
  status: 200,
  body: {
    Response: {
      SendStatusSet: [
        { SerialNo: '', PhoneNumber: CARER, Fee: 0, SessionContext: '', Code, Message: 'x', IsoCode: 'CN' },
      ],
      RequestId: 'r',
    },
  },
});

describe('TencentSmsOutbound through its signed SendSms client', () => {
  it('sends by template: the number in E.164, the application, signature, TemplateId, variables in order, our key as SessionContext', async () => {
    const body = '【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太好 4很难过';
    const result = await tencentChannel().send(CARER, body, { kind: 'reply', key: 'reply#SM1#0' });
    expect(tencent.calls).toHaveLength(1);
    const call = tencent.calls[0];
    expect(call).toMatchObject({
      phoneNumber: CARER,
      sdkAppId: '1400123456',
      signName: '连心',
      sessionContext: 'reply#SM1#0',
      secretId: 'AKID-test-secret-id',
    });
    // 30 characters at 12 a variable: the 4-variable template, no variable over Tencent's limit.
    expect(call?.templateId).toBe(TENCENT_IDS.LX_REPLY_ZH_4);
    expect(call?.paramSet).toHaveLength(4);
    for (const p of call?.paramSet ?? []) expect([...p].length).toBeLessThanOrEqual(MAX_VARIABLE);
    expect(call?.paramSet.join('')).toBe('好的。小明这周心情怎么样？1很开心 2还好 3不太好 4很难过');
    // What Tencent puts on the phone is exactly what we record.
    expect(call?.text).toBe('【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太好 4很难过（短信回复）');
    expect(result).toMatchObject({
      providerId: call?.serialNo,
      provider: 'tencent',
      template: { code: TENCENT_IDS.LX_REPLY_ZH_4, text: call?.text, segments: 1 },
    });
    expect(Object.values(result.template?.params ?? {})).toEqual(call?.paramSet);
  });

  it.each([
    [
      'a number Tencent calls incorrect',
      statusCode('InvalidParameterValue.IncorrectPhoneNumber'),
      'invalid-address',
    ],
    ['an unsubscribed number', statusCode('FailedOperation.PhoneNumberInBlacklist'), 'opted-out'],
    ['flow control on the number', statusCode('LimitExceeded.PhoneNumberThirtySecondLimit'), 'retryable'],
    ['an internal error', apiError('InternalError.Timeout'), 'retryable'],
    ['a template not approved', apiError('FailedOperation.TemplateIncorrectOrUnapproved'), 'rejected'],
    ['an empty package', apiError('FailedOperation.InsufficientBalanceInSmsPackage'), 'rejected'],
    ['bad credentials', apiError('AuthFailure.SecretIdNotFound'), 'rejected'],
    ['a server error', { status: 503, body: {} }, 'retryable'],
    ['a gateway timeout', { status: 504, body: {} }, 'unknown-outcome'],
  ] as const)('classifies %s', async (_, answer, kind) => {
    tencent.script.push(answer);
    const failure = await failureOf(tencentChannel().send(CARER, '【连心】好的。', { kind: 'reply' }));
    expect(failure.kind).toBe(kind);
    expect(failure.message).not.toContain('13800000001');
  });

  it('a request signed with the wrong SecretKey is refused as Tencent refuses it, and nothing is sent', async () => {
    const failure = await failureOf(
      tencentChannel({ secretKey: 'not-the-key' }).send(CARER, '【连心】好的。', { kind: 'reply' }),
    );
    expect(failure.kind).toBe('rejected');
    expect(failure.message).toContain('AuthFailure.SignatureFailure');
    const unknownId = await failureOf(
      tencentChannel({ secretId: 'AKID-unknown' }).send(CARER, '【连心】好的。', { kind: 'reply' }),
    );
    expect(unknownId.message).toContain('AuthFailure.SecretIdNotFound');
    expect(tencent.calls).toHaveLength(0);
  });

  it('no answer within the timeout is an unknown outcome; nothing listening is retryable', async () => {
    tencent.script.push({ hang: true });
    expect((await failureOf(tencentChannel().send(CARER, '【连心】好的。', { kind: 'reply' }))).kind).toBe(
      'unknown-outcome',
    );
    const closed = tencentChannel({ endpoint: '127.0.0.1:1' });
    expect((await failureOf(closed.send(CARER, '【连心】好的。', { kind: 'reply' }))).kind).toBe('retryable');
  });

  it("refuses, without calling Tencent, a broadcast longer than its templates carry at Tencent's variable limit", async () => {
    // 13 variables of 12: 156 characters at most on Tencent, where Alibaba Cloud's 35 would carry it.
    const notice = `【连心】${'通知'.repeat(80)}`;
    const refused = await failureOf(tencentChannel().send(CARER, notice, { kind: 'broadcast' }));
    expect(refused.kind).toBe('rejected');
    expect(refused.message).toMatch(/160 characters does not fit a mainland SMS template \(at most 156\)/);
    expect(tencent.calls).toHaveLength(0);
    await aliyunChannel().send(CARER, notice, { kind: 'broadcast' });
    expect(aliyun.calls).toHaveLength(1);
  });

  it('is refused by the stand-in as Tencent would, had a variable been over the limit', async () => {
    // A channel told a larger limit than the account's: the provider's refusal, not a crash.
    const failure = await failureOf(
      tencentChannel({ maxVariableChars: 35 }).send(CARER, `【连心】${'好'.repeat(30)}`, { kind: 'reply' }),
    );
    expect(failure.kind).toBe('rejected');
    expect(failure.message).toMatch(/TemplateParameterLengthLimit/);
  });
});

describe('failover to the second domestic provider', () => {
  const counted: { name: string; dimensions: object | undefined }[] = [];
  const metrics: BusinessMetrics = { count: (name, dimensions) => counted.push({ name, dimensions }) };
  const silent = { warn: () => undefined };
  afterEach(() => {
    counted.length = 0;
  });
  const failover = () => new FailoverSmsChannel(aliyunChannel(), tencentChannel(), metrics, silent);

  it('sends by the second provider, once, when the first does not answer in time; the metric counts it', async () => {
    aliyun.script.push({ hang: true });
    const result = await failover().send(CARER, '【连心】好的。', { kind: 'reply', key: 'k1' });
    expect(aliyun.calls).toHaveLength(1);
    expect(tencent.calls).toHaveLength(1);
    expect(result.provider).toBe('tencent');
    expect(counted).toEqual([{ name: METRIC.smsFailover, dimensions: { provider: 'tencent' } }]);
  });

  it.each([
    ['a provider error', { status: 500, body: { Code: 'isp.SYSTEM_ERROR', Message: 'x' } }],
    ['a refused template', { status: 200, body: { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: 'x' } }],
  ] as const)('sends by the second provider after %s', async (_, answer) => {
    aliyun.script.push(answer);
    const result = await failover().send(CARER, '【连心】好的。', { kind: 'reply', key: 'k2' });
    expect(result.provider).toBe('tencent');
    expect(tencent.calls.map((c) => c.sessionContext)).toEqual(['k2']);
    expect(counted).toEqual([{ name: METRIC.smsFailover, dimensions: { provider: 'tencent' } }]);
  });

  it.each([
    ['an invalid number', { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'x' }, 'invalid-address'],
    ['a blacklisted number', { Code: 'isv.BLACK_KEY_CONTROL_LIMIT', Message: 'x' }, 'opted-out'],
  ] as const)('does not fail over on %s: no provider could send it', async (_, body, kind) => {
    aliyun.script.push({ status: 200, body });
    const failure = await failureOf(failover().send(CARER, '【连心】好的。', { kind: 'reply' }));
    expect(failure.kind).toBe(kind);
    expect(tencent.calls).toHaveLength(0);
    expect(counted).toEqual([]);
  });

  it('does not touch the second provider when the first sends', async () => {
    const result = await failover().send(CARER, '【连心】好的。', { kind: 'reply' });
    expect(result.provider).toBe('aliyun');
    expect(tencent.calls).toHaveLength(0);
    expect(counted).toEqual([]);
  });

  describe('through the send worker', () => {
    let table: TestTable;
    let config: Config;
    const clock = new ManualClock('2026-12-05T02:00:00Z');

    beforeAll(async () => {
      table = await createTestTable();
      config = loadConfig({
        LIANXIN_ENV: 'local',
        TABLE_NAME: table.tableName,
        DYNAMODB_ENDPOINT: table.endpoint,
      });
      await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
    });

    it('records that Tencent sent it, with its template; a second delivery sends by neither provider', async () => {
      const harness = outboundHarness(config, table, clock, new PerNumberSmsChannel(localOutbox, failover()));
      const request = {
        key: 'digest#fam-li#2026-W49#contact-li-baba#failover',
        recipient: { contactId: 'contact-li-baba', channel: 'sms' as const, address: '+8613900000001' },
        body: '【连心】小明这周心情很好，去了5天儿童之家。',
        kind: 'digest' as const,
      };
      aliyun.script.push({ hang: true });
      expect(await harness.outbound.enqueue(request)).toBe(true);
      await harness.drain();
      expect(await harness.outbound.enqueue(request)).toBe(false);
      await harness.drain();

      expect(aliyun.calls).toHaveLength(1);
      expect(tencent.calls).toHaveLength(1);
      const stored = (await harness.worker.repository.get(request.key)) as unknown as Record<string, unknown>;
      expect(stored).toMatchObject({
        status: 'sent',
        provider: 'tencent',
        providerId: tencent.calls[0]?.serialNo,
        templateCode: TENCENT_IDS.LX_DIGEST_ZH_2,
        providerBody: '【连心】小明这周心情很好，去了5天儿童之家。（孩子本周情况）',
      });
      expect(Object.values(JSON.parse(stored.templateParams as string))).toEqual(tencent.calls[0]?.paramSet);
      expect(counted).toHaveLength(1);
    });
  });
});
