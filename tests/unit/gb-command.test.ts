import { describe, expect, it } from 'vitest';
import {
  BROADCAST_CONFIRM_FLOW_ID,
  type BroadcastCommands,
  broadcastBySms,
  broadcastIdFor,
  confirmSession,
  maskGbPin,
  parseBroadcastCommand,
  smsBroadcastTarget,
} from '#lib/broadcasts/gb-command.ts';
import type { GbPinCheck, PinVerdict } from '#lib/broadcasts/gb-pin-guard.ts';
import { ConflictError } from '#lib/errors.ts';
import { createLogger } from '#lib/observability/logger.ts';
import type { StoredBroadcast } from '#lib/store/broadcasts/broadcast-repository.ts';
import { grandmother } from '#tests/unit/fixtures.ts';

describe('parseBroadcastCommand', () => {
  it.each([
    ['GB 周六活动取消', '周六活动取消'],
    ['gb hello all', 'hello all'],
    ['Gb: hello', 'hello'],
    ['ＧＢ　周六活动取消', '周六活动取消'],
    ['ｇｂ：周六活动取消', '周六活动取消'],
    ['GB：明天放假，请注意。', '明天放假，请注意。'],
    ['群发 明天放假', '明天放假'],
    ['群发明天放假', '明天放假'],
    ['群发：明天放假', '明天放假'],
    ['  GB line one\nline two  ', 'line one\nline two'],
    ['GB明天放假', '明天放假'],
  ])('%j composes %j, kept as written', (text, expected) => {
    expect(parseBroadcastCommand(text)).toEqual({ kind: 'compose', text: expected });
  });

  it.each(['GB', 'gb', 'ＧＢ', ' 群发 ', 'GB:', '群发：'])('%j alone asks how to use it', (text) => {
    expect(parseBroadcastCommand(text)).toEqual({ kind: 'usage' });
  });

  it.each(['YES', 'yes', 'Y', 'ｙｅｓ', ' Yes! ', '是', '是。', '确定', '好'])('%j is yes', (text) => {
    expect(parseBroadcastCommand(text)).toEqual({ kind: 'yes' });
  });

  it.each(['NO', 'no', 'N', 'ＮＯ', '否', '取消', ' 否。'])('%j is no', (text) => {
    expect(parseBroadcastCommand(text)).toEqual({ kind: 'no' });
  });

  it.each([
    'gbye',
    'GBP 5',
    'hello GB',
    '是不是',
    'yes please',
    'STOP',
    'cancel',
    '退订',
    'HELP',
    '1',
    '',
    'OK',
    '确认',
  ])('%j is not a broadcast command', (text) => {
    expect(parseBroadcastCommand(text)).toBeUndefined();
  });
});

describe('the broadcast a GB message composes', () => {
  it('has an id from the message, the same on a redelivery, valid for the API', () => {
    const id = broadcastIdFor({ channel: 'sms', messageId: 'SM0123456789abcdef' });
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(broadcastIdFor({ channel: 'sms', messageId: 'SM0123456789abcdef' })).toBe(id);
    expect(broadcastIdFor({ channel: 'sms', messageId: 'SM0123456789abcdeg' })).not.toBe(id);
    expect(broadcastIdFor({ channel: 'wechat', messageId: 'SM0123456789abcdef' })).not.toBe(id);
  });

  it("targets every carer and parent of the coordinator's Centre, with the text in every language", () => {
    expect(smsBroadcastTarget({ centreId: 'centre-shimen' }, '明天放假')).toEqual({
      target: { centreIds: ['centre-shimen'], roles: ['carer', 'parent'], categories: [], languages: [] },
      texts: { 'zh-CN': '明天放假', en: '明天放假' },
    });
  });

  it('waits 10 minutes for YES in a session of its own', () => {
    const s = confirmSession('sms-abc12345', new Date('2026-12-05T10:00:00Z'));
    expect(s).toMatchObject({
      flowId: BROADCAST_CONFIRM_FLOW_ID,
      broadcastId: 'sms-abc12345',
      expiresAt: '2026-12-05T10:10:00.000Z',
    });
  });
});

/** A PIN check that answers the verdict given, recording what it was asked. */
function pinCheck(verdict: PinVerdict, asked: string[] = []): GbPinCheck {
  return {
    check: async (_contact, pin) => {
      asked.push(pin);
      return verdict;
    },
  };
}
const rightPin = pinCheck({ kind: 'ok' });

describe('YES when the draft was approved meanwhile', () => {
  const now = new Date('2026-12-05T10:00:00Z');
  const stored = (status: StoredBroadcast['status']) =>
    ({ broadcastId: 'sms-abc12345', status, preview: { recipients: 6 } }) as unknown as StoredBroadcast;
  const logger = createLogger('test');
  logger.setLogLevel('SILENT');
  const coordinator = grandmother({ role: 'coordinator', contactId: 'contact-wang' });
  const yes = (status: StoredBroadcast['status']) => {
    const service = {
      approve: () => Promise.reject(new ConflictError('only a draft can be approved')),
      get: () => Promise.resolve(stored(status)),
    } as unknown as BroadcastCommands;
    return broadcastBySms(
      {
        inbound: { channel: 'sms', messageId: 'SMyes', body: '是' },
        contact: coordinator,
        session: confirmSession('sms-abc12345', now),
        now: new Date(now.getTime() + 60_000),
      },
      service,
      rightPin,
      logger,
    );
  };

  it('answers as approved when a concurrent duplicate approved it first', async () => {
    const turn = await yes('scheduled');
    expect(turn).toMatchObject({ kind: 'handled', outcome: { session: null } });
    expect(turn.kind === 'handled' && turn.outcome.replies).toEqual(['【连心】已确认，几分钟内发给6人。']);
  });

  it('says cancelled when it was cancelled meanwhile', async () => {
    const turn = await yes('cancelled');
    expect(turn.kind === 'handled' && turn.outcome.replies).toEqual(['【连心】群发已取消，不会发送。']);
  });
});

