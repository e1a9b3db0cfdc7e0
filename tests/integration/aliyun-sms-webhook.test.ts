import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AliyunSmsOutbound } from '#lib/channels/aliyun-sms/aliyun-sms-outbound.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { PerNumberSmsChannel } from '#lib/channels/mainland-sms-router.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
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
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const SECRET = 'current-callback-secret-0123456789';
const OLD_SECRET = 'previous-callback-secret-987654321';
const CARER = '13800000002'; // 张奶奶, carer of 张伟, as Alibaba Cloud writes the number
const START = '2026-12-05T02:00:00Z'; // Saturday 10:00 in Shanghai
const WEEK = isoWeekOf(new Date(START));

let clock: ManualClock;

let table: TestTable;
let config: Config;
let standIn: SendSmsStandIn;
let harness: ReturnType<typeof outboundHarness>;
let roster: RosterRepository;
type Handler = ReturnType<typeof createAliyunSmsWebhookHandler>;
let handler: Handler;

// A fresh table, roster, clock and send stand-in per test: no test sees another's turns, opt-outs,
// message log or sent templates.
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
  handler = build();
});
afterEach(() => standIn.close());

function build(overrides: Parameters<typeof createAliyunSmsWebhookDependencies>[3] = {}): Handler {
  const logger = createLogger('test');
  const deps = createAliyunSmsWebhookDependencies(
    config,
    { aliyunCallbackSecrets: [SECRET, OLD_SECRET] },
    logger,
    overrides,
    harness.adapters,
  );
  return createAliyunSmsWebhookHandler(deps, config.PUBLIC_URL);
}

async function post(
  kind: 'up' | 'report',
  body: unknown,
  options: { secret?: string; handler?: Handler } = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const path = `/webhooks/aliyun-sms/${kind}/${options.secret ?? SECRET}`;
  return (await (options.handler ?? handler)(
    domesticSmsEvent('aliyun-sms', path, text, clock.now()),
    lambdaContext('aliyun-sms-webhook', 'r'),
  )) as APIGatewayProxyStructuredResultV2;
}

let sequence = 1000;
/** One uplink as Alibaba Cloud pushes it (the number without +86; sequence_id a number or a string). */
const uplink = (content: string, phone = CARER, extra: Record<string, unknown> = {}) => ({
  phone_number: phone,
  content,
  send_time: `2026-12-05 10:${String(sequence % 60).padStart(2, '0')}:00`,
  dest_code: '1069000001',
  sequence_id: sequence++,
  ...extra,
});

/** The replies the carer's phone shows since `from` (sent by template through the stand-in). */
async function repliesSince(from: number): Promise<string[]> {
  await harness.drain();
  return standIn.calls.slice(from).map((c) => c.text ?? '(no text)');
}

// Tests run in a random order: what an earlier test left on the queue (a stop's confirmation, the
// thousand replies) goes out before this one starts, so that each test counts only its own replies.
beforeEach(() => harness.drain());

