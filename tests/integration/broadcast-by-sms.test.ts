// A coordinator's broadcast from a phone, through the real SMS webhook, scheduler tick and send
// worker: GB <text> → preview; YES within 10 minutes → approved and sent by the next tick.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastIdFor } from '#lib/broadcasts/gb-command.ts';
import { broadcastBody } from '#lib/domain/broadcast.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { DEMO_ROSTER } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { CoordinatorWorkRepository } from '#lib/store/tasks/coordinator-work-repository.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { setGbPin } from '#tests/support/gb-pin.ts';
import { CENTRE_B_CARER, seedSecondCentre } from '#tests/support/second-centre.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const COORDINATOR = '+8613700000001';
const GRANDMOTHER = '+8613800000001';
const CENTRE = DEMO_ROSTER.centre.centreId;
const WANG = { centreId: CENTRE, contactId: 'contact-wang-laoshi' };
const MINUTE = 60_000;
const PIN = '4821';

// Every carer and parent of the demo Centre, by SMS address and language: who a GB reaches.
const RECIPIENTS = DEMO_ROSTER.contacts
  .filter((c) => c.centreId === CENTRE && (c.role === 'carer' || c.role === 'parent'))
  .map((c) => ({ address: c.addresses[0]?.address ?? '', language: c.language }));

let world: WeeklyRhythmWorld;
let webhook: ReturnType<typeof createSmsWebhookHandler>;
let broadcasts: BroadcastRepository;

beforeAll(async () => {
  // Saturday 17:00 in Shanghai: after the quiet hours (08:00–16:00) of the parent who works nights.
  world = await weeklyRhythmWorld({ start: '2026-12-05T09:00:00Z' });
  await seedSecondCentre(world.roster);
  const logger = createLogger('test-broadcast-by-sms');
  logger.setLogLevel('SILENT');
  const deps = createSmsWebhookDependencies(world.config, logger, {}, world.harness.adapters);
  webhook = createSmsWebhookHandler(deps, world.config.PUBLIC_URL);
  broadcasts = new BroadcastRepository({ client: world.table.client, tableName: world.table.tableName });
  const set = await setGbPin(world.config, world.harness.adapters, WANG, PIN);
  expect(set.statusCode).toBe(200);
});

/** A text through the real webhook; the id says which broadcast a GB composes. */
async function say(from: string, body: string, messageSid = newMessageSid()) {
  const result = await invoke(webhook, smsEvent(world.config, { from, body, messageSid }));
  expect(result.statusCode).toBe(200);
  return { replies: result.replies, broadcastId: broadcastIdFor({ channel: 'sms', messageId: messageSid }) };
}

const sentWith = (text: string) => world.sent.filter((m) => m.body.includes(text));

async function draftsWith(text: string) {
  return (await broadcasts.listForCentre(CENTRE, 100)).filter((b) => b.texts['zh-CN'] === text);
}

