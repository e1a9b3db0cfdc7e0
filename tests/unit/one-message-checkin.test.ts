// The one-message check-in: reading a reply of digits (fixed cases and generated ones), and the
// conversation it makes through the real engine.
import { describe, expect, it } from 'vitest';
import { runTurn, type TurnOutcome } from '#lib/domain/conversation-engine.ts';
import type { FlowStep } from '#lib/domain/flow-schema.ts';
import type { ContactView, Session } from '#lib/domain/model.ts';
import {
  exampleDigits,
  nextStepStreak,
  ONE_MESSAGE_ITEMS,
  ONE_MESSAGE_OFFER_WEEKS,
  oneMessageQuestion,
  readOneMessageReply,
} from '#lib/domain/one-message-checkin.ts';
import { renderMainlandSms } from '#lib/domain/sms-templates.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { invitationText } from '#lib/domain/weekly-messages.ts';
import { grandmother, hoursAfter, WEDNESDAY, WEEK, XIAOHONG, XIAOMING } from '#tests/unit/fixtures.ts';

/** The values a step accepts, read from its answer spec (not from the code under test). */
function accepted(step: FlowStep): number[] {
  const spec = step.answer;
  if (spec.type === 'number') return Array.from({ length: spec.max - spec.min + 1 }, (_, i) => spec.min + i);
  if (spec.type === 'choice') return spec.options.map((o) => o.value);
  return [];
}

/** A small seeded generator, so that a failing case is the same on every run. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T,
  };
}

const FULL_WIDTH = '０１２３４５６７８９';
const CHINESE = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const SEPARATORS = ['', ' ', '  ', ',', '，', '、', '.', '-', '　'];

/** A digit as a person might type it: ASCII, full width, or a Chinese numeral. */
function typed(digit: number, form: number): string {
  if (form === 0) return String(digit);
  if (form === 1) return FULL_WIDTH[digit] as string;
  return CHINESE[digit] as string;
}

describe('the one-message items', () => {
  it('are the leading numbered items of the weekly check-in, each answered by one digit, in flow order', () => {
    const leading: string[] = [];
    for (const step of weeklyCheckinFlow.steps) {
      const values = accepted(step);
      if (values.length === 0 || values.some((v) => v > 9)) break;
      leading.push(step.id);
    }
    expect(ONE_MESSAGE_ITEMS.map((s) => s.id)).toEqual(leading);
    expect(leading.length).toBeGreaterThanOrEqual(4);
  });

  it('are all named in the question, with every number each accepts', () => {
    for (const language of ['zh-CN', 'en'] as const) {
      const text = oneMessageQuestion(language);
      expect(text).toContain(String(ONE_MESSAGE_ITEMS.length));
      for (const step of ONE_MESSAGE_ITEMS) {
        const values = accepted(step);
        const spec = step.answer;
        if (spec.type === 'number') expect(text).toContain(`${spec.min}-${spec.max}`);
        else for (const v of values) expect(text).toContain(String(v));
      }
      expect(text).toContain(exampleDigits());
    }
  });

  it('the example in the question reads as every item answered', () => {
    const read = readOneMessageReply(ONE_MESSAGE_ITEMS, exampleDigits());
    expect(read.unclearAt).toBeUndefined();
    expect(read.values).toHaveLength(ONE_MESSAGE_ITEMS.length);
  });
});