describe('POST /webhooks/aliyun-sms/up/{secret}', () => {
  // Several tests ask for help: ten minutes apart, so the loop guard (identical texts) stays out of it.
  beforeEach(() => clock.advance(10 * 60_000));

  it('runs a whole weekly check-in by uplink pushes, each answer back as a template message, the free text stored', async () => {
    const seen: string[] = [];
    const start = standIn.calls.length;
    for (const text of ['签到', '5', '1', '1', '1', '1', '张伟最近很乖，谢谢老师']) {
      const before = standIn.calls.length;
      const result = await post('up', [uplink(text)]);
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body as string)).toEqual({ code: 0, msg: '接收成功' });
      const replies = await repliesSince(before);
      expect(replies.length).toBeGreaterThan(0);
      seen.push(...replies);
    }
    for (const reply of seen) expect(reply).toMatch(/^【连心】.+（短信回复）$/s);
    expect(
      standIn.calls
        .slice(start)
        .every((c) => c.phoneNumbers === CARER && /^LX_REPLY_ZH_\d$/.test(c.templateCode)),
    ).toBe(true);
    const stored = await new CheckinRepository({
      client: table.client,
      tableName: table.tableName,
    }).getCheckin('child-zhangwei', WEEK);
    expect(stored?.status).toBe('completed');
    expect(stored?.answers.attendance?.value).toBe(5);
    expect(stored?.answers.message?.value).toBe('张伟最近很乖，谢谢老师');
  });

  it('handles the same push twice once: one turn, one reply', async () => {
    const push = [uplink('帮助')];
    const before = standIn.calls.length;
    expect((await post('up', push)).statusCode).toBe(200);
    expect((await post('up', push)).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
    // Without a sequence_id the key is phone + send time + content: still once.
    const bare = [{ phone_number: CARER, content: '帮助', send_time: '2026-12-05 11:11:11' }];
    const mid = standIn.calls.length;
    expect((await post('up', bare)).statusCode).toBe(200);
    expect((await post('up', bare)).statusCode).toBe(200);
    expect(await repliesSince(mid)).toHaveLength(1);
  });

  it('accepts the previous secret while rotating, and answers a wrong one 404 having started nothing', async () => {
    const before = standIn.calls.length;
    expect((await post('up', [uplink('帮助')], { secret: OLD_SECRET })).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
    table.requests.length = 0;
    for (const secret of ['wrong-secret-wrong-secret-000', `${SECRET}x`, SECRET.slice(0, -1)]) {
      const result = await post('up', [uplink('帮助')], { secret });
      expect(result.statusCode).toBe(404);
    }
    expect(table.requests).toEqual([]);
  });

  it.each([
    ['not JSON', 'phone_number=13800000002', /not JSON/],
    ['not an array', { phone_number: CARER, content: '1' }, /not a JSON array/],
    ['an empty array', [], /empty array/],
    ['items missing fields', [{ phone_number: CARER }], /content/],
    [
      'only numbers that are not mobiles',
      [{ phone_number: '02788888888', content: '1', send_time: 't' }],
      /mainland mobile/,
    ],
  ])('answers %s with a 400 that says why', async (_, body, reason) => {
    const result = await post('up', body);
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatch(reason);
  });

  it('takes the good messages of a push that also holds one that can never be taken', async () => {
    const before = standIn.calls.length;
    const result = await post('up', [
      { phone_number: '12345', content: '1', send_time: 't' },
      uplink('帮助', `86${CARER}`),
    ]);
    expect(result.statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
  });

  it('answers 5xx when a message could not be taken, and takes it once on the provider retry', async () => {
    const failing = build({
      store: {
        ...(await import('#lib/store/conversation/dynamo-conversation-store.ts').then(
          (m) =>
            new m.DynamoConversationStore({
              client: table.client,
              tableName: table.tableName,
              messageLogTtlDays: 30,
            }),
        )),
        loadTurn: async () => {
          throw new Error('DynamoDB is unavailable');
        },
        recordUnprocessed: async () => undefined,
        commitTurn: async () => 'conflict',
        recordUnregistered: async () => false,
      },
    });
    const push = [uplink('帮助')];
    const before = standIn.calls.length;
    const refused = await post('up', push, { handler: failing });
    expect(refused.statusCode).toBe(500);
    expect(await repliesSince(before)).toHaveLength(0);
    expect((await post('up', push)).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
  });

  it('takes 1,000 messages in one push', async () => {
    const push = Array.from({ length: 1000 }, (_, i) =>
      uplink('你好', `139${String(10_000_000 + i).slice(0, 8)}`),
    );
    const result = await post('up', push);
    expect(result.statusCode).toBe(200);
    // Each was recorded: the same push again is all duplicates, and still 200.
    expect((await post('up', push)).statusCode).toBe(200);
  }, 120_000);

  it.each(['R', 'ｒ', '拒收', 'td', 'Ｔ', ' 退订 '])(
    'takes %j as stop on the domestic channel',
    async (word) => {
      const phone = '13900000001'; // 李爸爸
      const result = await post('up', [uplink(word, phone)]);
      expect(result.statusCode).toBe(200);
      expect((await roster.getContact('contact-li-baba'))?.optedOut).toBe(true);
      // 订阅 opts back in.
      await post('up', [uplink('订阅', phone)]);
      expect((await roster.getContact('contact-li-baba'))?.optedOut).toBe(false);
    },
  );
});

describe('POST /webhooks/aliyun-sms/report/{secret}', () => {
  it('records delivery on the outbound record once, and failure likewise', async () => {
    const before = standIn.calls.length;
    await post('up', [uplink('帮助')]);
    await repliesSince(before);
    const sent = standIn.calls[standIn.calls.length - 1];
    const key = sent?.outId as string;
    expect(key).toMatch(/^template-reply#aliyun-up-/);
    const receipt = [
      {
        phone_number: CARER,
        send_time: '2026-12-05 10:00:00',
        report_time: '2026-12-05 10:00:05',
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        sms_size: '1',
        biz_id: sent?.bizId,
        out_id: key,
      },
    ];
    expect((await post('report', receipt)).statusCode).toBe(200);
    const once = await harness.worker.repository.get(key);
    expect(once?.status).toBe('delivered');
    expect((await post('report', receipt)).statusCode).toBe(200);
    expect((await harness.worker.repository.get(key))?.statusHistory).toEqual(once?.statusHistory);
    // A receipt for a message we never sent is acknowledged and changes nothing.
    expect((await post('report', [{ ...receipt[0], out_id: 'template-reply#nope#0' }])).statusCode).toBe(200);
    expect((await post('report', 'nope')).statusCode).toBe(400);
  });
});
