import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AliyunSmsOutbound,
  type AliyunSmsOutboundOptions,
} from '#lib/channels/aliyun-sms/aliyun-sms-outbound.ts';
import { type LocalOutbox, localOutbox } from '#lib/channels/local-outbox.ts';
import { PerNumberSmsChannel } from '#lib/channels/mainland-sms-router.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { type SendSmsStandIn, startSendSmsStandIn } from '#lib/local/aliyun-sms-stand-in.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { type OutboundChannel, SendFailure } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const CARER = '+8613800000001';
// Alibaba Cloud's codes are its own (SMS_ and digits): the map is what configuration holds.
const CODES = Object.fromEntries(SMS_TEMPLATES.map((t, i) => [t.id, `SMS_${4000_0000 + i}`]));
const TEXT_BY_CODE = Object.fromEntries(SMS_TEMPLATES.map((t) => [CODES[t.id] as string, t.text]));

let standIn: SendSmsStandIn;

beforeAll(async () => {
  standIn = await startSendSmsStandIn({
    templateText: (code) => TEXT_BY_CODE[code],
    keys: { 'LTAI-test-key-id': 'test-key-secret' },
  });
});
afterAll(() => standIn.close());
afterEach(() => {
  standIn.calls.length = 0;
  standIn.script.length = 0;
});

const channel = (overrides: Partial<AliyunSmsOutboundOptions> = {}) =>
  new AliyunSmsOutbound({
    accessKeyId: 'LTAI-test-key-id',
    accessKeySecret: 'test-key-secret',
    signName: '连心',
    templateCodes: CODES,
    endpoint: standIn.endpoint,
    protocol: 'http',
    timeoutMs: 400,
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

describe('AliyunSmsOutbound through its signed SendSms client', () => {
  it('sends by template: the number without +86, our signature, the code, the variables, our key as OutId', async () => {
    const result = await channel().send(
      CARER,
      '【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太好 4很难过',
      {
        kind: 'reply',
        key: 'reply#SM1#0',
      },
    );
    expect(standIn.calls).toHaveLength(1);
    const call = standIn.calls[0];
    expect(call).toMatchObject({
      phoneNumbers: '13800000001',
      signName: '连心',
      templateCode: CODES.LX_REPLY_ZH_1,
      outId: 'reply#SM1#0',
      accessKeyId: 'LTAI-test-key-id',
    });
    expect(Object.values(call?.params ?? {}).join('')).toBe(
      '好的。小明这周心情怎么样？1很开心 2还好 3不太好 4很难过',
    );
    // What the provider puts on the phone is exactly what we record.
    expect(call?.text).toBe('【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太好 4很难过（短信回复）');
    expect(result).toMatchObject({
      providerId: call?.bizId,
      provider: 'aliyun',
      template: { code: CODES.LX_REPLY_ZH_1, params: call?.params, text: call?.text, segments: 1 },
    });
  });

  it.each([
    [
      'a number the provider calls illegal',
      { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'x' } },
      'invalid-address',
    ],
    [
      'flow control on the number',
      { status: 200, body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: 'x' } },
      'retryable',
    ],
    [
      'a blocked recipient',
      { status: 200, body: { Code: 'isv.BLACK_KEY_CONTROL_LIMIT', Message: 'x' } },
      'opted-out',
    ],
    [
      'a template refused',
      { status: 200, body: { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: 'x' } },
      'rejected',
    ],
    ['a server error', { status: 500, body: { Code: 'isp.SYSTEM_ERROR', Message: 'x' } }, 'retryable'],
    [
      'bad credentials',
      { status: 400, body: { Code: 'InvalidAccessKeyId.NotFound', Message: 'x' } },
      'rejected',
    ],
    ['a gateway timeout', { status: 504, body: { Code: 'GatewayTimeout', Message: 'x' } }, 'unknown-outcome'],
  ] as const)('classifies %s', async (_, answer, kind) => {
    standIn.script.push(answer);
    const failure = await failureOf(channel().send(CARER, '【连心】好的。', { kind: 'reply' }));
    expect(failure.kind).toBe(kind);
    expect(failure.message).not.toContain('13800000001');
  });

  it('a request signed with the wrong secret is refused as Alibaba Cloud refuses it, and nothing is sent', async () => {
    const failure = await failureOf(
      channel({ accessKeySecret: 'not-the-secret' }).send(CARER, '【连心】好的。', { kind: 'reply' }),
    );
    expect(failure.kind).toBe('rejected');
    expect(failure.message).toContain('SignatureDoesNotMatch');
    const unknownKey = await failureOf(
      channel({ accessKeyId: 'LTAI-unknown' }).send(CARER, '【连心】好的。', { kind: 'reply' }),
    );
    expect(unknownKey.message).toContain('InvalidAccessKeyId.NotFound');
    expect(standIn.calls).toHaveLength(0);
  });

  it('no answer within the timeout is an unknown outcome: it may have been sent', async () => {
    standIn.script.push({ hang: true });
    const failure = await failureOf(channel().send(CARER, '【连心】好的。', { kind: 'reply' }));
    expect(failure.kind).toBe('unknown-outcome');
  });

  it('nothing listening is retryable: the request never left', async () => {
    const failure = await failureOf(
      channel({ endpoint: '127.0.0.1:1' }).send(CARER, '【连心】好的。', { kind: 'reply' }),
    );
    expect(failure.kind).toBe('retryable');
  });

  it('refuses, without calling the provider, what no template can carry or a number that is not mainland', async () => {
    const tooLong = await failureOf(channel().send(CARER, `【连心】${'长'.repeat(400)}`, { kind: 'reply' }));
    expect(tooLong.kind).toBe('rejected');
    const foreign = await failureOf(channel().send('+447700900123', '【连心】好的。', { kind: 'reply' }));
    expect(foreign.kind).toBe('invalid-address');
    expect(standIn.calls).toHaveLength(0);
  });
});

