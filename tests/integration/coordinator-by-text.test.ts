// A coordinator working alerts by text, through the real SMS webhook, scheduler tick and send path:
// each alert arrives with its reference and the carer's number; 收到 A1 acknowledges (no
// escalation follows), 完成 A1 <note> closes, A1 ? tells the state, a reply without a reference acts
// on the latest open alert and says which.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { keys } from '#lib/store/keys.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';
import { type WeeklyRhythmWorld, weeklyRhythmWorld } from '#tests/support/weekly-rhythm.ts';

const LI_NAINAI = '+8613800000001';
const WANG_LAOSHI = '+8613700000001';
const ENGLISH_CARER = '+8613800000003';
const MINUTE = 60_000;
/** Monday 10:00 in Shanghai: nothing of the weekly rhythm is due for hours. */
const RAISED_AT = new Date('2026-11-30T10:00+08:00');
const WEEK = isoWeekOf(RAISED_AT);
const XIAOMING_MOOD = `child-xiaoming#${WEEK}#mood`;
const XIAOHONG_SCHOOL = `child-xiaohong#${WEEK}#school`;

let world: WeeklyRhythmWorld;
let seen = 0;
/** What 王老师 was sent since the last call. */
function toWang() {
  const fresh = world.sent.slice(seen);
  seen = world.sent.length;
  return fresh.filter((m) => m.to === WANG_LAOSHI);
}

async function alertItem(alertId: string) {
  const output = await world.table.client.send(
    new GetCommand({ TableName: world.table.tableName, Key: keys.centreAlert('centre-shimen', alertId) }),
  );
  return output.Item;
}

beforeAll(async () => {
  world = await weeklyRhythmWorld({ start: RAISED_AT.toISOString() });
  await world.tick(); // plans the schedules
  toWang();
  // 小明: very sad (an alert); a minute later 小红: did not go to school (another).
  for (const answer of ['签到', '3', '4', '1', '1', '1', '跳过']) await world.text(LI_NAINAI, answer);
  world.clock.advance(MINUTE);
  for (const answer of ['3', '1', '4', '1', '1', '跳过']) await world.text(LI_NAINAI, answer);
});

describe('a coordinator answers alerts by text', () => {
  it('gets each alert with its reference, the child, what was answered and the carer’s number', async () => {
    const told = toWang();
    expect(told.map((m) => m.body)).toEqual([
      '【连心】关注提醒A1：李奶奶签到说小明这周很难过。照顾者电话+8613800000001。请尽快联系，回复“收到 A1”确认。',
      '【连心】关注提醒A2：李奶奶签到说小红这周没去上学。照顾者电话+8613800000001。请尽快联系，回复“收到 A2”确认。',
    ]);
    expect(await alertItem(XIAOMING_MOOD)).toMatchObject({ ref: 'A1', raisedBy: 'contact-li-nainai' });
    expect(await alertItem(XIAOHONG_SCHOOL)).toMatchObject({ ref: 'A2' });
  });

  it('acknowledges with 收到 A1, once however often it is delivered, and tells the state on A1 ?', async () => {
    const sid = newMessageSid();
    const say = (body: string, messageSid = newMessageSid()) =>
      invoke(world.webhook, smsEvent(world.config, { from: WANG_LAOSHI, body, messageSid }));
    const first = await say('收到 A1', sid);
    expect(first.replies).toEqual([
      expect.stringMatching(/^【连心】已确认A1，不再升级提醒。处理完请回复“完成 A1 备注”。/),
    ]);
    const acknowledged = await alertItem(XIAOMING_MOOD);
    expect(acknowledged).toMatchObject({ status: 'open', acknowledgedBy: 'contact-wang-laoshi' });
    expect((await say('收到 A1', sid)).replies).toEqual(first.replies);
    expect((await alertItem(XIAOMING_MOOD))?.acknowledgedAt).toBe(acknowledged?.acknowledgedAt);

    const state = await world.text(WANG_LAOSHI, 'Ａ１？');
    expect(state[0]).toBe('【连心】A1：小明这周很难过。电话+8613800000001。状态：已确认，未完成。');
    expect((await world.text(WANG_LAOSHI, 'A99 ?'))[0]).toContain('没有找到A99');
  });

  it('escalates only the alert no one acknowledged, with its reference', async () => {
    toWang();
    world.clock.set(new Date(RAISED_AT.getTime() + 24 * 60 * MINUTE + 5 * MINUTE));
    await world.tick();
    const escalated = toWang();
    expect(escalated.map((m) => m.body)).toEqual([
      expect.stringMatching(/^【连心】提醒A2已超过24小时无人确认：李奶奶签到说小红这周没去上学/),
    ]);
    expect((await alertItem(XIAOMING_MOOD))?.escalatedAt).toBeUndefined();
  });

  it('closes with 完成 A1 and the note; a reply without a reference takes the latest open alert and says so', async () => {
    expect(await world.text(WANG_LAOSHI, '完成 A1 已家访')).toEqual(['【连心】A1已完成，备注：已家访。']);
    expect(await alertItem(XIAOMING_MOOD)).toMatchObject({
      status: 'closed',
      closedBy: 'contact-wang-laoshi',
      closeNote: '已家访',
    });
    expect((await world.text(WANG_LAOSHI, 'DONE A1 again'))[0]).toContain('A1（小明这周很难过）已经完成了');

    const ok = await world.text(WANG_LAOSHI, 'OK');
    expect(ok[0]).toMatch(/^【连心】已选最近的提醒A2（小红这周没去上学）。已确认A2/);
    expect(await alertItem(XIAOHONG_SCHOOL)).toMatchObject({ acknowledgedBy: 'contact-wang-laoshi' });
    expect(await world.text(WANG_LAOSHI, '完成，已电话联系')).toEqual([
      '【连心】已选最近的提醒A2（小红这周没去上学）。A2已完成，备注：已电话联系。',
    ]);
    expect(await world.text(WANG_LAOSHI, '收到')).toEqual(['【连心】现在没有待处理的提醒。']);
  });

  it("lists what a coordinator can text on HELP, and a carer's 收到 is no command", async () => {
    const help = (await world.text(WANG_LAOSHI, '帮助'))[0] ?? '';
    for (const word of ['收到 A7', '完成 A7', 'A7 ?', 'GB']) expect(help).toContain(word);
    const carer = await world.text(ENGLISH_CARER, 'OK A1');
    expect(carer.join('')).not.toMatch(/A1|acknowledged/);
  });
});
