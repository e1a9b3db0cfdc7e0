import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { PerNumberSmsChannel } from '#lib/channels/mainland-sms-router.ts';
import { TencentSmsOutbound } from '#lib/channels/tencent-sms/tencent-sms-outbound.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { createTencentSmsWebhookHandler } from '#lib/http/tencent-sms-webhook.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { lambdaContext } from '#lib/local/lambda-adapter.ts';
import { startTencentSendSmsStandIn, type TencentSendSmsStandIn } from '#lib/local/tencent-sms-stand-in.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { DynamoConversationStore } from '#lib/store/conversation/dynamo-conversation-store.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createTencentSmsWebhookDependencies } from '#lib/wiring/tencent-sms-webhook.ts';
import { domesticSmsEvent } from '#tests/support/domestic-sms-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const SECRET = 'current-tencent-secret-0123456789';
const OLD_SECRET = 'previous-tencent-secret-98765432';
const CARER = '13800000002'; // 张奶奶, carer of 张伟, as Tencent writes the number (nationcode apart)
const START = '2026-12-05T02:00:00Z'; // Saturday 10:00 in Shanghai
const WEEK = isoWeekOf(new Date(START));

let clock: ManualClock;
let table: TestTable;
let config: Config;
let standIn: TencentSendSmsStandIn;
let harness: ReturnType<typeof outboundHarness>;
let roster: RosterRepository;
type Handler = ReturnType<typeof createTencentSmsWebhookHandler>;
let handler: Handler;

// A fresh table, roster, clock and send stand-in per test: no test sees another's turns or messages.
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
  standIn = await startTencentSendSmsStandIn({ maxVariableChars: 12, keys: { 'AKID-test': 'key' } });
  const tencent = new TencentSmsOutbound({
    secretId: 'AKID-test',
    secretKey: 'key',
    sdkAppId: '1400000000',
    signName: '连心',
    templateIds: Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.id])),
    maxVariableChars: 12,
    endpoint: standIn.endpoint,
    protocol: 'http',
    timeoutMs: 1000,
  });
  harness = outboundHarness(config, table, clock, new PerNumberSmsChannel(localOutbox, tencent));
  handler = build();
});
afterEach(() => standIn.close());

function build(overrides: Parameters<typeof createTencentSmsWebhookDependencies>[3] = {}): Handler {
  const deps = createTencentSmsWebhookDependencies(
    config,
    { tencentCallbackSecrets: [SECRET, OLD_SECRET] },
    createLogger('test'),
    overrides,
    harness.adapters,
  );
  return createTencentSmsWebhookHandler(deps, config.PUBLIC_URL);
}

async function post(
  kind: 'reply' | 'status',
  body: unknown,
  options: { secret?: string; handler?: Handler } = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const path = `/webhooks/tencent-sms/${kind}/${options.secret ?? SECRET}`;
  return (await (options.handler ?? handler)(
    domesticSmsEvent('tencent-sms', path, text, clock.now()),
    lambdaContext('tencent-sms-webhook', 'r'),
  )) as APIGatewayProxyStructuredResultV2;
}

let second = 1_764_900_000;
/** One reply as Tencent calls back with it (captured shape: the number apart from its nationcode). */
const reply = (text: string, mobile = CARER, extra: Record<string, unknown> = {}) => ({
  extend: '',
  mobile,
  nationcode: '86',
  sign: '连心',
  text,
  time: second++,
  ...extra,
});

/** The replies the carer's phone shows since `from` (sent by template through the stand-in). */
async function repliesSince(from: number): Promise<string[]> {
  await harness.drain();
  return standIn.calls.slice(from).map((c) => c.text ?? '(no text)');
}

beforeEach(() => harness.drain());

