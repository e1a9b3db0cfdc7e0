import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { WECHAT_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { formatLinkCode, LINK_ATTEMPTS_PER_HOUR, linkingTexts } from '#lib/domain/link-code.ts';
import { createWechatWebhookHandler, type WechatWebhookDependencies } from '#lib/http/wechat-webhook.ts';
import { type InProcessLateReplies, LATE_REPLY_SOURCE } from '#lib/inbound/wechat-late-replies.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import {
  eventXml,
  mediaMessageXml,
  newMsgId,
  readPassiveReply,
  textMessageXml,
  verificationUrl,
  type WechatKeys,
} from '#lib/local/wechat-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { ConversationStore } from '#lib/ports/conversation-store.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { addressPk, keys } from '#lib/store/keys.ts';
import { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createWechatWebhookDependencies } from '#lib/wiring/wechat-webhook.ts';
import { type FakeWechat, startFakeWechat } from '#tests/support/fake-wechat-server.ts';
import { setGbPin } from '#tests/support/gb-pin.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';
import {
  invokeWechat,
  postEvent,
  verifyEvent,
  wechatEvent,
  wechatKeys,
} from '#tests/support/wechat-webhook.ts';

// Saturday 10:00 in Shanghai.
const clock = new ManualClock('2026-12-05T02:00:00Z');
const WEEK = isoWeekOf(clock.now());
const GRANDMOTHER = 'contact-li-nainai';
const ZHANG_NAINAI = 'contact-zhang-nainai';

let table: TestTable;
let config: Config;
let fake: FakeWechat;
let roster: RosterRepository;
let codes: LinkCodeRepository;
let outbound: ReturnType<typeof outboundHarness>;
let deps: WechatWebhookDependencies;
let handler: ReturnType<typeof createWechatWebhookHandler>;
let plain: WechatKeys;
let safe: WechatKeys;

/** An OpenID shaped like WeChat's (28 characters), new for each test. */
const newOpenId = () => `o${randomBytes(21).toString('base64url').slice(0, 27)}`;

beforeAll(async () => {
  table = await createTestTable();
  fake = await startFakeWechat({
    appId: WECHAT_LOCAL_DEFAULTS.WECHAT_APP_ID,
    appSecret: WECHAT_LOCAL_DEFAULTS.WECHAT_APP_SECRET,
    clock,
    templateIds: [],
  });
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    WECHAT_API_BASE_URL: fake.baseUrl,
  });
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  codes = new LinkCodeRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  outbound = outboundHarness(config, table, clock, localOutbox);
  deps = build();
  handler = createWechatWebhookHandler(deps, config.PUBLIC_URL);
  plain = wechatKeys(config, false);
  safe = wechatKeys(config, true);
});

afterAll(async () => {
  await fake?.close();
});

function build(overrides: Partial<WechatWebhookDependencies> = {}) {
  const logger = createLogger('test');
  return createWechatWebhookDependencies(config, logger, overrides, outbound.adapters);
}

async function send(openId: string, xml: string, k: WechatKeys = plain, h = handler) {
  const result = await invokeWechat(h, postEvent(config, k, xml, openId));
  const body = result.body ?? '';
  return { ...result, reply: result.statusCode === 200 ? readPassiveReply(body, k) : undefined };
}

const say = (openId: string, content: string, k: WechatKeys = plain, msgId = newMsgId()) =>
  send(openId, textMessageXml({ openId, content, msgId, at: clock.now() }), k);

/** A linked WeChat user for `contactId`, linked the way a carer does it. */
async function linked(contactId: string): Promise<string> {
  const openId = newOpenId();
  const { code } = await codes.issue(contactId, clock.now());
  const result = await say(openId, code);
  expect(result.reply).toMatch(/绑定成功|Linked/);
  return openId;
}

let copies = 0;
/**
 * A contact of its own for a test that changes it (stopping, say): a copy of a demo contact, in the
 * same family, with a new id and SMS number, so no other test meets it, whichever runs first.
 */
