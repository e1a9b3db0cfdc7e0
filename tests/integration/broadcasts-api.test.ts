// Broadcasts through the coordinators' API, the scheduler tick and the real send path: a Centre of
// 500 contacts (two pages of the fan-out) on DynamoDB Local, sent with the real twilio client to the
// fake Twilio server, a few of whose numbers fail; the report is checked against what the fake saw.
// Each test stands alone (they run in any order); how fast a large broadcast goes is `npm run bench`'s.
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import type { ChildCategory } from '#lib/domain/model.ts';
import { createStatusWebhookHandler } from '#lib/http/twilio-status-webhook.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { createStatusWebhookDependencies } from '#lib/wiring/status-webhook.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import {
  type FakeTwilio,
  fakeResponses,
  smsChannelTo,
  startFakeTwilio,
} from '#tests/support/fake-twilio-server.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { startStatusCallbackServer } from '#tests/support/status-callback-server.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

// Saturday 10:00 in Shanghai: outside quiet hours. Every test starts there (see beforeEach).
const START = '2026-12-05T02:00:00Z';
const clock = new ManualClock(START);
const A = 'centre-big';
const B = 'centre-small';
const A_NAME = '大坪村儿童之家';
const FAMILIES = Number(process.env.BROADCAST_TEST_FAMILIES ?? 250);
const CATEGORIES: ChildCategory[] = ['both-away', 'one-away', 'with-parents'];

const phoneOf = (i: number) => `+86139${String(10_000_000 + i).slice(-8)}`;
/** Contact i: even = carer, odd = parent of family ⌊i/2⌋; every 10th reads English. */
const contactOf = (i: number) => ({
  contactId: `c${i}`,
  role: i % 2 === 0 ? ('carer' as const) : ('parent' as const),
  language: i % 10 === 3 ? ('en' as const) : ('zh-CN' as const),
  phone: phoneOf(i),
  family: Math.floor(i / 2),
  category: CATEGORIES[Math.floor(i / 2) % 3] as ChildCategory,
});
const CONTACTS = Array.from({ length: FAMILIES * 2 }, (_, i) => contactOf(i));
const existing = (list: number[]) => new Set(list.filter((i) => i < CONTACTS.length));
const OPTED_OUT = existing([10, 11, 250, 301, 499]);
const INVALID = existing([20, 177, 400]);
/**
 * Numbers the fake Twilio refuses: 21211 (failed, marked invalid) and 21610 (blocked us: suppressed).
 * Only Chinese-reading parents of families not "one-away": so the one broadcast that reaches them
 * changes no other test's audience, whichever runs first.
 */
const REFUSED_INVALID = existing([31, 205, 325]);
const REFUSED_UNSUBSCRIBED = existing([65, 455]);

let table: TestTable;
let config: Config;
let fake: FakeTwilio;
let server: Server;
let api: ReturnType<typeof createCoordinatorApiHandler>;
let harness: ReturnType<typeof outboundHarness>;
let tick: ReturnType<typeof createSchedulerDependencies>;
let tokenA: string;
let tokenB: string;
let tokenAB: string;