describe('a message that moves on while a draft waits', () => {
  const now = new Date('2026-12-05T10:00:00Z');
  const logger = createLogger('test');
  logger.setLogLevel('SILENT');
  const coordinator = grandmother({ role: 'coordinator', contactId: 'contact-wang' });

  it('drops only a draft: a broadcast a concurrent YES approved meanwhile is never cancelled', async () => {
    const calls: string[] = [];
    const service = {
      // The YES won the race: no longer a draft.
      discard: (id: string) => {
        calls.push(`discard ${id}`);
        return Promise.resolve(false);
      },
      cancel: (id: string) => {
        calls.push(`cancel ${id}`);
        return Promise.reject(new Error('must not cancel an approved broadcast'));
      },
    } as unknown as BroadcastCommands;
    const turn = await broadcastBySms(
      {
        inbound: { channel: 'sms', messageId: 'SMthanks', body: '谢谢' },
        contact: coordinator,
        session: confirmSession('sms-abc12345', now),
        now: new Date(now.getTime() + 30_000),
      },
      service,
      rightPin,
      logger,
    );
    expect(turn).toEqual({ kind: 'engine', session: undefined });
    expect(calls).toEqual(['discard sms-abc12345']);
  });
});

describe('the preview by text', () => {
  it('gives the cost as a range when WeChat recipients may have to get it by SMS', async () => {
    const logger = createLogger('test');
    logger.setLogLevel('SILENT');
    const preview = {
      recipients: 3,
      smsSegments: 2,
      estimatedCost: { amount: 0.02, upTo: 0.03, currency: 'USD' },
      languages: [{ language: 'zh-CN', segments: 1, sample: '【连心】石门村儿童之家：周六停水。回复TD退订' }],
    };
    const service = {
      compose: () => Promise.resolve({ broadcastId: 'sms-x', status: 'draft', preview }),
    } as unknown as BroadcastCommands;
    const turn = await broadcastBySms(
      {
        inbound: { channel: 'sms', messageId: 'SMgb', body: 'GB 4821 周六停水。' },
        contact: grandmother({ role: 'coordinator', contactId: 'contact-wang' }),
        session: undefined,
        now: new Date('2026-12-05T02:00:00Z'),
      },
      service,
      rightPin,
      logger,
    );
    expect(turn.kind === 'handled' && turn.outcome.replies[0]).toContain('共2段，约0.02–0.03 USD');
  });
});

describe('GB needs the PIN', () => {
  const logger = createLogger('test');
  logger.setLogLevel('SILENT');
  const coordinator = grandmother({ role: 'coordinator', contactId: 'contact-wang', centrePhone: '0731-1' });
  const composed: string[] = [];
  const service = {
    compose: (request: { texts: Record<string, string> }) => {
      composed.push(request.texts['zh-CN'] ?? '');
      return Promise.reject(new Error('must not compose'));
    },
  } as unknown as BroadcastCommands;
  const gb = (body: string, pins: GbPinCheck) =>
    broadcastBySms(
      {
        inbound: { channel: 'sms', messageId: `SM${body.length}`, body },
        contact: coordinator,
        session: undefined,
        now: new Date('2026-12-05T02:00:00Z'),
      },
      service,
      pins,
      logger,
    );
  const replyOf = (turn: Awaited<ReturnType<typeof gb>>) =>
    turn.kind === 'handled' ? turn.outcome.replies[0] : '';

  it.each<[string, PinVerdict, RegExp]>([
    ['GB 明天开会', { kind: 'ok' }, /没有发送。群发要先写您的群发密码：GB 密码 内容/],
    ['GB 9999 明天开会', { kind: 'wrong', left: 2 }, /群发密码不对，没有发送。再错2次将锁定群发/],
    ['GB 9999 明天开会', { kind: 'locked' }, /群发已锁定.*0731-1/],
    ['GB 4821 明天开会', { kind: 'not-set' }, /您还没有群发密码.*0731-1/],
  ])('%j with the PIN %j sends nothing and says why', async (body, verdict, reply) => {
    const asked: string[] = [];
    expect(replyOf(await gb(body, pinCheck(verdict, asked)))).toMatch(reply);
    expect(composed).toEqual([]);
    // Without digits in front there is no PIN to check.
    expect(asked).toEqual(body === 'GB 明天开会' ? [] : [body.split(' ')[1]]);
  });

  it('reads a full-width PIN, and a PIN with no message asks how to use GB', async () => {
    const asked: string[] = [];
    await gb('ＧＢ　４８２１　明天开会', pinCheck({ kind: 'wrong', left: 1 }, asked));
    expect(asked).toEqual(['4821']);
    expect(replyOf(await gb('GB 4821', pinCheck({ kind: 'ok' })))).toContain('GB 4821 周六活动取消');
  });
});

describe('maskGbPin', () => {
  it.each([
    ['GB 4821 明天开会', 'GB **** 明天开会'],
    ['ＧＢ　４８２１　明天开会', 'ＧＢ　****　明天开会'],
    ['群发 482193：明天', '群发 ****：明天'],
    ['GB 4821', 'GB ****'],
    ['GB 明天3点开会', 'GB 明天3点开会'],
    ['收到 A7', '收到 A7'],
    ['签到', '签到'],
  ])('%j is kept as %j', (text, kept) => {
    expect(maskGbPin(text)).toBe(kept);
  });
});