describe('a coordinator broadcasts by SMS', () => {
  it('answers GB with the preview, once however often the message is delivered; YES sends it to the Centre', async () => {
    const text = '周六儿童之家活动取消，下周照常。';
    const sid = newMessageSid();
    const gb = await say(COORDINATOR, `GB ${PIN} ${text}`, sid);
    expect(gb.replies).toHaveLength(1);
    const preview = gb.replies[0] ?? '';
    expect(preview).toMatch(/^【连心】群发预览/);
    expect(preview).toContain(`${RECIPIENTS.length}位家长和照顾者`);
    expect(preview).toContain(broadcastBody(text, DEMO_ROSTER.centre.name, 'zh-CN'));
    expect(preview).toMatch(/USD/);
    expect(preview).toContain('10分钟内回复“是”发送');
    // The PIN is the coordinator's: never in the preview, never in the broadcast.
    expect(preview).not.toContain(PIN);

    // The message log keeps the GB, never the PIN in clear.
    const logged = await world.table.client.send(
      new GetCommand({ TableName: world.table.tableName, Key: keys.message('sms', COORDINATOR, sid) }),
    );
    expect(logged.Item?.body).toBe(`GB **** ${text}`);
    const again = await say(COORDINATOR, `GB ${PIN} ${text}`, sid);
    expect(again.replies).toEqual(gb.replies);
    const drafts = await draftsWith(text);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      broadcastId: gb.broadcastId,
      status: 'draft',
      source: 'sms',
      createdBy: 'contact-wang-laoshi',
      target: { centreIds: [CENTRE], roles: ['carer', 'parent'], categories: [], languages: [] },
    });

    // Nothing goes before YES, whatever the tick finds.
    await world.tick();
    expect(sentWith(text)).toEqual([]);

    world.clock.advance(9 * MINUTE);
    const yesSid = newMessageSid();
    const yes = await say(COORDINATOR, '是', yesSid);
    expect(yes.replies).toEqual([`【连心】已确认，几分钟内发给${RECIPIENTS.length}人。`]);
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('scheduled');
    // A redelivered YES replays its reply; a second YES has nothing left to confirm.
    expect((await say(COORDINATOR, '是', yesSid)).replies).toEqual(yes.replies);
    expect((await say(COORDINATOR, 'YES')).replies[0]).toContain('没有待确认的群发');

    await world.tick();
    const sent = sentWith(text);
    expect(sent.map((m) => m.to).sort()).toEqual(RECIPIENTS.map((r) => r.address).sort());
    for (const r of RECIPIENTS) {
      const [message] = sent.filter((m) => m.to === r.address);
      expect(message?.body).toBe(broadcastBody(text, DEMO_ROSTER.centre.name, r.language));
    }
    expect(sent.some((m) => m.to === CENTRE_B_CARER || m.to === COORDINATOR)).toBe(false);
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('sent');

    // A later tick sends nothing twice.
    world.clock.advance(5 * MINUTE);
    await world.tick();
    expect(sentWith(text)).toHaveLength(RECIPIENTS.length);
  });

  it('accepts ＧＢ： and ＹＥＳ in full width, and an English text for everyone', async () => {
    const text = 'Family day on Sunday';
    const gb = await say(COORDINATOR, `ＧＢ：${PIN} ${text}`);
    expect(gb.replies[0]).toContain(broadcastBody(text, DEMO_ROSTER.centre.name, 'zh-CN'));
    const yes = await say(COORDINATOR, 'ＹＥＳ');
    expect(yes.replies[0]).toContain('已确认');
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('scheduled');
    await world.tick();
    expect(sentWith(text)).toHaveLength(RECIPIENTS.length);
  });

  it('sends nothing when YES comes after 10 minutes: the preview expired', async () => {
    const text = '明天体检，请带孩子来。';
    const gb = await say(COORDINATOR, `群发 ${PIN} ${text}`);
    expect(gb.replies[0]).toMatch(/^【连心】群发预览/);
    world.clock.advance(11 * MINUTE);
    const yes = await say(COORDINATOR, 'YES');
    expect(yes.replies[0]).toContain('预览已过期');
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('draft');
    await world.tick();
    expect(sentWith(text)).toEqual([]);
    // The expired confirmation is gone: another YES has nothing to confirm.
    expect((await say(COORDINATOR, '是')).replies[0]).toContain('没有待确认的群发');
  });

  it('cancels on NO, and a new GB replaces the one waiting', async () => {
    const first = await say(COORDINATOR, `GB ${PIN} 第一条`);
    const no = await say(COORDINATOR, '否');
    expect(no.replies).toEqual(['【连心】群发已取消，不会发送。']);
    expect((await broadcasts.get(first.broadcastId))?.status).toBe('cancelled');

    const older = await say(COORDINATOR, `GB ${PIN} 旧的通知`);
    const newer = await say(COORDINATOR, `GB ${PIN} 新的通知`);
    expect((await broadcasts.get(older.broadcastId))?.status).toBe('cancelled');
    await say(COORDINATOR, '是');
    expect((await broadcasts.get(newer.broadcastId))?.status).toBe('scheduled');
    await world.tick();
    expect(sentWith('旧的通知')).toEqual([]);
    expect(sentWith('新的通知')).toHaveLength(RECIPIENTS.length);
  });

  it('keeps keywords working: HELP while a preview waits is answered, and the draft is dropped', async () => {
    const gb = await say(COORDINATOR, `GB ${PIN} 帮助测试`);
    const help = await say(COORDINATOR, '帮助');
    expect(help.replies[0]).toContain(DEMO_ROSTER.centre.phone);
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('cancelled');
    expect((await say(COORDINATOR, '是')).replies[0]).toContain('没有待确认的群发');
  });

  it('answers a bare GB with how to use it', async () => {
    expect((await say(COORDINATOR, 'GB')).replies[0]).toContain('GB 密码 内容');
  });

  it('gives a carer who texts GB the normal flow, and composes nothing', async () => {
    const gb = await say(GRANDMOTHER, 'GB hi');
    expect(gb.replies.join('')).not.toContain('群发');
    expect(await broadcasts.get(gb.broadcastId)).toBeUndefined();
    const yes = await say(GRANDMOTHER, '是');
    expect(yes.replies.join('')).not.toContain('群发');
  });
});

