import { describe, expect, it } from 'vitest';
import {
  ALERT_ESCALATE_AFTER_MS,
  ALERT_NOTIFY_CHECK_MS,
  alertFollowUpDueAt,
  needsEscalating,
  needsNotifying,
} from '#lib/domain/alert-escalation.ts';
import { alertMessage, escalationMessage } from '#lib/domain/alert-message.ts';
import { BRAND } from '#lib/domain/message-catalog.ts';
import type { AlertRecord, Language } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';
import { grandmother, WEEK, XIAOHONG, XIAOMING } from '#tests/unit/fixtures.ts';

function alert(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    alertId: `${XIAOMING.childId}#${WEEK}#mood`,
    centreId: 'centre-shimen',
    childId: XIAOMING.childId,
    familyId: XIAOMING.familyId,
    week: WEEK,
    itemId: WEEKLY_CHECKIN_ITEMS.mood,
    reason: 'answer',
    value: 4,
    raisedAt: '2026-11-25T02:00:00.000Z',
    ...overrides,
  };
}

describe('alertMessage for a concerning answer', () => {
  it.each<[string, string, Language, string]>([
    [
      WEEKLY_CHECKIN_ITEMS.mood,
      XIAOMING.childId,
      'zh-CN',
      '【连心】关注提醒：王奶奶签到说小明这周很难过。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    ],
    [
      WEEKLY_CHECKIN_ITEMS.school,
      XIAOHONG.childId,
      'zh-CN',
      '【连心】关注提醒：王奶奶签到说小红这周没去上学。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    ],
    [
      WEEKLY_CHECKIN_ITEMS.health,
      XIAOMING.childId,
      'zh-CN',
      '【连心】关注提醒：王奶奶签到说小明身体需要帮助。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    ],
    [
      WEEKLY_CHECKIN_ITEMS.attendance,
      XIAOMING.childId,
      'zh-CN',
      '【连心】关注提醒：王奶奶签到说小明需要关注。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    ],
    [
      WEEKLY_CHECKIN_ITEMS.mood,
      XIAOMING.childId,
      'en',
      "【连心】Alert: 王奶奶's check-in says 小明 has been very sad this week. Carer's phone +8613800000001. Please get in touch soon; reply OK to acknowledge.",
    ],
    [
      WEEKLY_CHECKIN_ITEMS.school,
      XIAOHONG.childId,
      'en',
      "【连心】Alert: 王奶奶's check-in says 小红 did not go to school this week. Carer's phone +8613800000001. Please get in touch soon; reply OK to acknowledge.",
    ],
    [
      WEEKLY_CHECKIN_ITEMS.health,
      XIAOMING.childId,
      'en',
      "【连心】Alert: 王奶奶's check-in says 小明 needs help with their health. Carer's phone +8613800000001. Please get in touch soon; reply OK to acknowledge.",
    ],
    [
      WEEKLY_CHECKIN_ITEMS.attendance,
      XIAOMING.childId,
      'en',
      "【连心】Alert: 王奶奶's check-in says 小明 needs attention. Carer's phone +8613800000001. Please get in touch soon; reply OK to acknowledge.",
    ],
  ])('%s about %s in %s', (itemId, childId, language, expected) => {
    expect(alertMessage(alert({ itemId, childId }), grandmother(), language)).toBe(expected);
  });

  it.each([4, false, 'x'])('does not quote the answer value %j', (value) => {
    const text = alertMessage(alert({ value }), grandmother(), 'zh-CN');
    expect(text).toBe(
      '【连心】关注提醒：王奶奶签到说小明这周很难过。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    );
  });

  it('writes in the language asked for, not the carer’s', () => {
    const carer = grandmother({ language: 'en', displayName: 'Grandma Wang' });
    expect(alertMessage(alert(), carer, 'zh-CN')).toBe(
      '【连心】关注提醒：Grandma Wang签到说小明这周很难过。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    );
  });
});

describe('alertMessage for worrying words', () => {
  const words = (value: string) =>
    alert({
      reason: 'words',
      itemId: WEEKLY_CHECKIN_ITEMS.message,
      value,
      alertId: 'child-xm#2026-W48#message',
    });

  it.each<[Language, string, string]>([
    [
      'zh-CN',
      '他爸爸打孩子',
      '【连心】关注提醒：王奶奶签到说小明的留言需要关注：“他爸爸打孩子”。照顾者电话+8613800000001。请尽快联系，回复“收到”确认。',
    ],
    [
      'en',
      '他爸爸打孩子',
      `【连心】Alert: 王奶奶's check-in says 小明: a message needs attention: "他爸爸打孩子". Carer's phone +8613800000001. Please get in touch soon; reply OK to acknowledge.`,
    ],
  ])('quotes the words in %s', (language, value, expected) => {
    expect(alertMessage(words(value), grandmother(), language)).toBe(expected);
  });

  const quoted = (text: string) => {
    const match = /需要关注：“(.*)”。/su.exec(text);
    if (!match?.[1]) throw new Error(`no quote in ${text}`);
    return match[1];
  };

  it.each<[string, string, string]>([
    ['39 characters', '难'.repeat(39), '难'.repeat(39)],
    ['exactly 40 characters', '难'.repeat(40), '难'.repeat(40)],
    ['41 characters', '难'.repeat(41), `${'难'.repeat(40)}…`],
    ['a long message', `${'a'.repeat(40)}SECRET TAIL`, `${'a'.repeat(40)}…`],
    ['40 emoji (not cut inside a surrogate pair)', '😢'.repeat(40), '😢'.repeat(40)],
    ['41 emoji', '😢'.repeat(41), `${'😢'.repeat(40)}…`],
  ])('cuts %s at 40 characters', (_, value, expected) => {
    const text = alertMessage(words(value), grandmother(), 'zh-CN');
    expect(quoted(text)).toBe(expected);
  });

  it('cuts the English quote the same way', () => {
    const text = alertMessage(words('x'.repeat(100)), grandmother(), 'en');
    expect(text).toContain(`"${'x'.repeat(40)}…"`);
    expect(text).not.toContain('x'.repeat(41));
  });
});

describe('alertMessage names', () => {
  it.each(['zh-CN', 'en'] as const)('starts with the brand in %s', (language) => {
    expect(BRAND).toBe('【连心】');
    expect(alertMessage(alert(), grandmother(), language).startsWith('【连心】')).toBe(true);
  });

  it('looks the child up by id in the carer’s children', () => {
    const carer = grandmother({
      children: [
        { ...XIAOMING, name: '明明' },
        { ...XIAOHONG, name: '红红' },
      ],
    });
    expect(alertMessage(alert({ childId: XIAOHONG.childId }), carer, 'zh-CN')).toContain('签到说红红这周');
    expect(alertMessage(alert({ childId: XIAOMING.childId }), carer, 'en')).toContain('says 明明 has');
  });

  it('falls back to the child id when the child is not the carer’s', () => {
    const text = alertMessage(alert({ childId: 'child-unknown' }), grandmother(), 'en');
    expect(text).toContain("王奶奶's check-in says child-unknown has been very sad");
  });
});

describe('alertMessage with its reference', () => {
  it('names the reference and how to answer it, in each language', () => {
    expect(alertMessage(alert(), grandmother(), 'zh-CN', { ref: 'A7' })).toBe(
      '【连心】关注提醒A7：王奶奶签到说小明这周很难过。照顾者电话+8613800000001。请尽快联系，回复“收到 A7”确认。',
    );
    expect(alertMessage(alert(), grandmother(), 'en', { ref: 'A7' })).toBe(
      "【连心】Alert A7: 王奶奶's check-in says 小明 has been very sad this week. Carer's phone +8613800000001. Please get in touch soon; reply OK A7 to acknowledge.",
    );
  });

  it('leaves the phone out when the carer has no SMS number (WeChat only)', () => {
    const carer = grandmother({ addresses: [{ channel: 'wechat', address: 'o-openid' }] });
    const text = alertMessage(alert(), carer, 'zh-CN', { ref: 'A7' });
    expect(text).not.toContain('电话');
    expect(text).not.toContain('o-openid');
  });
});

describe('escalationMessage', () => {
  it('says the alert has waited a day, with what it is about, in each language', () => {
    expect(escalationMessage(alert(), grandmother(), 'zh-CN')).toBe(
      '【连心】提醒已超过24小时无人确认：王奶奶签到说小明这周很难过。照顾者电话+8613800000001。请今天联系，回复“收到”确认。',
    );
    expect(escalationMessage(alert(), grandmother(), 'en')).toBe(
      "【连心】Unacknowledged for 24 h: 王奶奶's check-in says 小明 has been very sad this week. Carer's phone +8613800000001. Please get in touch today and reply OK to acknowledge.",
    );
  });
});

describe("an alert's follow-ups", () => {
  it('are due 2 minutes and 24 h after the alert was raised', () => {
    const raisedAt = '2026-11-25T02:00:00.000Z';
    expect(alertFollowUpDueAt('notify', raisedAt).getTime() - Date.parse(raisedAt)).toBe(
      ALERT_NOTIFY_CHECK_MS,
    );
    expect(alertFollowUpDueAt('escalate', raisedAt).toISOString()).toBe('2026-11-26T02:00:00.000Z');
    expect(ALERT_ESCALATE_AFTER_MS).toBe(24 * 3600_000);
  });

  it('act only on an open, unacknowledged alert, and escalate it once', () => {
    expect(needsNotifying({ status: 'open' })).toBe(true);
    expect(needsEscalating({ status: 'open' })).toBe(true);
    expect(needsNotifying({ status: 'open', acknowledgedAt: '2026-11-25T03:00:00.000Z' })).toBe(false);
    expect(needsEscalating({ status: 'open', acknowledgedAt: '2026-11-25T03:00:00.000Z' })).toBe(false);
    expect(needsEscalating({ status: 'closed' })).toBe(false);
    expect(needsEscalating({ status: 'open', escalatedAt: '2026-11-26T02:00:00.000Z' })).toBe(false);
  });
});