describe('readOneMessageReply', () => {
  const n = ONE_MESSAGE_ITEMS.length;

  it.each([
    ['51211', [5, 1, 2, 1, 1]],
    ['5 1 2 1 1', [5, 1, 2, 1, 1]],
    ['５１２１１', [5, 1, 2, 1, 1]],
    ['五一二一一', [5, 1, 2, 1, 1]],
    ['5，1、2 1.1。', [5, 1, 2, 1, 1]],
    ['5天 1 2 1 1', [5, 1, 2, 1, 1]],
    ['０ 四 4-3 2', [0, 4, 4, 3, 2]],
    ['7两1一1', [7, 2, 1, 1, 1]],
  ])('reads %j as every item', (text, values) => {
    expect(readOneMessageReply(ONE_MESSAGE_ITEMS, text)).toEqual({
      values,
      unclearAt: undefined,
      raw: text.trim(),
    });
  });

  it.each([
    ['5 1 2', [5, 1, 2], 3],
    ['5 1 9 1 1', [5, 1], 2],
    ['8 1 2 1 1', [], 0],
    ['5 1 不知道 1 1', [5, 1], 2],
    ['孩子很好', [], 0],
    ['5 1 2 1 1 1', [], 0],
    ['512111', [], 0],
    ['5 十 2 1 1', [5], 1],
    ['', [], 0],
  ])('reads %j up to the first unclear item', (text, values, unclearAt) => {
    const read = readOneMessageReply(ONE_MESSAGE_ITEMS, text);
    expect(read.values).toEqual(values);
    expect(read.unclearAt).toBe(unclearAt);
  });

  it('reads any valid week, typed in any width, numerals and separators, as exactly those answers', () => {
    const g = generator(20261205);
    for (let run = 0; run < 500; run++) {
      const values = ONE_MESSAGE_ITEMS.map((s) => g.pick(accepted(s)));
      const text = values.map((v) => typed(v, g.int(3))).join(g.pick(SEPARATORS));
      const read = readOneMessageReply(ONE_MESSAGE_ITEMS, ` ${text}${g.pick(['', '。', '!', ' '])}`);
      expect(read, text).toMatchObject({ values, unclearAt: undefined });
    }
  });

  it('keeps exactly the items before a digit out of range, a word, or the end of a short reply', () => {
    const g = generator(7);
    for (let run = 0; run < 500; run++) {
      const values = ONE_MESSAGE_ITEMS.map((s) => g.pick(accepted(s)));
      const at = g.int(n);
      const step = ONE_MESSAGE_ITEMS[at] as FlowStep;
      const outOfRange = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => !accepted(step).includes(d));
      const spoil = g.int(3);
      const parts = values.map((v) => typed(v, g.int(3)));
      if (spoil === 0 && outOfRange.length > 0) parts[at] = String(g.pick(outOfRange));
      else if (spoil === 1) parts[at] = g.pick(['不知道', 'x', '好', 'ok']);
      else parts.splice(at);
      const text = parts.join(' ');
      const read = readOneMessageReply(ONE_MESSAGE_ITEMS, text);
      expect(read.unclearAt, text).toBe(at);
      expect(read.values, text).toEqual(values.slice(0, at));
    }
  });

  it('keeps nothing from a reply with more digits than items (a doubled key shifts every answer)', () => {
    const g = generator(99);
    for (let run = 0; run < 200; run++) {
      const digits = Array.from({ length: n + 1 + g.int(4) }, () => g.int(3) + 1);
      expect(readOneMessageReply(ONE_MESSAGE_ITEMS, digits.join(g.pick(SEPARATORS)))).toMatchObject({
        values: [],
        unclearAt: 0,
      });
    }
  });
});

describe('the streak of weeks answered step by step', () => {
  it('counts weeks in a row, once per week, and starts over after a gap', () => {
    expect(nextStepStreak({}, '2026-W48')).toEqual({ stepStreak: 1, stepStreakWeek: '2026-W48' });
    expect(nextStepStreak({ stepStreak: 1, stepStreakWeek: '2026-W48' }, '2026-W48').stepStreak).toBe(1);
    expect(nextStepStreak({ stepStreak: 2, stepStreakWeek: '2026-W52' }, '2026-W53').stepStreak).toBe(3);
    expect(nextStepStreak({ stepStreak: 2, stepStreakWeek: '2026-W53' }, '2027-W01').stepStreak).toBe(3);
    expect(nextStepStreak({ stepStreak: 5, stepStreakWeek: '2026-W46' }, '2026-W48').stepStreak).toBe(1);
  });
});