describe('POST /webhooks/tencent-sms/reply/{secret}', () => {
  beforeEach(() => clock.advance(10 * 60_000));

  it('runs a whole weekly check-in by reply callbacks, each answer back by Tencent template, answered {result:0}', async () => {
    const seen: string[] = [];
    for (const text of ['签到', '５', '1', '一', '1', '1', '张伟最近很乖']) {
      const before = standIn.calls.length;
      const result = await post('reply', reply(text));
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body as string)).toEqual({ result: 0, errmsg: 'OK' });
      const replies = await repliesSince(before);
      expect(replies.length).toBeGreaterThan(0);
      seen.push(...replies);
    }
    for (const text of seen) expect(text).toMatch(/^【连心】.+（短信回复）$/s);
    expect(standIn.calls.every((c) => c.phoneNumber === `+86${CARER}`)).toBe(true);
    const stored = await new CheckinRepository({
      client: table.client,
      tableName: table.tableName,
    }).getCheckin('child-zhangwei', WEEK);
    expect(stored?.status).toBe('completed');
    expect(stored?.answers.attendance?.value).toBe(5);
    expect(stored?.answers.message?.value).toBe('张伟最近很乖');
  });

  it('handles the same reply called back twice once (mobile + time + text): one turn, one reply', async () => {
    const same = reply('帮助');
    const before = standIn.calls.length;
    expect((await post('reply', same)).statusCode).toBe(200);
    expect((await post('reply', same)).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
    // The same words at another time are another message.
    clock.advance(10 * 60_000);
    expect((await post('reply', { ...same, time: same.time + 600 })).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(2);
  });

  it('accepts the previous secret while rotating, and answers a wrong one 404 having started nothing', async () => {
    const before = standIn.calls.length;
    expect((await post('reply', reply('帮助'), { secret: OLD_SECRET })).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
    table.requests.length = 0;
    for (const secret of ['wrong-secret-wrong-secret-000', `${SECRET}x`, SECRET.slice(0, -1), '%E0%A4%A']) {
      expect((await post('reply', reply('帮助'), { secret })).statusCode).toBe(404);
      expect((await post('status', [], { secret })).statusCode).toBe(404);
    }
    expect(table.requests).toEqual([]);
  });

  it.each([
    ['not JSON', 'mobile=13800000002&text=1', /not JSON/],
    ['an array', [reply('1')], /body/],
    ['missing the text', { mobile: CARER, nationcode: '86', time: 1 }, /text/],
    ['missing the time', { mobile: CARER, nationcode: '86', text: '1' }, /time/],
    ['a number that is not a mobile', reply('1', '02788888888'), /mainland mobile/],
    ['a number abroad', reply('1', '7700900123', { nationcode: '44' }), /nationcode must be 86/],
  ])('answers %s with a 400 that says why, having started nothing', async (_, body, reason) => {
    table.requests.length = 0;
    const result = await post('reply', body);
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatch(reason);
    expect(table.requests).toEqual([]);
  });

  it('answers 5xx when the reply could not be taken, and takes it once when Tencent calls again', async () => {
    const store = new DynamoConversationStore({
      client: table.client,
      tableName: table.tableName,
      messageLogTtlDays: 30,
    });
    const failing = build({
      store: Object.assign(Object.create(store) as DynamoConversationStore, {
        loadTurn: async () => {
          throw new Error('DynamoDB is unavailable');
        },
        recordUnprocessed: async () => undefined,
      }),
    });
    const same = reply('帮助');
    const before = standIn.calls.length;
    const refused = await post('reply', same, { handler: failing });
    expect(refused.statusCode).toBeGreaterThanOrEqual(500);
    expect(refused.body).not.toContain('"result":0');
    expect(await repliesSince(before)).toHaveLength(0);
    expect((await post('reply', same)).statusCode).toBe(200);
    expect(await repliesSince(before)).toHaveLength(1);
  });

  it.each(['TD', 'ｔｄ', '拒收', 'r', '退订'])('takes %j as stop', async (word) => {
    const mobile = '13900000001'; // 李爸爸
    expect((await post('reply', reply(word, mobile))).statusCode).toBe(200);
    expect((await roster.getContact('contact-li-baba'))?.optedOut).toBe(true);
  });
});

describe('POST /webhooks/tencent-sms/status/{secret}', () => {
  async function sentReply(): Promise<{ key: string; sid: string }> {
    const before = standIn.calls.length;
    await post('reply', reply('帮助'));
    await repliesSince(before);
    const sent = standIn.calls[standIn.calls.length - 1];
    return { key: sent?.sessionContext as string, sid: sent?.serialNo as string };
  }
  const status = (sid: string, ext: string, report_status: 'SUCCESS' | 'FAIL', errmsg = 'DELIVRD') => ({
    user_receive_time: '2026-12-05 10:00:05',
    nationcode: '86',
    mobile: CARER,
    report_status,
    errmsg,
    description: report_status === 'SUCCESS' ? '用户短信送达成功' : '用户短信未送达',
    sid,
    ext,
  });

  it('records delivery on the outbound record once; the same push twice changes nothing', async () => {
    const { key, sid } = await sentReply();
    expect(key).toMatch(/^template-reply#tencent-reply-/);
    const push = [status(sid, key, 'SUCCESS')];
    const result = await post('status', push);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body as string)).toEqual({ result: 0, errmsg: 'OK' });
    const once = await harness.worker.repository.get(key);
    expect(once?.status).toBe('delivered');
    expect((await post('status', push)).statusCode).toBe(200);
    expect((await harness.worker.repository.get(key))?.statusHistory).toEqual(once?.statusHistory);
  });

  it('records a failure with its error, and takes the good reports of a push that also holds a broken one', async () => {
    const { key, sid } = await sentReply();
    const result = await post('status', [
      { sid: '', report_status: 'MAYBE' },
      status(sid, key, 'FAIL', 'MN:0001'),
    ]);
    expect(result.statusCode).toBe(200);
    const stored = await harness.worker.repository.get(key);
    expect(stored?.status).toBe('undelivered');
    expect(JSON.stringify(stored?.statusHistory)).toContain('MN:0001');
  });

  it('acknowledges a report for a message it never sent, or without our key, and changes nothing', async () => {
    expect((await post('status', [status('2028:x', 'template-reply#nope#0', 'SUCCESS')])).statusCode).toBe(
      200,
    );
    expect((await post('status', [status('2028:y', '', 'SUCCESS')])).statusCode).toBe(200);
  });

  it.each([
    ['not JSON', '[{', /not JSON/],
    ['an empty array', [], /empty array/],
    ['only reports that can never be taken', [{ report_status: 'SUCCESS' }], /sid/],
  ])('answers %s with a 400 that says why', async (_, body, reason) => {
    const result = await post('status', body);
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatch(reason);
  });
});
