import { describe, expect, it } from 'vitest';
import { runTurn, type TurnOutcome } from '#lib/domain/conversation-engine.ts';
import type { ContactView, Session } from '#lib/domain/model.ts';
import {
  grandmother,
  hoursAfter,
  parent,
  WEDNESDAY,
  WEEK,
  XIAOHONG,
  XIAOMING,
} from '#tests/unit/fixtures.ts';

/** A father of two: hears about 小明 and 小红. */
const father = (overrides: Partial<ContactView> = {}) =>
  parent({ children: [{ ...XIAOMING }, { ...XIAOHONG }], ...overrides });

/** The session the scheduler opens with the parent's weekly question. */
const asked = (overrides: Partial<Session> = {}): Session => ({
  flowId: 'parent-weekly',
  flowVersion: 1,
  week: WEEK,
  childIndex: 0,
  stepId: 'talked',
  attempts: 0,
  startedAt: WEDNESDAY.toISOString(),
  expiresAt: hoursAfter(WEDNESDAY, 48).toISOString(),
  ...overrides,
});

function turn(text: string, contact: ContactView, session?: Session, now = WEDNESDAY): TurnOutcome {
  const outcome = runTurn({ text, now, contact, session, sessionTtlHours: 48 });
  for (const reply of outcome.replies) expect(reply.startsWith('【连心】')).toBe(true);
  // Nothing a parent says is ever a check-in answer.
  expect(outcome.answers).toEqual([]);
  expect(outcome.completed).toEqual([]);
  return outcome;
}

describe("a parent's weekly question", () => {
  it.each([
    ['1', true],
    ['是', true],
    ['通话了', true],
    ['２', false],
    ['还没有', false],
    ['no', false],
  ])('"%s" is recorded as talked=%s, then the parent may leave a message', (text, talked) => {
    const outcome = turn(text, father(), asked());
    expect(outcome.parentAnswers).toEqual([
      { contactId: 'contact-wang-baba', week: WEEK, talked, answeredAt: WEDNESDAY.toISOString() },
    ]);
    expect(outcome.session).toMatchObject({ flowId: 'parent-weekly', stepId: 'message', week: WEEK });
    expect(outcome.replies[0]).toContain(talked ? '太好了' : '周末记得给小明、小红打个电话');
    expect(outcome.childMessages).toEqual([]);
  });

  it('takes a message where an answer was expected: the parent wants to say something', () => {
    const outcome = turn('告诉小明要听奶奶的话', father(), asked());
    expect(outcome.parentAnswers).toEqual([]);
    expect(outcome.childMessages).toEqual([
      {
        centreId: 'centre-shimen',
        fromContactId: 'contact-wang-baba',
        fromName: '王爸爸',
        children: [XIAOMING],
        text: '告诉小明要听奶奶的话',
        truncated: false,
        week: WEEK,
        receivedAt: WEDNESDAY.toISOString(),
      },
    ]);
    expect(outcome.replies).toEqual(['【连心】收到，我们会把您的话转告小明。']);
  });

  it('re-asks a number it cannot use, twice, then lets it go', () => {
    const first = turn('3', father(), asked());
    expect(first.replies).toEqual([
      '【连心】抱歉，没看懂。请回复1或2。这周您和小明、小红通话了吗？回复1通话了，2还没有',
    ]);
    expect(first.session?.attempts).toBe(1);
    const last = turn('3', father(), asked({ attempts: 2 }));
    expect(last.replies).toEqual(['【连心】没关系，先跳过这题。']);
    expect(last.session).toBeNull();
  });

  it('answers a thank-you kindly and keeps the question open', () => {
    const outcome = turn('谢谢！', father(), asked());
    expect(outcome.replies).toEqual(['【连心】不客气！想给孩子留言，直接回复文字就行。']);
    expect(outcome.session).toMatchObject({ stepId: 'talked' });
    expect(outcome.childMessages).toEqual([]);
  });
});

describe('a message for the child', () => {
  it('is kept for every child the parent has when it names none, and acknowledged once', () => {
    const open = asked({ stepId: 'message' });
    const outcome = turn('爸爸过年就回来了，要好好学习', father(), open);
    expect(outcome.childMessages.map((m) => m.children.map((c) => c.name))).toEqual([['小明', '小红']]);
    expect(outcome.replies).toEqual(['【连心】收到，我们会把您的话转告小明、小红。']);
    // The next lines a phone sends are kept too, without another acknowledgement.
    const next = turn('记得穿暖和', father(), outcome.session ?? undefined, hoursAfter(WEDNESDAY, 0.05));
    expect(next.childMessages.map((m) => m.text)).toEqual(['记得穿暖和']);
    expect(next.replies).toEqual([]);
    // After a pause, a new message is acknowledged again.
    const later = turn('小红生日快乐', father(), next.session ?? undefined, hoursAfter(WEDNESDAY, 2));
    expect(later.replies).toEqual(['【连心】收到，我们会把您的话转告小红。']);
    expect(later.childMessages[0]?.children).toEqual([XIAOHONG]);
  });

  it('comes with no session at all: free text from a parent is a message', () => {
    const outcome = turn('小明生日快乐！爸爸想你', father(), undefined);
    expect(outcome.childMessages).toHaveLength(1);
    expect(outcome.childMessages[0]).toMatchObject({ text: '小明生日快乐！爸爸想你', week: WEEK });
    expect(outcome.session).toMatchObject({ flowId: 'parent-weekly', stepId: 'more' });
  });

  it('is kept verbatim up to 500 characters, longer marked truncated', () => {
    const long = '想你'.repeat(300);
    const outcome = turn(long, father(), asked({ stepId: 'message' }));
    expect(Array.from(outcome.childMessages[0]?.text ?? '')).toHaveLength(500);
    expect(outcome.childMessages[0]?.truncated).toBe(true);
  });

  it('skipping the message ends the session politely', () => {
    const outcome = turn('0', father(), asked({ stepId: 'message' }));
    expect(outcome).toMatchObject({ replies: ['【连心】好的，谢谢您！'], session: null, childMessages: [] });
  });

  it('keywords still win: STOP from a parent stops, and stores no message', () => {
    const outcome = turn('退订', father(), asked({ stepId: 'message' }));
    expect(outcome.contactChanges).toEqual({ optedOut: true });
    expect(outcome.childMessages).toEqual([]);
  });

  it('an opted-out parent is silent and nothing is kept', () => {
    const outcome = turn('小明好吗', father({ optedOut: true }), undefined);
    expect(outcome).toMatchObject({ replies: [], childMessages: [] });
  });

  it('is in English for an English-speaking parent', () => {
    const outcome = turn(
      'Happy birthday Lele!',
      parent({ language: 'en', children: [{ ...XIAOMING, name: 'Lele' }] }),
    );
    expect(outcome.replies).toEqual(['【连心】Thank you. We will pass your message on to Lele.']);
  });
});

describe('roles stay apart', () => {
  it("a carer's free text with no session is not a message for the child", () => {
    const outcome = turn('小明很好', grandmother());
    expect(outcome.childMessages).toEqual([]);
    expect(outcome.replies).toEqual(['【连心】您好！回复“签到”做本周签到。']);
  });

  it("a parent's session is no session for a carer, and a carer's none for a parent", () => {
    expect(turn('1', grandmother(), asked()).replies).toEqual(['【连心】您好！回复“签到”做本周签到。']);
    const carerSession = asked({ flowId: 'weekly-checkin', stepId: 'attendance' });
    expect(turn('3', father(), carerSession).replies).toEqual(['【连心】您好！回复“帮助”查看说明。']);
  });
});