describe('the SMS channel per number', () => {
  it('sends +86 mobiles by the mainland provider and every other number by the international one', async () => {
    const international: string[] = [];
    const twilio: OutboundChannel = {
      name: 'sms',
      send: async (to) => {
        international.push(to);
        return { providerId: 'SMx' };
      },
    };
    const sms = new PerNumberSmsChannel(twilio, channel());
    await sms.send(CARER, '【连心】好的。', { kind: 'reply' });
    await sms.send('+85291234567', '【连心】好的。', { kind: 'reply' });
    await sms.send('+8602788888888', '【连心】好的。', { kind: 'reply' });
    expect(standIn.calls.map((c) => c.phoneNumbers)).toEqual(['13800000001']);
    expect(international).toEqual(['+85291234567', '+8602788888888']);
  });
});

describe('the send worker on a mainland number', () => {
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

  it('records the template code, its variables and the text as the phone shows it; a second delivery sends nothing', async () => {
    const outbox: LocalOutbox = localOutbox;
    const harness = outboundHarness(config, table, clock, new PerNumberSmsChannel(outbox, channel()));
    const request = {
      key: 'digest#fam-li#2026-W49#contact-li-baba',
      recipient: { contactId: 'contact-li-baba', channel: 'sms' as const, address: '+8613900000001' },
      body: '【连心】小明这周心情很好，去了5天儿童之家。回复给小明留言。',
      kind: 'digest' as const,
    };
    expect(await harness.outbound.enqueue(request)).toBe(true);
    await harness.drain();
    expect(await harness.outbound.enqueue(request)).toBe(false);
    await harness.drain();

    expect(standIn.calls).toHaveLength(1);
    const stored = (await harness.worker.repository.get(request.key)) as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({
      status: 'sent',
      provider: 'aliyun',
      providerId: standIn.calls[0]?.bizId,
      templateCode: CODES.LX_DIGEST_ZH_1,
      providerBody: '【连心】小明这周心情很好，去了5天儿童之家。回复给小明留言。（孩子本周情况）',
      providerSegments: 1,
    });
    expect(JSON.parse(stored.templateParams as string)).toEqual(standIn.calls[0]?.params);
  });
});