async function call(path: string, options: { method?: 'GET' | 'POST'; token?: string; body?: unknown } = {}) {
  const result = await invokeApi(api, path, {
    method: options.method ?? 'GET',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? tokenA}` },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = result.body ?? '';
  return { status: result.statusCode ?? 0, json: body ? JSON.parse(body) : undefined };
}
const post = (path: string, body: unknown = {}, token?: string) =>
  call(path, { method: 'POST', body, ...(token ? { token } : {}) });

/** Runs up to `limit` things at once. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await task(item);
      }
    }),
  );
}

beforeAll(async () => {
  table = await createTestTable();
  const local = await startStatusCallbackServer();
  server = local.server;
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: `http://127.0.0.1:${local.port}`,
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    SEND_MAX_ATTEMPTS: '3',
    // No pacing: the fake answers at once, and the test is about what is sent, not how fast.
    SEND_RATE_PER_SECOND: '0',
  });
  fake = await startFakeTwilio({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: twilioAuthToken(config) });

  const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await roster.putCentre({ centreId: A, name: A_NAME, village: '大坪村', phone: '0731-8888 0001' });
  await roster.putCentre({ centreId: B, name: '小溪村儿童之家', village: '小溪村', phone: '0731-8888 0002' });
  await inParallel(
    Array.from({ length: FAMILIES }, (_, f) => f),
    16,
    async (f) => {
      await roster.putFamily({
        familyId: `f${f}`,
        centreId: A,
        name: `家${f}`,
        children: [
          { childId: `k${f}`, name: `孩${f}`, birthYear: 2016, category: CATEGORIES[f % 3] ?? 'both-away' },
        ],
      });
    },
  );
  await inParallel(CONTACTS, 16, async (c) => {
    const i = Number(c.contactId.slice(1));
    await roster.putContact({
      contactId: c.contactId,
      centreId: A,
      name: `联系人${i}`,
      role: c.role,
      language: c.language,
      invalidAddressKeys: INVALID.has(i) ? [`sms:${c.phone}`] : [],
      addresses: [{ channel: 'sms', address: c.phone }],
      familyIds: [`f${c.family}`],
    });
    // Opted out the only way there is: their own stop (no roster write carries it).
    if (OPTED_OUT.has(i)) await roster.markOptedOut(c.contactId);
  });
  // Centre B: one family, its carer and a coordinator of A (who must never get a broadcast).
  await roster.putFamily({
    familyId: 'fb',
    centreId: B,
    name: '溪家',
    children: [{ childId: 'kb', name: '小溪', birthYear: 2017, category: 'one-away' }],
  });
  await roster.putContact({
    contactId: 'cb',
    centreId: B,
    name: '溪奶奶',
    role: 'carer',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address: '+8613700000001' }],
    familyIds: ['fb'],
  });
  await roster.putContact({
    contactId: 'coord-a',
    centreId: A,
    name: '王老师',
    role: 'coordinator',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address: '+8613700000099' }],
  });

  harness = outboundHarness(config, table, clock, smsChannelTo(fake, config, { timeoutMs: 2000 }));
  const logger = createLogger('test-broadcasts');
  local.setHandler(
    createStatusWebhookHandler(
      createStatusWebhookDependencies(config, logger, harness.adapters),
      config.PUBLIC_URL,
    ),
  );
  logger.setLogLevel('SILENT');
  const settings = apiSettings(config);
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  tokenA = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: [A] });
  tokenB = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-b', centres: [B] });
  tokenAB = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-ab', centres: [A, B] });
  api = createCoordinatorApiHandler(
    createCoordinatorApiOptions(settings, createCoordinatorApiDependencies(config, logger, harness.adapters)),
  );
  tick = createSchedulerDependencies(config, logger, harness.adapters);
}, 180_000);

afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** UCS-2 SMS: one segment holds 70 characters; a longer message is split in 67s. */
const ucs2Segments = (text: string) => {
  const length = [...text].length;
  return length <= 70 ? 1 : Math.ceil(length / 67);
};

const ZH = '本周六上午九点，儿童之家有亲子手工活动，欢迎带孩子来参加。';
const EN = 'This Saturday at 9am: crafts for children and carers at the Centre. All welcome!';

beforeEach(() => {
  clock.set(START);
  fake.reset();
  for (const i of REFUSED_INVALID) fake.respondFor(phoneOf(i), fakeResponses.invalidNumber);
  for (const i of REFUSED_UNSUBSCRIBED) fake.respondFor(phoneOf(i), fakeResponses.unsubscribed);
});

