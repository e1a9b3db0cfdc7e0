import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { LocalOutbox } from '#lib/channels/local-outbox.ts';
import { AccessTokenCache } from '#lib/channels/wechat/wechat-access-token.ts';
import { HttpWechatApi } from '#lib/channels/wechat/wechat-api.ts';
import { WechatOutbound } from '#lib/channels/wechat/wechat-outbound.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { WECHAT_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { parseTemplates } from '#lib/config/wechat.ts';
import { newOutboundMessage, type OutboundKind } from '#lib/domain/outbound-message.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { smsReroute } from '#lib/outbound/reroute-to-sms.ts';
import { SendFailure } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { WechatWindowRepository } from '#lib/store/conversation/wechat-window-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { type FakeWechat, startFakeWechat, wechatErrors } from '#tests/support/fake-wechat-server.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const HOUR = 3_600_000;
// Every test starts at this moment (see beforeEach), whatever the others did to the clock.
const START = '2026-12-05T02:00:00Z';
const clock = new ManualClock(START);
const TEMPLATES = JSON.stringify({
  digest: { templateId: 'TPL_DIGEST', field: 'thing1', maxLength: 200 },
  alert: { templateId: 'TPL_ALERT', field: 'thing2', maxLength: 200 },
  invitation: { templateId: 'TPL_INVITE', field: 'thing1' },
});

let table: TestTable;
let config: Config;
let fake: FakeWechat;
let windows: WechatWindowRepository;
let api: HttpWechatApi;
let openIds = 0;

beforeAll(async () => {
  table = await createTestTable();
  fake = await startFakeWechat({
    appId: WECHAT_LOCAL_DEFAULTS.WECHAT_APP_ID,
    appSecret: WECHAT_LOCAL_DEFAULTS.WECHAT_APP_SECRET,
    clock,
    templateIds: ['TPL_DIGEST', 'TPL_ALERT', 'TPL_INVITE'],
  });
  config = loadConfig({
    LIANXIN_ENV: 'local',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    WECHAT_API_BASE_URL: fake.baseUrl,
    WECHAT_TEMPLATES: TEMPLATES,
  });
  windows = new WechatWindowRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  api = new HttpWechatApi({
    appId: WECHAT_LOCAL_DEFAULTS.WECHAT_APP_ID,
    appSecret: WECHAT_LOCAL_DEFAULTS.WECHAT_APP_SECRET,
    baseUrl: fake.baseUrl,
    // Generous: a busy machine must not turn an ordinary answer into a timeout (hang-ups test those).
    timeoutMs: 5_000,
  });
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  clock.set(START);
  fake.reset();
});

const newOpenId = () => `oLianxinTestUser${String(++openIds).padStart(12, '0')}`;

function channel(tokens = new AccessTokenCache({ api, clock })) {
  return new WechatOutbound({ api, tokens, windows, templates: parseTemplates(TEMPLATES), clock });
}

/** The user writes to the account: WeChat opens its window, and so does our webhook. */
async function userWrites(openId: string) {
  fake.userWrote(openId, clock.now());
  await windows.opened(openId, clock.now());
}

const send = (
  c: WechatOutbound,
  openId: string,
  kind: OutboundKind = 'digest',
  body = '【连心】小明本周：去儿童之家3天。',
) => c.send(openId, body, { kind });

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a SendFailure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(SendFailure);
      return error as SendFailure;
    },
  );

