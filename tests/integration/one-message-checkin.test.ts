import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AliyunSmsOutbound } from '#lib/channels/aliyun-sms/aliyun-sms-outbound.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { PerNumberSmsChannel } from '#lib/channels/mainland-sms-router.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { oneMessageQuestion } from '#lib/domain/one-message-checkin.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { createAliyunSmsWebhookHandler } from '#lib/http/aliyun-sms-webhook.ts';
import { type SendSmsStandIn, startSendSmsStandIn } from '#lib/local/aliyun-sms-stand-in.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { lambdaContext } from '#lib/local/lambda-adapter.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createAliyunSmsWebhookDependencies } from '#lib/wiring/aliyun-sms-webhook.ts';
import { domesticSmsEvent } from '#tests/support/domestic-sms-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const SECRET = 'one-message-callback-secret-0123456789';
const START = '2026-12-05T02:00:00Z'; // Saturday 10:00 in Shanghai
const WEEK = isoWeekOf(new Date(START));

let clock: ManualClock;
let table: TestTable;
let config: Config;
let roster: RosterRepository;
let checkins: CheckinRepository;

beforeEach(async () => {
  clock = new ManualClock(START);
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  checkins = new CheckinRepository({ client: table.client, tableName: table.tableName });
});

describe('by Alibaba Cloud uplink pushes', () => {
  const CARER = '13800000002'; // 张奶奶, carer of 张伟
  let standIn: SendSmsStandIn;
  let harness: ReturnType<typeof outboundHarness>;
  let handler: ReturnType<typeof createAliyunSmsWebhookHandler>;
  let sequence = 1;

  beforeEach(async () => {
    standIn = await startSendSmsStandIn({ keys: { 'LTAI-test': 'secret' } });
    const aliyun = new AliyunSmsOutbound({
      accessKeyId: 'LTAI-test',
      accessKeySecret: 'secret',
      signName: '连心',
      templateCodes: Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.id])),
      endpoint: standIn.endpoint,
      protocol: 'http',
      timeoutMs: 1000,
    });
    harness = outboundHarness(config, table, clock, new PerNumberSmsChannel(localOutbox, aliyun));
    const deps = createAliyunSmsWebhookDependencies(
      config,
      { aliyunCallbackSecrets: [SECRET] },
      createLogger('test'),
      {},
      harness.adapters,
    );
    handler = createAliyunSmsWebhookHandler(deps, config.PUBLIC_URL);
  });
  afterEach(() => standIn.close());

  const uplink = (content: string) => ({
    phone_number: CARER,
    content,
    send_time: `2026-12-05 10:${String(sequence).padStart(2, '0')}:00`,
    dest_code: '1069000001',
    sequence_id: String(sequence++),
  });

  /** Pushes one batch; the carer's phone shows what the stand-in sent since. */
  async function push(
    batch: unknown[],
  ): Promise<{ status: number; texts: string[]; templates: string[]; others: string[] }> {
    const before = standIn.calls.length;
    clock.advance(60_000);
    const result = (await handler(
      domesticSmsEvent('aliyun-sms', `/webhooks/aliyun-sms/up/${SECRET}`, JSON.stringify(batch), clock.now()),
      lambdaContext('aliyun-sms-webhook', 'r'),
    )) as APIGatewayProxyStructuredResultV2;
    await harness.drain();
    const sent = standIn.calls.slice(before);
    const calls = sent.filter((c) => c.phoneNumbers === CARER);
    return {
      status: result.statusCode ?? 0,
      texts: calls.map((c) => c.text ?? ''),
      templates: calls.map((c) => c.templateCode),
      // To anyone else: the coordinators' alerts.
      others: sent.filter((c) => c.phoneNumbers !== CARER).map((c) => c.text ?? ''),
    };
  }

  it('asks the whole check-in in one template message and keeps a reply of digits, once even when pushed twice', async () => {
    // The Centre sets the form on the roster.
    const contact = await roster.getContact('contact-zhang-nainai');
    if (!contact) throw new Error('the demo roster has no 张奶奶');
    await roster.putContact({ ...contact, checkinForm: 'one-message' });

    const start = await push([uplink('签到')]);
    expect(start.status).toBe(200);
    expect(start.templates).toEqual([expect.stringMatching(/^LX_ONEMSG_ZH_\d$/)]);
    expect(start.texts[0]).toMatch(/^【连心】.*张伟.*/s);
    expect(start.texts[0]?.endsWith(oneMessageQuestion('zh-CN'))).toBe(true);

    const digits = [uplink('５ 4，2 1 一')];
    const answered = await push(digits);
    expect(answered.status).toBe(200);
    expect(answered.texts).toHaveLength(1);
    expect(answered.texts[0]).toContain('有什么想告诉儿童之家老师的吗');
    // Mood 4 (very sad) alerts the Centre's coordinator, as it does step by step.
    expect(answered.others).toEqual([expect.stringContaining('张伟')]);
    // The provider pushes it again: handled once, nothing more sent.
    expect(await push(digits)).toEqual({ status: 200, texts: [], templates: [], others: [] });

    const done = await push([uplink('张伟最近很乖，谢谢老师')]);
    expect(done.texts[0]).toContain('签到完成');
    const stored = await checkins.getCheckin('child-zhangwei', WEEK);
    expect(stored?.status).toBe('completed');
    expect(
      Object.fromEntries(Object.entries(stored?.answers ?? {}).map(([item, a]) => [item, a.value])),
    ).toEqual({
      attendance: 5,
      mood: 4,
      school: 2,
      health: 1,
      'parent-contact': 1,
      message: '张伟最近很乖，谢谢老师',
    });
  });
});

describe('by Twilio', () => {
  const CARER = '+8613800000001'; // 李奶奶, carer of two children

  it('一条 chosen by the carer; an unclear reply goes on one question at a time from the first unclear item', async () => {
    const harness = outboundHarness(config, table, clock, localOutbox);
    const say = texting(config, harness.adapters);
    const view = await roster.getContactView('sms', CARER);
    const [first, second] = view?.children ?? [];
    if (!first || !second) throw new Error('the demo carer has two children');

    const chose = await say(CARER, '一条');
    expect(chose.replies[0]).toContain('回复“逐条”');
    // The carer's choice is the contact's, on the profile the Centre sees.
    expect((await roster.getContact('contact-li-nainai'))?.checkinForm).toBe('one-message');

    const asked = await say(CARER, '签到');
    expect(asked.replies[0]).toContain(first.name);
    expect(asked.replies[0]?.endsWith(oneMessageQuestion('zh-CN'))).toBe(true);

    const unclear = await say(CARER, '6 2 不知道');
    expect(unclear.replies[0]).toMatch(/前2个已记下.*上学怎么样/s);
    for (const answer of ['3', '1', '是']) await say(CARER, answer);
    const next = await say(CARER, '3 1 1 1 2');
    expect(next.replies[0]).toContain('有什么想告诉儿童之家老师的吗');
    const last = await say(CARER, '0');
    expect(last.replies[0]).toContain('签到完成');

    const one = await checkins.getCheckin(first.childId, WEEK);
    expect(one?.status).toBe('completed');
    expect(
      Object.fromEntries(Object.entries(one?.answers ?? {}).map(([k, a]) => [k, a.value ?? a.status])),
    ).toEqual({ attendance: 6, mood: 2, school: 3, health: 1, 'parent-contact': 1, message: 'skipped' });
    const two = await checkins.getCheckin(second.childId, WEEK);
    expect(two?.status).toBe('completed');
    expect(two?.answers['parent-contact']?.value).toBe(2);
    expect(two?.answers.message?.status).toBe('skipped');
  });
});
