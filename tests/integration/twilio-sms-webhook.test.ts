import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { ConversationStore } from '#lib/ports/conversation-store.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const GRANDMOTHER = '+8613800000001';
const ENGLISH_CARER = '+8613800000003';
const ONE_AWAY_CARER = '+8613800000002';
const COORDINATOR = '+8613700000001';
// Saturday 10:00 in Shanghai.
const clock = new ManualClock('2026-12-05T02:00:00Z');
const WEEK = isoWeekOf(clock.now());

let table: TestTable;
let config: Config;
let handler: ReturnType<typeof createSmsWebhookHandler>;
let checkins: CheckinRepository;
let outbound: ReturnType<typeof outboundHarness>;

beforeAll(async () => {
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  outbound = outboundHarness(config, table, clock, localOutbox);
  handler = build();
  checkins = new CheckinRepository({ client: table.client, tableName: table.tableName });
});

function build(overrides: Parameters<typeof createSmsWebhookDependencies>[2] = {}) {
  const deps = createSmsWebhookDependencies(config, createLogger('test'), overrides, outbound.adapters);
  return createSmsWebhookHandler(deps, config.PUBLIC_URL);
}

const say = (from: string, body: string, extra: Partial<Parameters<typeof smsEvent>[1]> = {}) =>
  invoke(handler, smsEvent(config, { from, body, ...extra }));