describe('WeChat outbound: the 48-hour window and its 5 messages', () => {
  it('sends 5 customer-service messages after the user wrote, then templates, never beyond WeChat’s limit', async () => {
    const c = channel();
    const openId = newOpenId();
    await userWrites(openId);
    for (let i = 0; i < 7; i++) await send(c, openId);
    expect(fake.sent.map((m) => m.type)).toEqual([...Array(5).fill('custom'), 'template', 'template']);
    expect(fake.sent.at(-1)).toMatchObject({
      templateId: 'TPL_DIGEST',
      text: '【连心】小明本周：去儿童之家3天。',
    });
    expect(fake.answers.every((code) => code === 0)).toBe(true);

    // Writing again opens a new window with 5 more.
    clock.advance(HOUR);
    await userWrites(openId);
    await send(c, openId);
    expect(fake.sent.at(-1)?.type).toBe('custom');
  });

  it('closes the window 48 hours after the user last wrote', async () => {
    const c = channel();
    const openId = newOpenId();
    await userWrites(openId);
    clock.advance(48 * HOUR - 60_000);
    await send(c, openId);
    clock.advance(2 * 60_000);
    await send(c, openId);
    expect(fake.sent.map((m) => m.type)).toEqual(['custom', 'template']);
    // No template for broadcasts, and one too short for this invitation: the send worker's cue for SMS.
    expect((await failureOf(send(c, openId, 'broadcast'))).kind).toBe('unreachable');
    const long = await failureOf(
      send(c, openId, 'invitation', '【连心】本周签到：回复“签到”开始，回复TD退订。'),
    );
    expect(long.kind).toBe('unreachable');
    expect(long.message).toMatch(/too long for the invitation template/);
  });

  it('shares one count between concurrent senders', async () => {
    const c = channel();
    const openId = newOpenId();
    await userWrites(openId);
    await Promise.all(Array.from({ length: 8 }, () => send(c, openId)));
    const types = fake.sent.map((m) => m.type);
    expect(types.filter((t) => t === 'custom')).toHaveLength(5);
    expect(types.filter((t) => t === 'template')).toHaveLength(3);
    expect(fake.answers).not.toContain(45047);
  });

  it('believes WeChat when it says the window is over, and stops asking for it', async () => {
    const c = channel();
    const openId = newOpenId();
    // Our webhook saw a message that WeChat no longer counts (e.g. the user unfollowed since).
    await windows.opened(openId, clock.now());
    await send(c, openId);
    await send(c, openId);
    expect(fake.answers).toEqual([45015, 0, 0]);
    expect(fake.sent.map((m) => m.type)).toEqual(['template', 'template']);
  });

  it('gives a slot back when WeChat refused the message, but not when the outcome is unknown', async () => {
    const c = channel();
    const openId = newOpenId();
    await userWrites(openId);
    fake.failNext(1, wechatErrors.busy);
    expect((await failureOf(send(c, openId))).kind).toBe('retryable');
    fake.failNext(1, { hangUp: true });
    expect((await failureOf(send(c, openId))).kind).toBe('unknown-outcome');
    for (let i = 0; i < 5; i++) await send(c, openId);
    // 1 refused (given back) + 1 unknown (kept) + 4 sent = 5; the fifth goes by template.
    expect(fake.sent.map((m) => m.type)).toEqual(['custom', 'custom', 'custom', 'custom', 'template']);
  });

  it('treats an unfollowed user as an address that cannot receive', async () => {
    const c = channel();
    const openId = newOpenId();
    fake.unfollow(openId);
    const failure = await failureOf(send(c, openId));
    expect([failure.kind, failure.providerCode]).toEqual(['invalid-address', 43004]);
  });
});

describe('WeChat access token', () => {
  it('is fetched once for a burst of concurrent sends, and again only shortly before it expires', async () => {
    const c = channel();
    await Promise.all(Array.from({ length: 20 }, () => send(c, newOpenId())));
    expect(fake.tokenCalls).toEqual([{ force: false }]);
    clock.advance((7200 - 301) * 1000);
    await send(c, newOpenId());
    expect(fake.tokenCalls).toHaveLength(1);
    clock.advance(2000);
    await Promise.all([send(c, newOpenId()), send(c, newOpenId())]);
    expect(fake.tokenCalls).toHaveLength(2);
  });

  it('is renewed once when WeChat rejects it (40001), and the send goes through', async () => {
    const c = channel();
    await send(c, newOpenId());
    fake.revokeToken();
    await send(c, newOpenId());
    expect(fake.tokenCalls).toHaveLength(2);
    expect(fake.answers).toEqual([0, 40001, 0]);
    // Rejected although WeChat still hands out the same token: one forced refresh, and no more.
    fake.failNext(2, wechatErrors.expiredToken);
    const failure = await failureOf(send(c, newOpenId()));
    expect([failure.kind, failure.providerCode]).toEqual(['rejected', 42001]);
    expect(fake.tokenCalls).toEqual([{ force: false }, { force: false }, { force: false }, { force: true }]);
  });
});