async function ownCopyOf(contactId: string): Promise<string> {
  const demo = await roster.getContact(contactId);
  if (!demo) throw new Error(`no demo contact ${contactId}`);
  const copy = `${contactId}-copy-${++copies}`;
  await roster.putContact({
    ...demo,
    // A new record: the demo contact's version says nothing about it.
    version: undefined,
    contactId: copy,
    addresses: [{ channel: 'sms', address: `+861395500${String(copies).padStart(4, '0')}` }],
  });
  return copy;
}

async function partition(openId: string) {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': addressPk('wechat', openId) },
    }),
  );
  return out.Items ?? [];
}

describe('GET /webhooks/wechat (server verification)', () => {
  it('echoes echostr when signed with our token', async () => {
    const result = await invokeWechat(handler, verifyEvent(config, plain, '4375120948345356249'));
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('4375120948345356249');
  });

  it('answers 403 to a wrong token, a tampered signature or missing parameters', async () => {
    const url = new URL(verificationUrl(`${config.PUBLIC_URL}/webhooks/wechat`, plain, '123'));
    const variant = (change: (q: URLSearchParams) => void) => {
      const q = new URLSearchParams(url.searchParams);
      change(q);
      return wechatEvent('GET', `${config.PUBLIC_URL}/webhooks/wechat?${q}`);
    };
    const cases = [
      verifyEvent(config, { ...plain, token: 'someoneelse' }, '123'),
      variant((q) => q.set('nonce', '1')),
      variant((q) => q.delete('signature')),
      variant((q) => q.delete('echostr')),
      wechatEvent('GET', `${config.PUBLIC_URL}/webhooks/wechat?echostr=123`),
    ];
    for (const event of cases) {
      const result = await invokeWechat(handler, event);
      expect(result.statusCode).toBe(403);
      expect(result.body).toBe('forbidden');
    }
  });
});

describe('linking a WeChat account with the Centre’s code', () => {
  it('welcomes a new follower, refuses a wrong code, links with the right one, then runs the check-in', async () => {
    const openId = newOpenId();
    const followed = await send(openId, eventXml({ openId, event: 'subscribe', at: clock.now() }));
    expect(followed.reply).toBe(linkingTexts.welcome);
    expect((await say(openId, '你好')).reply).toBe(linkingTexts.askForCode);
    expect((await say(openId, '1234 5678')).reply).toBe(linkingTexts.wrongCode);

    const { code } = await codes.issue(ZHANG_NAINAI, clock.now());
    // As written on the slip, with full-width digits from a Chinese keyboard.
    const typed = formatLinkCode(code).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const link = await say(openId, typed);
    expect(link.reply).toBe('【连心】绑定成功！张奶奶您好。回复“签到”做本周签到，“帮助”查看说明。');

    const contact = await roster.getContact(ZHANG_NAINAI);
    expect(contact?.addresses).toContainEqual({ channel: 'wechat', address: openId });
    expect(contact?.preferredChannel).toBe('wechat');
    expect((await roster.getContactView('wechat', openId))?.contactId).toBe(ZHANG_NAINAI);
    // One-time: the code does not link anyone else.
    expect((await say(newOpenId(), code)).reply).toBe(linkingTexts.wrongCode);

    const start = await say(openId, '签到');
    expect(start.reply).toMatch(/^【连心】本周签到：先说说张伟。.*回复0-7/);
    for (const answer of ['5', '1', '1', '1', '1', '0'])
      expect((await say(openId, answer)).statusCode).toBe(200);
    const checkin = await new CheckinRepository({
      client: table.client,
      tableName: table.tableName,
    }).getCheckin('child-zhangwei', WEEK);
    expect(checkin?.status).toBe('completed');
    expect(checkin?.answers.attendance?.value).toBe(5);
  });

  it('links by following a QR code whose scene value is the code', async () => {
    const openId = newOpenId();
    const { code } = await codes.issue('contact-li-mama', clock.now());
    const result = await send(
      openId,
      eventXml({ openId, event: 'subscribe', eventKey: `qrscene_${code}`, at: clock.now() }),
    );
    expect(result.reply).toMatch(/^【连心】绑定成功！小明妈妈您好。/);
  });

  it('rate-limits wrong codes per account and hour, without burning the right code', async () => {
    const openId = newOpenId();
    const { code } = await codes.issue('contact-chen-mum', clock.now());
    for (let i = 0; i < LINK_ATTEMPTS_PER_HOUR; i++) {
      expect((await say(openId, String(10_000_000 + i))).reply).toBe(linkingTexts.wrongCode);
    }
    expect((await say(openId, code)).reply).toBe(linkingTexts.tooManyTries);
    expect(await roster.getContactView('wechat', openId)).toBeUndefined();
    // Words are not guesses: they are answered, not counted.
    expect((await say(openId, '在吗')).reply).toBe(linkingTexts.askForCode);
    clock.advance(3_600_000);
    expect((await say(openId, code)).reply).toBe(
      "【连心】Linked! Hello, Mrs Chen. Reply CHECKIN for this week's check-in, HELP for help.",
    );
  });
});