describe('GB cannot be forged: it needs the coordinator’s PIN', () => {
  it('sends nothing for a GB without the PIN, and says how to do it', async () => {
    const text = '伪造的通知：明天停课';
    const gb = await say(COORDINATOR, `GB ${text}`);
    expect(gb.replies).toEqual([
      '【连心】没有发送。群发要先写您的群发密码：GB 密码 内容，例如：GB 4821 周六活动取消。',
    ]);
    expect(await broadcasts.get(gb.broadcastId)).toBeUndefined();
    expect((await say(COORDINATOR, 'YES')).replies[0]).toContain('没有待确认的群发');
    await world.tick();
    expect(sentWith(text)).toEqual([]);
  });

  it('locks GB after three wrong PINs, tells the Centre with a task, and a new PIN unlocks it', async () => {
    const text = '假通知：请转账';
    const seenBefore = world.sent.length;
    const sid = newMessageSid();
    expect((await say(COORDINATOR, `GB 1357 ${text}`, sid)).replies[0]).toContain('再错2次将锁定群发');
    // A redelivery of the same wrong try is not counted again.
    expect((await say(COORDINATOR, `GB 1357 ${text}`, sid)).replies[0]).toContain('再错2次将锁定群发');
    expect((await say(COORDINATOR, `GB 2468 ${text}`)).replies[0]).toContain('再错1次将锁定群发');
    expect((await say(COORDINATOR, `GB 9753 ${text}`)).replies[0]).toMatch(/^【连心】群发已锁定/);
    // Locked: the right PIN does not open it either.
    const right = await say(COORDINATOR, `GB ${PIN} ${text}`);
    expect(right.replies[0]).toMatch(/^【连心】群发已锁定/);
    expect(await broadcasts.get(right.broadcastId)).toBeUndefined();

    const tasks = new CoordinatorWorkRepository({
      client: world.table.client,
      tableName: world.table.tableName,
    });
    const locked = (await tasks.listTasks(CENTRE)).filter((t) => t.kind === 'gb-locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({
      status: 'open',
      contactId: 'contact-wang-laoshi',
      ref: expect.stringMatching(/^T\d+$/),
    });
    await world.tick();
    const told = world.sent.slice(seenBefore).filter((m) => m.to === COORDINATOR && m.body.includes('待办'));
    expect(told.map((m) => m.body)).toEqual([
      `【连心】待办${locked[0]?.ref}：王老师的群发因密码错误被锁定。回复“收到 ${locked[0]?.ref}”确认，“完成 ${locked[0]?.ref} 备注”处理完毕。`,
    ]);
    expect(sentWith(text)).toEqual([]);

    expect((await setGbPin(world.config, world.harness.adapters, WANG, '2580')).statusCode).toBe(200);
    const again = await say(COORDINATOR, `GB 2580 ${text}`);
    expect(again.replies[0]).toMatch(/^【连心】群发预览/);
    expect((await say(COORDINATOR, '否')).replies[0]).toContain('群发已取消');
  });

  it('refuses a weak PIN or a contact who is not a coordinator in the API', async () => {
    expect((await setGbPin(world.config, world.harness.adapters, WANG, '1234')).statusCode).toBe(400);
    const carer = { centreId: CENTRE, contactId: 'contact-li-nainai' };
    expect((await setGbPin(world.config, world.harness.adapters, carer, '4821')).statusCode).toBe(400);
    const elsewhere = { centreId: 'centre-other', contactId: 'contact-wang-laoshi' };
    expect((await setGbPin(world.config, world.harness.adapters, elsewhere, '4821')).statusCode).toBe(404);
  });
});