describe('through the send worker', () => {
  it('falls back to SMS when WeChat cannot carry the message, once, under a derived key', async () => {
    const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
    const openId = newOpenId();
    await roster.attachAddress('contact-li-nainai', { channel: 'wechat', address: openId }, { prefer: true });
    const sms = new LocalOutbox();
    const harness = outboundHarness(config, table, clock, sms);
    const service = harness.outbound;
    const key = `broadcast#test#${openId}`;
    await service.enqueue({
      key,
      recipient: { contactId: 'contact-li-nainai', channel: 'wechat', address: openId },
      body: '【连心】周六上午儿童之家有剪纸活动。',
      kind: 'broadcast',
    });
    await harness.drain();
    await harness.drain();
    expect((await harness.worker.repository.get(key))?.status).toBe('rerouted');
    expect((await harness.worker.repository.get(`${key}#sms`))?.status).toBe('sent');
    expect(sms.list().map((m) => [m.to, m.body])).toEqual([
      ['+8613800000001', '【连心】周六上午儿童之家有剪纸活动。'],
    ]);
    expect(fake.sent).toEqual([]);
  });

  it("a broadcast's SMS fallback copy is stopped by the broadcast's cancel, like the original", async () => {
    const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
    const sms = new LocalOutbox();
    const harness = outboundHarness(config, table, clock, sms);
    const outbound = harness.outbound;
    const broadcasts = new BroadcastRepository({ client: table.client, tableName: table.tableName });
    const broadcastId = 'bc-fallback-cancelled';
    await broadcasts.create({
      broadcastId,
      centreIds: ['centre-shimen'],
      target: { centreIds: ['centre-shimen'], roles: ['carer'], categories: [], languages: [] },
      texts: { 'zh-CN': '周六剪纸活动改期。' },
      source: 'api',
      createdBy: 'coord-a',
      createdAt: clock.now().toISOString(),
      preview: {},
    });
    const original = {
      key: `broadcast#${broadcastId}#contact-zhang-nainai`,
      contactId: 'contact-zhang-nainai',
      channel: 'wechat' as const,
      address: newOpenId(),
      body: '【连心】石门村儿童之家：周六剪纸活动改期。回复TD退订',
      kind: 'broadcast' as const,
      urgent: false,
      notBefore: clock.now().toISOString(),
      expiresAt: new Date(clock.now().getTime() + 48 * HOUR).toISOString(),
      timeZone: 'Asia/Shanghai',
      quietHours: { start: '21:00', end: '08:00' },
      broadcastId,
    };
    const copy = await smsReroute({ roster, outbound })(original);
    expect((await harness.worker.repository.get(copy ?? ''))?.broadcastId).toBe(broadcastId);
    expect(await broadcasts.cancel(broadcastId, 'coord-a', clock.now())).toBe('done');
    await harness.drain();
    expect((await harness.worker.repository.get(copy ?? ''))?.status).toBe('cancelled');
    expect(sms.list()).toEqual([]);
    // The report follows the copy: the original's `rerouted` is not the outcome.
    await harness.worker.repository.create({
      ...newOutboundMessage(
        { key: original.key, recipient: original, body: original.body, kind: 'broadcast', broadcastId },
        clock.now(),
      ),
      status: 'rerouted',
    });
    await broadcasts.putRecipients(broadcastId, [
      { contactId: original.contactId, centreId: 'centre-shimen', language: 'zh-CN', address: original },
    ]);
    expect(await broadcasts.statusCounts(broadcastId)).toEqual({ cancelled: 1 });
  });

  it('sends alerts to a coordinator on their preferred channel', async () => {
    const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
    const openId = newOpenId();
    await roster.attachAddress(
      'contact-wang-laoshi',
      { channel: 'wechat', address: openId },
      { prefer: true },
    );
    await userWrites(openId);
    const harness = outboundHarness(config, table, clock, new LocalOutbox());
    const service = harness.outbound;
    const raisedBy = await roster.getContactView('sms', '+8613800000001');
    if (!raisedBy) throw new Error('demo roster missing');
    await new CoordinatorAlertNotifier({ roster, outbound: service }).notify(
      [
        {
          alertId: `child-xiaoming#2026-W49#mood#${openId}`,
          centreId: 'centre-shimen',
          childId: 'child-xiaoming',
          familyId: 'family-li',
          week: '2026-W49',
          itemId: 'mood',
          reason: 'answer',
          value: 4,
          raisedAt: clock.now().toISOString(),
        },
      ],
      raisedBy,
    );
    await harness.drain();
    expect(fake.sent).toEqual([
      expect.objectContaining({ type: 'custom', openId, text: expect.stringContaining('小明') }),
    ]);
  });
});