async function getItem(key: { pk: string; sk: string }) {
  return (await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;
}

describe('POST /webhooks/twilio/sms', () => {
  it('walks the English carer through a check-in, with a base64 body as API Gateway may send it', async () => {
    const start = await say(ENGLISH_CARER, 'CHECKIN', { base64: true });
    expect(start.statusCode).toBe(200);
    expect(start.headers?.['content-type']).toMatch(/^text\/xml/);
    expect(start.replies).toHaveLength(1);
    expect(start.replies[0]).toMatch(/^【连心】.*Lele.*Reply 0-7/s);

    for (const answer of ['5', '1', '2', '1', 'yes', 'skip']) {
      const turn = await say(ENGLISH_CARER, answer, { base64: true });
      expect(turn.statusCode).toBe(200);
    }
    const stored = await checkins.getCheckin('child-lele', WEEK);
    expect(stored?.status).toBe('completed');
    expect(stored?.answers.attendance?.value).toBe(5);
    expect(stored?.answers['parent-contact']?.value).toBe(1);
    expect(stored?.answers.message?.status).toBe('skipped');
  });

  it('answers a missing, wrong or replayed-elsewhere signature with a bare 403 and stores nothing', async () => {
    const sid = newMessageSid();
    const cases = [
      smsEvent(config, { from: GRANDMOTHER, body: '签到', messageSid: sid, signature: null }),
      smsEvent(config, {
        from: GRANDMOTHER,
        body: '签到',
        messageSid: sid,
        signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      }),
    ];
    // Signed for another deployment's URL: valid HMAC, wrong URL.
    const otherConfig = { ...config, PUBLIC_URL: 'https://elsewhere.example.org' };
    const elsewhere = smsEvent(otherConfig, { from: GRANDMOTHER, body: '签到', messageSid: sid });
    cases.push({ ...elsewhere, headers: { ...elsewhere.headers, host: 'lianxin.example.org' } });
    for (const event of cases) {
      const result = await invoke(handler, event);
      expect(result.statusCode).toBe(403);
      expect(result.body).toBe('forbidden');
    }
    expect(await getItem(keys.message('sms', GRANDMOTHER, sid))).toBeUndefined();
  });

  it('answers a signed but malformed body with a 400 that names the field', async () => {
    const params = {
      From: GRANDMOTHER,
      To: config.TWILIO_PHONE_NUMBER,
      Body: '1',
      AccountSid: config.TWILIO_ACCOUNT_SID,
    };
    const result = await invoke(handler, smsEvent(config, { from: GRANDMOTHER, body: '1', params }));
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatch(/^invalid Twilio parameters: MessageSid/);
    expect(result.body).not.toContain('\n');
  });

  // One carer's check-in, step by step (each step starts where the one before left her session):
  // whichever order the tests run in, the steps keep theirs.
  it('stores an answer once when Twilio delivers it twice or five times at once, and loses neither of two different messages at once', async () => {
    // The same message twice: stored once, replied the same.
    {
      await say(ONE_AWAY_CARER, '签到');
      const sid = newMessageSid();
      const first = await say(ONE_AWAY_CARER, '4', { messageSid: sid });
      const again = await say(ONE_AWAY_CARER, '4', { messageSid: sid });
      expect(again.replies).toEqual(first.replies);
      const session = await getItem(keys.session('sms', ONE_AWAY_CARER));
      // One answer moved the session one step: from attendance to mood, not further.
      expect(session?.session.stepId).toBe('mood');
    }
    // Five concurrent deliveries of one message: one turn.
    {
      const sid = newMessageSid();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => say(ONE_AWAY_CARER, '2', { messageSid: sid })),
      );
      for (const r of results) {
        expect(r.statusCode).toBe(200);
        expect(r.replies).toEqual(results[0]?.replies);
      }
      const session = await getItem(keys.session('sms', ONE_AWAY_CARER));
      expect(session?.session.stepId).toBe('school');
      const stored = await checkins.getCheckin('child-zhangwei', WEEK);
      expect(stored?.answers.mood?.value).toBe(2);
    }
    // Two different messages from one carer at once: both turns applied, one after the other.
    {
      const [a, b] = await Promise.all([say(ONE_AWAY_CARER, '1'), say(ONE_AWAY_CARER, '1')]);
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(200);
      const session = await getItem(keys.session('sms', ONE_AWAY_CARER));
      // school then health answered: both turns applied, one after the other.
      expect(session?.session.stepId).toBe('parent-contact');
      const stored = await checkins.getCheckin('child-zhangwei', WEEK);
      expect(stored?.answers.school?.value).toBe(1);
      expect(stored?.answers.health?.value).toBe(1);
    }
  });

  it('raises an alert on a concerning answer and tells the coordinator once, even on redelivery', async () => {
    await say(GRANDMOTHER, '签到');
    await say(GRANDMOTHER, '3');
    const before = localOutbox.list().length;
    const sid = newMessageSid();
    await say(GRANDMOTHER, '4', { messageSid: sid });
    await say(GRANDMOTHER, '4', { messageSid: sid });
    await outbound.drain();
    const sent = localOutbox.list().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(COORDINATOR);
    expect(sent[0]?.body).toContain('小明');
    const alert = await getItem(keys.centreAlert('centre-shimen', `child-xiaoming#${WEEK}#mood`));
    expect(alert?.status).toBe('open');
  });

  it('keeps the message and answers a bare 500 when the turn cannot be stored', async () => {
    const real = createSmsWebhookDependencies(config, createLogger('test'), {}, outbound.adapters).store;
    const failing: ConversationStore = {
      loadTurn: (...args) => real.loadTurn(...args),
      commitTurn: async () => {
        throw new Error('simulated DynamoDB outage for +8613800000001');
      },
      recordUnregistered: (...args) => real.recordUnregistered(...args),
      recordUnprocessed: (...args) => real.recordUnprocessed(...args),
    };
    const broken = build({ store: failing });
    const sid = newMessageSid();
    const result = await invoke(
      broken,
      smsEvent(config, { from: GRANDMOTHER, body: '小明很好', messageSid: sid }),
    );
    expect(result.statusCode).toBe(500);
    expect(result.body).toMatch(/^internal error \(request [0-9a-f-]+\)$/);
    expect(result.body).not.toContain('DynamoDB');
    const kept = await getItem(keys.unprocessed('sms', GRANDMOTHER, sid));
    expect(kept?.body).toBe('小明很好');
  });

  it('gives an unregistered number one polite reply a day and keeps no message text', async () => {
    const stranger = '+8613012345678';
    const first = await say(stranger, '你好');
    expect(first.replies).toHaveLength(1);
    expect(first.replies[0]).toMatch(/^【连心】/);
    const second = await say(stranger, '在吗？');
    expect(second.statusCode).toBe(200);
    expect(second.replies).toEqual([]);
    const items = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ADDR#sms#${stranger}` },
      }),
    );
    expect(items.Items?.map((i) => i.sk)).toEqual(['UNREGISTERED']);
    expect(JSON.stringify(items.Items)).not.toContain('你好');
    expect(items.Items?.[0]?.ttl).toBeGreaterThan(0);
  });

  it('stops everything on TD and stays silent until 订阅', async () => {
    const stop = await say(GRANDMOTHER, 'TD');
    expect(stop.replies).toHaveLength(1);
    expect(stop.replies[0]).toContain('退订');
    expect((await say(GRANDMOTHER, '签到')).replies).toEqual([]);
    expect((await say(GRANDMOTHER, '1')).replies).toEqual([]);
    const profile = await getItem(keys.contactProfile('contact-li-nainai'));
    expect(profile?.optedOut).toBe(true);
    const resume = await say(GRANDMOTHER, '订阅');
    expect(resume.replies).toHaveLength(1);
    expect((await getItem(keys.contactProfile('contact-li-nainai')))?.optedOut).toBe(false);
  });

  it('logs every inbound message with a TTL', async () => {
    const sid = newMessageSid();
    await say(GRANDMOTHER, '帮助', { messageSid: sid });
    const logged = await getItem(keys.message('sms', GRANDMOTHER, sid));
    expect(logged?.body).toBe('帮助');
    const ttlDays = (logged?.ttl - clock.now().getTime() / 1000) / 86_400;
    expect(Math.round(ttlDays)).toBe(config.MESSAGE_LOG_TTL_DAYS);
  });
});

describe('the message log', () => {
  it('records each TwiML reply as an outbound message of kind reply', async () => {
    const sid = newMessageSid();
    const result = await say(ENGLISH_CARER, 'HELP', { messageSid: sid });
    const logged = await getItem(keys.outbound(`reply#sms#${sid}#0`));
    expect(logged?.body).toBe(result.replies[0]);
    expect(logged?.kind).toBe('reply');
    expect(logged?.status).toBe('sent');
    expect(logged?.address).toBe(ENGLISH_CARER);
    expect(logged?.ttl).toBeGreaterThan(0);
  });
});

describe('an autoresponder', () => {
  it('gets one idle reply and then silence, kept per address across deliveries', async () => {
    const first = await say(COORDINATOR, 'Auto-reply: I am away');
    const second = await say(COORDINATOR, 'Auto-reply: I am away');
    expect(first.replies).toHaveLength(1);
    expect(second.statusCode).toBe(200);
    expect(second.replies).toEqual([]);
    const view = await getItem(keys.contactView('sms', COORDINATOR));
    expect(view?.lastIdleReplyAt).toBe(clock.now().toISOString());
  });
});