describe('a broadcast to a Centre of 500 contacts', () => {
  it('targets by role, category and language', async () => {
    const parentsOneAway = await post('/api/broadcasts/preview', {
      centres: [A],
      roles: 'parents',
      categories: ['one-away'],
      languages: ['zh-CN'],
      texts: { 'zh-CN': ZH },
    });
    const expected = CONTACTS.filter(
      (c, i) =>
        c.role === 'parent' &&
        c.category === 'one-away' &&
        c.language === 'zh-CN' &&
        !OPTED_OUT.has(i) &&
        !INVALID.has(i),
    );
    expect(parentsOneAway.json.recipients).toBe(expected.length);
    expect(parentsOneAway.json.categories).toEqual({
      'both-away': 0,
      'one-away': expected.length,
      'with-parents': 0,
    });
    // Without an English text, English readers are not sent Chinese: counted as "no text".
    const zhOnly = await post('/api/broadcasts/preview', {
      centres: [A],
      roles: 'carers',
      texts: { 'zh-CN': ZH },
    });
    const carers = CONTACTS.filter((c, i) => c.role === 'carer' && !OPTED_OUT.has(i) && !INVALID.has(i));
    expect(zhOnly.json.excluded.noText).toBe(carers.filter((c) => c.language === 'en').length);
    expect(zhOnly.json.recipients).toBe(carers.filter((c) => c.language === 'zh-CN').length);
  });

  it('is composed as a draft (a retried request gives the same one) and sends nothing yet', async () => {
    const text = '下周一儿童之家停课一天。';
    const body = { centres: [A], texts: { 'zh-CN': text }, requestId: 'req-draft-only' };
    const first = await post('/api/broadcasts', body);
    expect(first.status).toBe(201);
    expect(first.json.status).toBe('draft');
    const again = await post('/api/broadcasts', body);
    expect(again.json.id).toBe(first.json.id);
    const list = await call(`/api/broadcasts?centre=${A}`);
    const ids = list.json.broadcasts.map((b: { id: string }) => b.id);
    expect(ids.filter((id: string) => id === first.json.id)).toHaveLength(1);
    await harness.drain();
    expect(fake.requests.filter((r) => r.body?.includes(text))).toEqual([]);
    expect((await call(`/api/broadcasts/${first.json.id}`)).json.status).toBe('draft');
  });

  it('previews, then on approval fans out once per contact, and the report matches what Twilio saw', async () => {
    const texts = { 'zh-CN': ZH, en: EN };
    const preview = await post('/api/broadcasts/preview', { centres: [A], texts });
    expect(preview.status).toBe(200);
    const excluded = new Set([...OPTED_OUT, ...INVALID]);
    const expected = CONTACTS.filter((_, i) => !excluded.has(i));
    const en = expected.filter((c) => c.language === 'en').length;
    expect(preview.json.recipients).toBe(expected.length);
    // Each contact of this centre has one child's category: the counts add up to the recipients.
    expect(preview.json.categories).toEqual({
      'both-away': expected.filter((c) => c.category === 'both-away').length,
      'one-away': expected.filter((c) => c.category === 'one-away').length,
      'with-parents': expected.filter((c) => c.category === 'with-parents').length,
    });
    expect(preview.json.excluded).toEqual({
      optedOut: OPTED_OUT.size,
      invalidAddress: INVALID.size,
      noAddress: 0,
      noText: 0,
    });
    const zhBody = `【连心】${A_NAME}：${ZH}回复TD退订`;
    const zh = preview.json.languages.find((l: { language: string }) => l.language === 'zh-CN');
    expect(zh).toMatchObject({
      recipients: expected.length - en,
      sms: expected.length - en,
      wechat: 0,
      encoding: 'UCS-2',
      segments: ucs2Segments(zhBody),
      sample: zhBody,
    });
    const english = preview.json.languages.find((l: { language: string }) => l.language === 'en');
    expect(english.recipients).toBe(en);
    const segments = (expected.length - en) * ucs2Segments(zhBody) + en * english.segments;
    expect(preview.json.smsSegments).toBe(segments);
    expect(preview.json.estimatedCost.amount).toBeCloseTo(Math.round(segments * 0.0113 * 100) / 100, 2);

    const draft = await post('/api/broadcasts', { centres: [A], texts, requestId: 'req-whole-centre' });
    const id = draft.json.id as string;
    const approved = await post(`/api/broadcasts/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.json.approved.by).toBe('coord-a');
    // The request fans out what its time allows; the tick goes on until it is all handed over.
    for (let i = 0; i < 10; i++) {
      const b = await call(`/api/broadcasts/${id}`);
      if (b.json.status === 'sent') break;
      await runSchedulerTick(tick);
    }
    // A second tick, and a second approval, change nothing.
    await runSchedulerTick(tick);
    expect((await post(`/api/broadcasts/${id}/approve`)).status).toBe(409);
    await harness.drain(16);

    const to = fake.requests.map((r) => r.to);
    expect(to).toHaveLength(expected.length);
    expect(new Set(to).size).toBe(expected.length);
    expect(new Set(to)).toEqual(new Set(expected.map((c) => c.phone)));
    const english3 = fake.requests.find((r) => r.to === phoneOf(3));
    expect(english3?.body).toBe(`【连心】${A_NAME}: ${EN} Reply STOP to stop.`);

    const sids = fake.requests.filter((r) => r.sid).map((r) => r.sid as string);
    for (const sid of sids.slice(0, 25)) expect(await fake.fireStatus(sid, 'delivered')).toBe(204);

    const report = (await call(`/api/broadcasts/${id}`)).json;
    expect(report.status).toBe('sent');
    expect(report.report.recipients).toBe(expected.length);
    expect(report.report.groups).toEqual({
      queued: 0,
      sent: expected.length - REFUSED_INVALID.size - REFUSED_UNSUBSCRIBED.size - 25,
      delivered: 25,
      failed: REFUSED_INVALID.size,
      suppressed: REFUSED_UNSUBSCRIBED.size,
      'not-sent': 0,
      cancelled: 0,
    });
    // Nothing to Centre B or to the coordinator.
    expect(to).not.toContain('+8613700000001');
    expect(to).not.toContain('+8613700000099');

    // Those Twilio refused are now opted out or marked invalid: the next broadcast leaves them out.
    const after = await post('/api/broadcasts/preview', { centres: [A], texts });
    expect(after.json.excluded).toEqual({
      optedOut: OPTED_OUT.size + REFUSED_UNSUBSCRIBED.size,
      invalidAddress: INVALID.size + REFUSED_INVALID.size,
      noAddress: 0,
      noText: 0,
    });
    expect(after.json.recipients).toBe(expected.length - REFUSED_UNSUBSCRIBED.size - REFUSED_INVALID.size);
  }, 180_000);
});

describe('cancelling, scheduling and scope', () => {
  it('a broadcast for later goes at its time, and not at all once cancelled', async () => {
    const later = new Date(clock.now().getTime() + 2 * 3_600_000).toISOString();
    const make = async (text: string) => {
      const draft = await post('/api/broadcasts', { centres: [B], texts: { 'zh-CN': text } }, tokenB);
      const approved = await post(`/api/broadcasts/${draft.json.id}/approve`, { sendAt: later }, tokenB);
      expect(approved.json.status).toBe('scheduled');
      return draft.json.id as string;
    };
    const kept = await make('明天停电，活动改期。');
    const dropped = await make('这条取消了。');
    await runSchedulerTick(tick);
    await harness.drain();
    expect(fake.requests).toHaveLength(0);
    const cancelled = await post(`/api/broadcasts/${dropped}/cancel`, {}, tokenB);
    expect(cancelled.json.status).toBe('cancelled');
    expect(cancelled.json.cancelled.by).toBe('coord-b');
    expect((await post(`/api/broadcasts/${dropped}/cancel`, {}, tokenB)).status).toBe(409);

    clock.advance(2 * 3_600_000 + 60_000);
    await runSchedulerTick(tick);
    await harness.drain();
    expect(fake.requests.map((r) => r.body)).toEqual([
      '【连心】小溪村儿童之家：明天停电，活动改期。回复TD退订',
    ]);
    expect((await call(`/api/broadcasts/${kept}`, { token: tokenB })).json.report.groups.sent).toBe(1);
  });

  it('a fan-out cut short goes on where it stopped, and sends nothing twice', async () => {
    const logger = createLogger('test-fan-out');
    logger.setLogLevel('SILENT');
    // One page of 50 links per run: each run stops at its (zero) time budget after one page.
    const service = new BroadcastService({
      broadcasts: new BroadcastRepository({ client: table.client, tableName: table.tableName }),
      roster: new RosterRepository({ client: table.client, tableName: table.tableName }),
      outbound: harness.outbound,
      clock,
      logger,
      pageSize: 50,
    });
    const draft = await post('/api/broadcasts', {
      centres: [A],
      roles: 'parents',
      languages: ['en'],
      texts: { en: 'Parents evening on Friday.' },
    });
    await post(`/api/broadcasts/${draft.json.id}/approve`, {
      sendAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    clock.advance(60_000);
    let runs = 0;
    let outcome = '';
    do {
      outcome = await service.fanOut(draft.json.id, { budgetMs: 0 });
      runs++;
      // A run that repeats the page before it (a crash before its progress was saved) is harmless too.
      if (runs === 3)
        await new BroadcastRepository({ client: table.client, tableName: table.tableName }).saveProgress(
          draft.json.id,
          {
            cursor: { centre: 0 },
            planned: 0,
            excluded: { optedOut: 0, invalidAddress: 0, noAddress: 0, noText: 0 },
          },
        );
    } while (outcome === 'unfinished' && runs < 200);
    expect(outcome).toBe('sent');
    expect(runs).toBeGreaterThan(3);
    await harness.drain(16);
    const left = new Set([...OPTED_OUT, ...INVALID]);
    const expected = CONTACTS.filter((c, i) => c.role === 'parent' && c.language === 'en' && !left.has(i));
    const to = fake.requests.map((r) => r.to);
    expect(to.length).toBe(expected.length);
    expect(new Set(to)).toEqual(new Set(expected.map((c) => c.phone)));
  });

  it('cancelling after the fan-out stops every message the worker has not yet taken', async () => {
    const draft = await post('/api/broadcasts', { centres: [B], texts: { 'zh-CN': '今晚有雨。' } }, tokenB);
    const approved = await post(`/api/broadcasts/${draft.json.id}/approve`, {}, tokenB);
    expect(approved.json.status).toBe('sent');
    expect(
      (await call(`/api/broadcasts/${draft.json.id}`, { token: tokenB })).json.report.groups.queued,
    ).toBe(1);
    const cancelled = await post(`/api/broadcasts/${draft.json.id}/cancel`, {}, tokenB);
    expect(cancelled.status).toBe(200);
    // Not yet taken by the worker, it counts as cancelled at once: it can no longer go.
    const before = (await call(`/api/broadcasts/${draft.json.id}`, { token: tokenB })).json.report;
    expect(before.groups).toMatchObject({ queued: 0, cancelled: 1 });
    expect(before.statuses).toEqual({ queued: 1 });
    await harness.drain();
    expect(fake.requests).toHaveLength(0);
    const report = (await call(`/api/broadcasts/${draft.json.id}`, { token: tokenB })).json.report;
    expect(report.groups.cancelled).toBe(1);
  });

  it("another centre's coordinator gets 404 for everything of it, and cannot target it", async () => {
    const mine = (await post('/api/broadcasts', { centres: [A], texts: { 'zh-CN': '仅A' } })).json.id;
    const both = (await post('/api/broadcasts', { centres: [A, B], texts: { 'zh-CN': '两个中心' } }, tokenAB))
      .json.id;
    for (const target of [mine, both]) {
      expect((await call(`/api/broadcasts/${target}`, { token: tokenB })).status).toBe(404);
      expect((await post(`/api/broadcasts/${target}/approve`, {}, tokenB)).status).toBe(404);
      expect((await post(`/api/broadcasts/${target}/cancel`, {}, tokenB)).status).toBe(404);
    }
    // A coordinator of A only does not see a broadcast that also targets B (its figures include B's).
    expect((await call(`/api/broadcasts/${both}`)).status).toBe(404);
    expect((await post(`/api/broadcasts/${both}/cancel`)).status).toBe(404);
    expect((await call(`/api/broadcasts/${both}`, { token: tokenAB })).status).toBe(200);
    expect(
      (await post('/api/broadcasts/preview', { centres: [A], texts: { 'zh-CN': 'x' } }, tokenB)).status,
    ).toBe(404);
    expect((await post('/api/broadcasts', { centres: [B, A], texts: { 'zh-CN': 'x' } }, tokenB)).status).toBe(
      404,
    );
    expect((await call(`/api/broadcasts?centre=${A}`, { token: tokenB })).status).toBe(404);
    const listB = (await call(`/api/broadcasts?centre=${B}`, { token: tokenB })).json.broadcasts;
    expect(listB.map((b: { id: string }) => b.id)).not.toContain(both);
    // Still a draft: B's attempts changed nothing.
    expect((await call(`/api/broadcasts/${mine}`)).json.status).toBe('draft');
  });

  it('answers 400 listing the fields of a bad request', async () => {
    const res = await post('/api/broadcasts', { centres: [], texts: {}, roles: 'aliens' });
    expect(res.status).toBe(400);
    const fields = res.json.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.centres', 'body.roles', 'body.texts']));
    const tooLong = await post('/api/broadcasts', { centres: [A], texts: { 'zh-CN': '长'.repeat(401) } });
    expect(tooLong.status).toBe(400);
  });
});
