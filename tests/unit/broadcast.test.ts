import { describe, expect, it } from 'vitest';
import {
  type BroadcastCandidate,
  type BroadcastTarget,
  broadcastBody,
  PreviewTally,
  reportGroupOf,
  selectRecipients,
} from '#lib/domain/broadcast.ts';

const candidate = (over: Partial<BroadcastCandidate> = {}): BroadcastCandidate => ({
  contactId: 'c1',
  centreId: 'centre-a',
  role: 'carer',
  language: 'zh-CN',
  optedOut: false,
  categories: ['both-away'],
  address: { channel: 'sms', address: '+8613800000001' },
  invalid: false,
  ...over,
});
const everyone: BroadcastTarget = {
  centreIds: ['centre-a'],
  roles: ['carer', 'parent'],
  categories: [],
  languages: [],
};
const texts = { 'zh-CN': '周六有活动。', en: 'Activity on Saturday.' };

describe('selectRecipients', () => {
  it('targets by centre, role, category and language, and never coordinators', () => {
    const all = [
      candidate({ contactId: 'carer' }),
      candidate({ contactId: 'parent', role: 'parent', categories: ['one-away'] }),
      candidate({ contactId: 'coordinator', role: 'coordinator' }),
      candidate({ contactId: 'other-centre', centreId: 'centre-b' }),
      candidate({ contactId: 'english', language: 'en', categories: ['with-parents'] }),
    ];
    const ids = (target: Partial<BroadcastTarget>) =>
      selectRecipients(all, { ...everyone, ...target }, texts).recipients.map((r) => r.contactId);
    expect(ids({})).toEqual(['carer', 'parent', 'english']);
    expect(ids({ roles: ['parent'] })).toEqual(['parent']);
    expect(ids({ categories: ['one-away', 'with-parents'] })).toEqual(['parent', 'english']);
    expect(ids({ languages: ['en'] })).toEqual(['english']);
    expect(ids({ centreIds: ['centre-b'] })).toEqual(['other-centre']);
  });

  it('leaves out, and counts, the opted out, the unreachable and those without a text in their language', () => {
    const { recipients, excluded } = selectRecipients(
      [
        candidate({ contactId: 'ok' }),
        candidate({ contactId: 'stopped', optedOut: true, address: undefined }),
        candidate({ contactId: 'bounced', address: undefined, invalid: true }),
        candidate({ contactId: 'no-number', address: undefined }),
        candidate({ contactId: 'english', language: 'en' }),
      ],
      everyone,
      { 'zh-CN': '周六有活动。' },
    );
    expect(recipients.map((r) => r.contactId)).toEqual(['ok']);
    expect(excluded).toEqual({ optedOut: 1, invalidAddress: 1, noAddress: 1, noText: 1 });
  });
});

describe('broadcastBody', () => {
  it('says who speaks and how to stop, in the recipient language', () => {
    expect(broadcastBody(' 周六有活动。 ', '石门村儿童之家', 'zh-CN')).toBe(
      '【连心】石门村儿童之家：周六有活动。回复TD退订',
    );
    expect(broadcastBody('Activity on Saturday', 'Shimen Centre', 'en')).toBe(
      '【连心】Shimen Centre: Activity on Saturday. Reply STOP to stop.',
    );
  });
});

describe('PreviewTally', () => {
  it('counts recipients, segments per language and the cost, with WeChat free unless it falls back', () => {
    const tally = new PreviewTally(texts, new Map([['centre-a', '石门村儿童之家']]));
    const { recipients } = selectRecipients(
      [
        candidate({ contactId: 'a' }),
        candidate({ contactId: 'b' }),
        candidate({ contactId: 'w', address: { channel: 'wechat', address: 'oOPENID' } }),
        candidate({ contactId: 'e', language: 'en' }),
      ],
      everyone,
      texts,
    );
    for (const r of recipients) tally.add(r);
    const preview = tally.result({ perSegment: 0.5, currency: 'USD' });
    expect(preview.recipients).toBe(4);
    expect(preview.categories).toEqual({ 'both-away': 0, 'one-away': 0, 'with-parents': 0 });
    expect(
      preview.languages.map((l) => [l.language, l.recipients, l.sms, l.wechat, l.segments, l.encoding]),
    ).toEqual([
      ['en', 1, 1, 0, 1, 'UCS-2'],
      ['zh-CN', 3, 2, 1, 1, 'UCS-2'],
    ]);
    expect(preview.smsSegments).toBe(3);
    expect(preview.estimatedCost).toEqual({ amount: 1.5, upTo: 2, currency: 'USD', perSegment: 0.5 });
  });

  it('prices a long text by its segments (UCS-2: 67 characters each past the first 70)', () => {
    const long = '活'.repeat(100);
    const tally = new PreviewTally({ 'zh-CN': long }, new Map([['centre-a', '石门村儿童之家']]));
    tally.add({
      contactId: 'a',
      centreId: 'centre-a',
      language: 'zh-CN',
      address: { channel: 'sms', address: '+86' },
    });
    const body = `【连心】石门村儿童之家：${long}。回复TD退订`;
    expect(tally.result({ perSegment: 1, currency: 'CNY' }).smsSegments).toBe(
      Math.ceil([...body].length / 67),
    );
  });
});