/** Plays texts through the real engine, carrying the session and contact changes along. */
function play(contact: ContactView, texts: readonly string[], session?: Session) {
  let current = contact;
  let open = session;
  const outcomes: TurnOutcome[] = [];
  texts.forEach((text, i) => {
    const outcome = runTurn({
      text,
      now: hoursAfter(WEDNESDAY, i / 60),
      contact: current,
      session: open,
      sessionTtlHours: 48,
    });
    outcomes.push(outcome);
    open = outcome.session ?? undefined;
    current = { ...current, ...outcome.contactChanges };
  });
  return {
    outcomes,
    contact: current,
    session: open,
    answers: outcomes.flatMap((o) => o.answers),
    completed: outcomes.flatMap((o) => o.completed),
    alerts: outcomes.flatMap((o) => o.alerts),
  };
}

const valuesOf = (answers: TurnOutcome['answers'], childId: string) =>
  Object.fromEntries(
    answers.filter((a) => a.childId === childId).map((a) => [a.itemId, a.value ?? a.status]),
  );

describe('a one-message check-in through the engine', () => {
  const carer = () => grandmother({ checkinForm: 'one-message' });

  it('asks each child in one message, keeps every answer, then the free text once for both children', () => {
    const run = play(carer(), ['签到', '51211', '３ ４ ２ １ 一', '小红想妈妈了']);
    const [start, first, second, last] = run.outcomes;
    expect(start?.replies[0]).toContain('小明');
    expect(start?.replies[0]?.endsWith(oneMessageQuestion('zh-CN'))).toBe(true);
    expect(first?.replies[0]).toContain('小红');
    expect(first?.replies[0]?.endsWith(oneMessageQuestion('zh-CN'))).toBe(true);
    expect(first?.completed.map((c) => c.childId)).toEqual([XIAOMING.childId]);
    expect(second?.completed.map((c) => c.childId)).toEqual([XIAOHONG.childId]);
    expect(second?.contactChanges.checkinDoneWeek).toBe(WEEK);
    expect(valuesOf(run.answers, XIAOMING.childId)).toEqual({
      attendance: 5,
      mood: 1,
      school: 2,
      health: 1,
      'parent-contact': 1,
      message: '小红想妈妈了',
    });
    expect(valuesOf(run.answers, XIAOHONG.childId)).toMatchObject({
      attendance: 3,
      mood: 4,
      school: 2,
      health: 1,
    });
    // mood 4 (very sad) alerts as it does step by step.
    expect(run.alerts.map((a) => [a.childId, a.itemId, a.reason])).toEqual([
      [XIAOHONG.childId, 'mood', 'answer'],
    ]);
    expect(last?.replies[0]).toContain('签到完成');
    expect(run.session).toBeUndefined();
    // Four messages to the carer for two children, against thirteen step by step.
    expect(run.outcomes.flatMap((o) => o.replies)).toHaveLength(4);
  });

  it('falls back to one question at a time from the first unclear item, keeping the clear ones', () => {
    const run = play(carer(), ['签到', '5 1 不知道', '2', '1', '1', '5 1 1 1 1', '0']);
    const unclear = run.outcomes[1];
    expect(unclear?.replies[0]).toContain('前2个已记下');
    expect(unclear?.session?.stepId).toBe('school');
    expect(valuesOf(run.answers, XIAOMING.childId)).toEqual({
      attendance: 5,
      mood: 1,
      school: 2,
      health: 1,
      'parent-contact': 1,
      message: 'skipped',
    });
    // After the fallback, the next child is asked in one message again.
    expect(run.outcomes[4]?.replies[0]?.endsWith(oneMessageQuestion('zh-CN'))).toBe(true);
    expect(valuesOf(run.answers, XIAOHONG.childId)).toMatchObject({
      attendance: 5,
      mood: 1,
      'parent-contact': 1,
    });
    expect(run.completed.map((c) => c.childId)).toEqual([XIAOMING.childId, XIAOHONG.childId]);
  });

  it('alerts on words of harm in an unclear reply, at the item it stopped on', () => {
    const run = play(carer(), ['签到', '5 小明在学校被打了']);
    expect(run.alerts).toEqual([
      expect.objectContaining({
        childId: XIAOMING.childId,
        itemId: 'mood',
        reason: 'words',
        value: '5 小明在学校被打了',
      }),
    ]);
    expect(run.outcomes[1]?.replies[0]).toContain('我们会告诉儿童之家');
  });

  it('keywords still work inside it, and the open question comes back as one message', () => {
    const run = play(carer(), ['签到', '帮助', 'TD']);
    expect(run.outcomes[1]?.replies[0]?.endsWith(oneMessageQuestion('zh-CN'))).toBe(true);
    expect(run.outcomes[2]?.contactChanges.optedOut).toBe(true);
  });

  it('一条 and 逐条 (ONE TEXT / STEPS) set the form for the next check-ins', () => {
    const chose = play(grandmother(), ['一条', '签到']);
    expect(chose.outcomes[0]?.contactChanges.checkinForm).toBe('one-message');
    expect(chose.outcomes[1]?.session?.form).toBe('one-message');
    const back = play(carer(), ['steps', '签到']);
    expect(back.outcomes[0]?.contactChanges.checkinForm).toBe('steps');
    expect(back.outcomes[1]?.session?.form).toBeUndefined();
    expect(back.outcomes[1]?.replies[0]).toContain('去了儿童之家几天');
  });

  it('an answer of 一次 to "how many days" is the number 1, not a keyword', () => {
    const run = play(grandmother(), ['签到', '一次']);
    expect(run.answers[0]).toMatchObject({ itemId: 'attendance', value: 1 });
    expect(run.outcomes[1]?.contactChanges.checkinForm).toBeUndefined();
  });

  it(`is offered once, after ${ONE_MESSAGE_OFFER_WEEKS} weeks in a row answered step by step`, () => {
    const week = ['签到', '5', '1', '1', '1', '1', '0', '5', '1', '1', '1', '1', '0'];
    const offered = (streak: number, extra: Partial<ContactView> = {}) => {
      const before = grandmother({ stepStreak: streak, stepStreakWeek: '2026-W47', ...extra });
      const run = play(before, week);
      const last = run.outcomes.at(-1);
      return { text: last?.replies[0] ?? '', changes: last?.contactChanges };
    };
    expect(offered(ONE_MESSAGE_OFFER_WEEKS - 2).text).not.toContain('一条');
    const now = offered(ONE_MESSAGE_OFFER_WEEKS - 1);
    expect(now.text).toContain('回复“一条”');
    expect(now.changes).toMatchObject({ stepStreak: ONE_MESSAGE_OFFER_WEEKS, oneMessageOffered: true });
    expect(offered(ONE_MESSAGE_OFFER_WEEKS - 1, { oneMessageOffered: true }).text).not.toContain('一条');
    expect(offered(ONE_MESSAGE_OFFER_WEEKS - 1, { checkinForm: 'steps' }).text).not.toContain('一条');
  });

  it('every message of it goes by the one-message template on the domestic channel, in both languages', () => {
    for (const language of ['zh-CN', 'en'] as const) {
      const run = play(grandmother({ language, checkinForm: 'one-message', stopHintWeek: undefined }), [
        '签到',
        '5 1 2 1 1',
      ]);
      for (const reply of run.outcomes.flatMap((o) => o.replies)) {
        const rendered = renderMainlandSms('reply', reply);
        expect(rendered.template.family, reply).toBe('ONEMSG');
        expect(rendered.text).toBe(reply);
      }
      const invitation = invitationText({
        language,
        carerName: '王奶奶',
        childName: '小明',
        firstQuestion: weeklyCheckinFlow.steps[0] as FlowStep,
        stopHint: true,
        oneMessage: true,
      });
      expect(renderMainlandSms('invitation', invitation).template.family).toBe('ONEMSG');
    }
  });
});