describe('POST /webhooks/wechat', () => {
  it('answers in safe mode with an encrypted reply WeChat can check and decrypt', async () => {
    const openId = await linked(GRANDMOTHER);
    const result = await say(openId, 'HELP', safe);
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatch(/^<xml><Encrypt><!\[CDATA\[/);
    expect(result.body).not.toContain('儿童之家');
    expect(result.reply).toMatch(/^【连心】石门村儿童之家电话：0731-8888 1234。/);
  });

  it('refuses a safe-mode body whose msg_signature does not match (403) or is for another AppID (400)', async () => {
    const openId = newOpenId();
    const event = postEvent(config, safe, textMessageXml({ openId, content: '签到' }), openId);
    const tampered = {
      ...event,
      body: (event.body ?? '').replace(
        /<Encrypt><!\[CDATA\[(.)/,
        (_, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`,
      ),
    };
    expect((await invokeWechat(handler, tampered)).statusCode).toBe(403);
    const other = await invokeWechat(
      handler,
      postEvent(
        config,
        { ...safe, appId: 'wx1111111111111111' },
        textMessageXml({ openId, content: '签到' }),
        openId,
      ),
    );
    expect(other.statusCode).toBe(400);
    expect(other.body).toBe('invalid WeChat message: not for this AppID');
    expect(await partition(openId)).toEqual([]);
  });

  it('with requireEncryption (safe mode in AWS), refuses a plaintext POST (403, nothing stored) and still answers an encrypted one', async () => {
    // The same wiring as in AWS: there the EncodingAESKey makes plaintext unacceptable.
    const awsConfig: Config = { ...config, ...WECHAT_LOCAL_DEFAULTS, LIANXIN_ENV: 'aws' };
    const strictDeps = createWechatWebhookDependencies(
      awsConfig,
      createLogger('test'),
      {},
      outbound.adapters,
    );
    const strict = createWechatWebhookHandler(strictDeps, config.PUBLIC_URL);
    const openId = newOpenId();
    const { code } = await codes.issue(GRANDMOTHER, clock.now());

    // Signed with the right token, but not encrypted: what an attacker who has the token could send.
    for (const xml of [
      textMessageXml({ openId, content: code }),
      eventXml({ openId, event: 'subscribe', eventKey: `qrscene_${code}` }),
    ]) {
      const refused = await invokeWechat(strict, postEvent(awsConfig, plain, xml, openId));
      expect(refused.statusCode).toBe(403);
    }
    expect(await partition(openId)).toEqual([]);

    const result = await send(
      openId,
      textMessageXml({ openId, content: code, at: clock.now() }),
      safe,
      strict,
    );
    expect(result.statusCode).toBe(200);
    expect(result.reply).toMatch(/绑定成功|Linked/);
  });

  it('handles a message and WeChat’s three retries as one turn, every delivery getting the same reply', async () => {
    const openId = await linked(GRANDMOTHER);
    await say(openId, '签到');
    const msgId = newMsgId();
    const deliveries = [];
    for (let i = 0; i < 4; i++) deliveries.push(await say(openId, '4', i % 2 ? safe : plain, msgId));
    for (const d of deliveries) expect(d.reply).toBe(deliveries[0]?.reply);
    const session = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.session('wechat', openId) }),
    );
    // One answer moved the session one step, from attendance to mood.
    expect(session.Item?.session.stepId).toBe('mood');
  });

  it('costs a linked user’s turn four DynamoDB requests: the SMS turn’s two, a link check and the window', async () => {
    const openId = await linked('contact-li-mama');
    table.requests.length = 0;
    await say(openId, 'HELP');
    expect([...table.requests].sort()).toEqual([
      'BatchGetItemCommand',
      'GetItemCommand',
      'PutItemCommand',
      'TransactWriteItemsCommand',
    ]);
  });

  it('deduplicates events on FromUserName + CreateTime', async () => {
    const openId = await linked('contact-li-baba');
    const xml = eventXml({ openId, event: 'subscribe', at: clock.now() });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push((await send(openId, xml)).reply);
    expect(new Set(replies).size).toBe(1);
    const markers = (await partition(openId)).filter((i) => String(i.sk).startsWith('MSG#evt-'));
    expect(markers).toHaveLength(1);
  });

  it('asks for text when sent a photo or a voice note', async () => {
    const openId = await linked('contact-wang-laoshi');
    expect((await send(openId, mediaMessageXml({ openId, msgType: 'image' }))).reply).toBe(
      '【连心】请用文字回复。',
    );
    const stranger = newOpenId();
    expect((await send(stranger, mediaMessageXml({ openId: stranger, msgType: 'voice' }))).reply).toBe(
      linkingTexts.askForCode,
    );
  });

  it('stops WeChat messages to someone who unfollows, and welcomes them back', async () => {
    const openId = await linked('contact-zhang-baba');
    expect((await send(openId, eventXml({ openId, event: 'unsubscribe', at: clock.now() }))).body).toBe(
      'success',
    );
    expect((await roster.getContact('contact-zhang-baba'))?.invalidAddressKeys).toEqual([`wechat:${openId}`]);
    clock.advance(1000);
    const back = await send(openId, eventXml({ openId, event: 'subscribe', at: clock.now() }));
    expect(back.reply).toBe('【连心】张伟爸爸，欢迎回来！回复“帮助”查看说明。');
    expect((await roster.getContact('contact-zhang-baba'))?.invalidAddressKeys).toEqual([]);
  });

  it('says nothing more to someone who stopped, but reminds them how to resume when they follow again', async () => {
    const liMama = await ownCopyOf('contact-li-mama');
    const openId = await linked(liMama);
    expect((await say(openId, 'TD')).reply).toBe('【连心】您已退订，不会再收到消息。回复“订阅”可恢复。');
    expect((await send(openId, mediaMessageXml({ openId, msgType: 'image' }))).body).toBe('success');
    clock.advance(1000);
    const back = await send(openId, eventXml({ openId, event: 'subscribe', at: clock.now() }));
    expect(back.reply).toBe('【连心】您已退订，不会再收到消息。回复“订阅”可恢复。');
    expect((await roster.getContact(liMama))?.optedOut).toBe(true);
    expect((await say(openId, '订阅')).reply).toMatch(/^【连心】欢迎回来！/);
  });

  it('answers a coordinator’s GB with the broadcast preview, as by SMS', async () => {
    const openId = await linked('contact-wang-laoshi');
    const pin = { centreId: 'centre-shimen', contactId: 'contact-wang-laoshi' };
    expect((await setGbPin(config, outbound.adapters, pin, '4821')).statusCode).toBe(200);
    // The PIN is asked for from WeChat too: one rule for every channel.
    expect((await say(openId, 'GB 周六活动取消')).reply).toContain('群发要先写您的群发密码');
    const gb = await say(openId, 'GB 4821 周六儿童之家活动取消，下周照常。');
    expect(gb.reply).toMatch(/^【连心】群发预览/);
    expect(gb.reply).toContain('周六儿童之家活动取消，下周照常。');
    expect(gb.reply).toContain('10分钟内回复“是”发送');
    // Left unconfirmed: cancelled, so nothing is ever sent from this test.
    expect((await say(openId, '否')).reply).toMatch(/^【连心】/);
    const broadcasts = new BroadcastRepository({ client: table.client, tableName: table.tableName });
    const [latest] = await broadcasts.listForCentre('centre-shimen', 1);
    expect(latest).toMatchObject({ source: 'wechat', status: 'cancelled', createdBy: 'contact-wang-laoshi' });
  });

  it('answers a signed but malformed message with a 400 that names the field', async () => {
    const openId = newOpenId();
    const xml = textMessageXml({ openId, content: 'hi' }).replace(/<MsgId>.*<\/MsgId>/, '');
    const result = await invokeWechat(handler, postEvent(config, plain, xml, openId));
    expect(result.statusCode).toBe(400);
    expect(result.body).toBe(
      'invalid WeChat text message: MsgId Invalid input: expected string, received undefined',
    );
    const mismatch = await invokeWechat(
      handler,
      postEvent(config, plain, textMessageXml({ openId, content: 'hi' }), newOpenId()),
    );
    expect(mismatch.body).toBe('invalid WeChat message: FromUserName is not the openid of the URL');
  });

  it.each([
    [
      'an XXE payload',
      (openId: string) =>
        `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>1764900000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>1234567890123456</MsgId></xml>`,
    ],
    [
      'a billion-laughs payload',
      (openId: string) =>
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>1764900000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&lol4;</Content><MsgId>1234567890123457</MsgId></xml>`,
    ],
  ])('rejects %s with a 400 in both modes and stores nothing', async (_, payload) => {
    const openId = await linked('contact-zhang-nainai');
    const before = await partition(openId);
    for (const k of [plain, safe]) {
      const result = await invokeWechat(handler, postEvent(config, k, payload(openId), openId));
      expect(result.statusCode).toBe(400);
      expect(result.body).toBe('invalid WeChat XML: DTDs and entity declarations are not accepted');
      expect(result.body).not.toContain('root:');
    }
    expect(await partition(openId)).toEqual(before);
  });
});

/**
 * A webhook whose turns wait until the test lets them go, with a 150 ms reply budget: the answer
 * can only come from the budget running out, so every reply comes late (nothing is measured).
 */
function slowly() {
  const real = build().store;
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow: ConversationStore = {
    loadTurn: async (...args) => {
      await held;
      return real.loadTurn(...args);
    },
    commitTurn: (...args) => real.commitTurn(...args),
    recordUnregistered: (...args) => real.recordUnregistered(...args),
    recordUnprocessed: (...args) => real.recordUnprocessed(...args),
  };
  const slowDeps = build({ store: slow, replyBudgetMs: 150 });
  return { slowDeps, slowHandler: createWechatWebhookHandler(slowDeps, config.PUBLIC_URL), release };
}

describe('the 5-second budget', () => {
  it('in Lambda, finishes a message from its own late-reply event and sends the replies once', async () => {
    const openId = await linked('contact-zhang-nainai');
    fake.userWrote(openId, clock.now());
    const message = {
      kind: 'text' as const,
      openId,
      account: 'gh_1',
      createTime: Math.floor(clock.now().getTime() / 1000),
      msgId: newMsgId(),
      content: '帮助',
    };
    const event = { source: LATE_REPLY_SOURCE, message } as unknown as Parameters<typeof handler>[0];
    // Lambda delivers an async event at least once: twice here.
    for (let i = 0; i < 2; i++) expect((await invokeWechat(handler, event)).statusCode).toBe(200);
    await outbound.drain();
    expect(fake.sent.filter((m) => m.openId === openId)).toEqual([
      expect.objectContaining({ type: 'custom', text: expect.stringMatching(/^【连心】石门村儿童之家电话/) }),
    ]);
  });

  it('answers success at once and sends the reply as a customer-service message when the turn is slow', async () => {
    const openId = await linked('contact-li-baba');
    fake.userWrote(openId, clock.now());
    const { slowDeps, slowHandler, release } = slowly();
    const msgId = newMsgId();
    const before = await partition(openId);
    const first = await send(
      openId,
      textMessageXml({ openId, content: 'HELP', msgId, at: clock.now() }),
      plain,
      slowHandler,
    );
    // WeChat has its answer while the turn is still held: nothing is stored or sent yet.
    expect(first.body).toBe('success');
    expect(await partition(openId)).toEqual(before);
    await outbound.drain();
    expect(fake.sent.filter((m) => m.openId === openId)).toEqual([]);

    release();
    await (slowDeps.lateReplies as InProcessLateReplies).idle();
    await outbound.drain();
    const sent = fake.sent.filter((m) => m.openId === openId);
    expect(sent).toEqual([
      expect.objectContaining({
        type: 'custom',
        text: expect.stringMatching(/^【连心】小明爸爸|^【连心】石门村儿童之家电话/),
      }),
    ]);
    // The turn itself was stored once; a late retry of the same message changes nothing more.
    const again = await send(openId, textMessageXml({ openId, content: 'HELP', msgId, at: clock.now() }));
    expect(again.reply).toBe(sent[0]?.text);
    await outbound.drain();
    expect(fake.sent.filter((m) => m.openId === openId)).toHaveLength(1);
  });

  it('delivers the late confirmation of a STOP, and nothing but replies after it', async () => {
    const liMama = await ownCopyOf('contact-li-mama');
    const openId = await linked(liMama);
    fake.userWrote(openId, clock.now());
    const { slowDeps, slowHandler, release } = slowly();
    const first = await send(
      openId,
      textMessageXml({ openId, content: '退订', at: clock.now() }),
      plain,
      slowHandler,
    );
    expect(first.body).toBe('success');
    release();
    await (slowDeps.lateReplies as InProcessLateReplies).idle();
    await outbound.drain();
    expect((await roster.getContact(liMama))?.optedOut).toBe(true);
    // The stop worked, and they are told so: the claim's opt-out check let their own reply through.
    expect(fake.sent.filter((m) => m.openId === openId)).toEqual([
      expect.objectContaining({
        type: 'custom',
        text: '【连心】您已退订，不会再收到消息。回复“订阅”可恢复。',
      }),
    ]);

    // Anything lianxin starts itself is still suppressed, even if it claims to pass an opt-out.
    const recipient = { contactId: liMama, channel: 'wechat' as const, address: openId };
    const invitation = `invitation#late-stop-test#${openId}`;
    await deps.outbound.enqueue({
      key: invitation,
      recipient,
      body: '【连心】本周签到：回复“签到”开始。',
      kind: 'invitation',
      urgent: true,
      ignoresOptOut: true,
    });
    await outbound.drain();
    expect((await outbound.worker.repository.get(invitation))?.status).toBe('suppressed');

    // A reply still stops at an address that cannot receive (they unfollowed).
    await roster.markAddressInvalid(liMama, `wechat:${openId}`);
    const reply = `late-reply#wechat#late-stop-test#${openId}`;
    await deps.outbound.enqueue({
      key: reply,
      recipient,
      body: '【连心】收到。',
      kind: 'reply',
      urgent: true,
      ignoresOptOut: true,
    });
    await outbound.drain();
    expect((await outbound.worker.repository.get(reply))?.status).toBe('suppressed');
    expect(fake.sent.filter((m) => m.openId === openId)).toHaveLength(1);
  });
});