describe('PreviewTally by category', () => {
  it('counts each recipient once under every category of their children', () => {
    const tally = new PreviewTally(texts, new Map([['centre-a', '石门村儿童之家']]));
    const r = (contactId: string) => ({
      contactId,
      centreId: 'centre-a',
      language: 'zh-CN' as const,
      address: { channel: 'sms' as const, address: `+86${contactId}` },
    });
    tally.add(r('1'), ['both-away']);
    tally.add(r('2'), ['both-away', 'with-parents', 'both-away']);
    tally.add(r('3'), ['one-away']);
    tally.add(r('4'));
    const preview = tally.result({ perSegment: 0.5, currency: 'USD' });
    expect(preview.recipients).toBe(4);
    expect(preview.categories).toEqual({ 'both-away': 2, 'one-away': 1, 'with-parents': 1 });
  });
});

describe('reportGroupOf', () => {
  it.each([
    [undefined, 'queued'],
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['unknown', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
    ['suppressed', 'suppressed'],
    ['rerouted', 'sent'],
    ['expired', 'not-sent'],
    ['blocked', 'not-sent'],
    ['cancelled', 'cancelled'],
  ])('%s → %s', (status, group) => {
    expect(reportGroupOf(status)).toBe(group);
  });
});

describe('PreviewTally at the domestic price', () => {
  // Worked out here from the carriers' rules, not from the code: the phone shows 【连心】, the text
  // and the template's fixed ending; 70 characters are one billed message, longer ones bill per 67.
  const billed = (shown: string) => {
    const chars = [...shown].length;
    return chars <= 70 ? 1 : Math.ceil(chars / 67);
  };
  const prices = {
    perSegment: 0.0113,
    currency: 'USD',
    domestic: { provider: 'aliyun' as const, perSegment: { aliyun: 0.045, tencent: 0.04 } },
  };

  it('bills +86 mobiles by template at the domestic price, and the others by Twilio', () => {
    const text = '周六儿童之家停课一天，周日照常。'.repeat(4);
    const tally = new PreviewTally({ 'zh-CN': text }, new Map([['centre-a', '石门村儿童之家']]));
    const { recipients } = selectRecipients(
      [
        candidate({ contactId: 'a', address: { channel: 'sms', address: '+8613800000001' } }),
        candidate({ contactId: 'b', address: { channel: 'sms', address: '+8613900000002' } }),
        candidate({ contactId: 'h', address: { channel: 'sms', address: '+85291234567' } }),
        candidate({ contactId: 'w', address: { channel: 'wechat', address: 'oOPENID' } }),
      ],
      everyone,
      { 'zh-CN': text },
    );
    for (const r of recipients) tally.add(r);
    const preview = tally.result(prices);

    const shown = `【连心】石门村儿童之家：${text}。回复TD退订（儿童之家通知）`;
    const domesticSegments = 2 * billed(shown);
    expect(preview.domestic).toMatchObject({
      provider: 'aliyun',
      recipients: 2,
      segments: domesticSegments,
      currency: 'CNY',
      perSegment: 0.045,
      amount: Math.round(domesticSegments * 0.045 * 100) / 100,
    });
    expect(preview.domestic?.byProvider).toEqual([
      { provider: 'aliyun', perSegment: 0.045, amount: Math.round(domesticSegments * 0.045 * 100) / 100 },
      { provider: 'tencent', perSegment: 0.04, amount: Math.round(domesticSegments * 0.04 * 100) / 100 },
    ]);
    // Twilio carries the Hong Kong number; the WeChat recipient would cost as much again by SMS.
    const twilioBody = `【连心】石门村儿童之家：${text}。回复TD退订`;
    const twilioSegments = Math.ceil([...twilioBody].length / 67);
    expect(preview.estimatedCost).toEqual({
      amount: Math.round(twilioSegments * 0.0113 * 100) / 100,
      upTo: Math.round(2 * twilioSegments * 0.0113 * 100) / 100,
      currency: 'USD',
      perSegment: 0.0113,
    });
  });

  it('prices every SMS by Twilio when Twilio carries +86 too, as before', () => {
    const tally = new PreviewTally(texts, new Map([['centre-a', '石门村儿童之家']]));
    tally.add({
      contactId: 'a',
      centreId: 'centre-a',
      language: 'zh-CN',
      address: { channel: 'sms', address: '+8613800000001' },
    });
    const preview = tally.result({ ...prices, domestic: { ...prices.domestic, provider: 'twilio' } });
    expect(preview.domestic).toBeUndefined();
    expect(preview.estimatedCost.amount).toBe(Math.round(preview.smsSegments * 0.0113 * 100) / 100);
  });
});
