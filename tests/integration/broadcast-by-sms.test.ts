// A coordinator's broadcast from a phone, through the real SMS webhook, scheduler tick and send
// worker: GB <text> → preview; YES within 10 minutes → approved and sent by the next tick.
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastIdFor } from '#lib/broadcasts/gb-command.ts';
import { broadcastBody } from '#lib/domain/broadcast.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { DEMO_ROSTER } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { CENTRE_B_CARER, seedSecondCentre } from '#tests/support/second-centre.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const COORDINATOR = '+8613700000001';
const GRANDMOTHER = '+8613800000001';
const CENTRE = DEMO_ROSTER.centre.centreId;
const MINUTE = 60_000;

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
    const gb = await say(COORDINATOR, `GB ${text}`, sid);
    expect(gb.replies).toHaveLength(1);
    const preview = gb.replies[0] ?? '';
    expect(preview).toMatch(/^【连心】群发预览/);
    expect(preview).toContain(`${RECIPIENTS.length}位家长和照顾者`);
    expect(preview).toContain(broadcastBody(text, DEMO_ROSTER.centre.name, 'zh-CN'));
    expect(preview).toMatch(/USD/);
    expect(preview).toContain('10分钟内回复“是”发送');

    const again = await say(COORDINATOR, `GB ${text}`, sid);
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
    const gb = await say(COORDINATOR, `ＧＢ：${text}`);
    expect(gb.replies[0]).toContain(broadcastBody(text, DEMO_ROSTER.centre.name, 'zh-CN'));
    const yes = await say(COORDINATOR, 'ＹＥＳ');
    expect(yes.replies[0]).toContain('已确认');
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('scheduled');
    await world.tick();
    expect(sentWith(text)).toHaveLength(RECIPIENTS.length);
  });

  it('sends nothing when YES comes after 10 minutes: the preview expired', async () => {
    const text = '明天体检，请带孩子来。';
    const gb = await say(COORDINATOR, `群发 ${text}`);
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
    const first = await say(COORDINATOR, 'GB 第一条');
    const no = await say(COORDINATOR, '否');
    expect(no.replies).toEqual(['【连心】群发已取消，不会发送。']);
    expect((await broadcasts.get(first.broadcastId))?.status).toBe('cancelled');

    const older = await say(COORDINATOR, 'GB 旧的通知');
    const newer = await say(COORDINATOR, 'GB 新的通知');
    expect((await broadcasts.get(older.broadcastId))?.status).toBe('cancelled');
    await say(COORDINATOR, '确认');
    expect((await broadcasts.get(newer.broadcastId))?.status).toBe('scheduled');
    await world.tick();
    expect(sentWith('旧的通知')).toEqual([]);
    expect(sentWith('新的通知')).toHaveLength(RECIPIENTS.length);
  });

  it('keeps keywords working: HELP while a preview waits is answered, and the draft is dropped', async () => {
    const gb = await say(COORDINATOR, 'GB 帮助测试');
    const help = await say(COORDINATOR, '帮助');
    expect(help.replies[0]).toContain(DEMO_ROSTER.centre.phone);
    expect((await broadcasts.get(gb.broadcastId))?.status).toBe('cancelled');
    expect((await say(COORDINATOR, '是')).replies[0]).toContain('没有待确认的群发');
  });

  it('answers a bare GB with how to use it', async () => {
    expect((await say(COORDINATOR, 'GB')).replies[0]).toContain('GB”加上要说的话');
  });

  it('gives a carer who texts GB the normal flow, and composes nothing', async () => {
    const gb = await say(GRANDMOTHER, 'GB hi');
    expect(gb.replies.join('')).not.toContain('群发');
    expect(await broadcasts.get(gb.broadcastId)).toBeUndefined();
    const yes = await say(GRANDMOTHER, '是');
    expect(yes.replies.join('')).not.toContain('群发');
  });
});
