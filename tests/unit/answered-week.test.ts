import { describe, expect, it } from 'vitest';
import { ANSWERED_WEEK_MESSAGES } from '#lib/domain/answered-week.ts';
import { runTurn, type TurnOutcome } from '#lib/domain/conversation-engine.ts';
import type { ContactView, Session } from '#lib/domain/model.ts';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';
import { grandmother, WEDNESDAY, WEEK, XIAOHONG, XIAOMING } from '#tests/unit/fixtures.ts';

/** Messages one minute apart, carrying the session and the contact's changes, as the store would. */
function converse(messages: string[], contact: ContactView = grandmother(), start: Date = WEDNESDAY) {
  let current: Session | undefined;
  let person = contact;
  const outcomes: TurnOutcome[] = [];
  messages.forEach((text, i) => {
    const outcome = runTurn({
      text,
      now: new Date(start.getTime() + i * 60_000),
      contact: person,
      session: current,
      sessionTtlHours: 48,
    });
    outcomes.push(outcome);
    current = outcome.session ?? undefined;
    person = { ...person, ...outcome.contactChanges };
  });
  return { outcomes, person, session: current, answers: outcomes.flatMap((o) => o.answers) };
}

const FIRST_RUN = ['签到', '3', '1', '1', '1', '1', '小明想爸爸', '2', '1', '1', '1', '1', '0'];
const zh = ANSWERED_WEEK_MESSAGES['zh-CN'];

describe('a second 签到 in a week already answered', () => {
  const first = converse(FIRST_RUN);

  it('the finished check-in marks the week done on the address', () => {
    expect(first.person.checkinDoneWeek).toBe(WEEK);
    expect(first.session).toBeUndefined();
  });

  it('asks first, in her language, and starts nothing', () => {
    const again = converse(['签到'], first.person, new Date(WEDNESDAY.getTime() + 3_600_000));
    expect(again.outcomes[0]?.replies[0]).toContain(zh.prompt);
    expect(again.answers).toEqual([]);
    const english = converse(['签到'], { ...first.person, language: 'en' });
    expect(english.outcomes[0]?.replies[0]).toContain(ANSWERED_WEEK_MESSAGES.en.prompt);
  });

  it('１ (full width) corrects: every item asked again, answers marked as a correction of their run', () => {
    const later = new Date(WEDNESDAY.getTime() + 3_600_000);
    const run = converse(['签到', '１', '4', '1', '1', '1', '1', '小明其实很开心'], first.person, later);
    expect(run.outcomes[1]?.replies[0]).toContain('小明');
    const corrected = run.answers.filter((a) => a.childId === XIAOMING.childId);
    expect(corrected).toHaveLength(6);
    for (const a of corrected) expect(a).toMatchObject({ correction: true, week: WEEK });
    expect(new Set(corrected.map((a) => a.run)).size).toBe(1);
    expect(corrected[0]?.run).not.toBe(first.answers[0]?.run);
    expect(corrected.find((a) => a.itemId === WEEKLY_CHECKIN_ITEMS.attendance)?.value).toBe(4);
  });

  it('2 adds a message for the Centre about the children, through the alert rules, and nothing else', () => {
    const run = converse(['签到', '2', '有人欺负小红，她不想活了'], first.person);
    expect(run.answers.map((a) => [a.childId, a.itemId, a.correction])).toEqual([
      [XIAOMING.childId, WEEKLY_CHECKIN_ITEMS.message, true],
      [XIAOHONG.childId, WEEKLY_CHECKIN_ITEMS.message, true],
    ]);
    expect(run.outcomes[2]?.alerts.length).toBeGreaterThan(0);
    // Its alerts are its own, not the first run's (which may already be acknowledged).
    for (const alert of run.outcomes[2]?.alerts ?? []) expect(alert.alertId).toContain(`#${WEEK}#message#`);
    expect(run.outcomes[2]?.completed).toEqual([]);
    expect(run.outcomes[2]?.replies[0]).toContain(zh.messageAdded);
    expect(run.session).toBeUndefined();
  });

  it('3 keeps everything; something else is asked again, then kept', () => {
    expect(converse(['签到', '3'], first.person).answers).toEqual([]);
    const unclear = converse(['签到', '好', '嗯', '啊'], first.person);
    expect(unclear.outcomes[1]?.replies[0]).toContain(zh.notUnderstood);
    expect(unclear.outcomes[3]?.replies[0]).toContain(zh.kept);
    expect(unclear.answers).toEqual([]);
    expect(unclear.session).toBeUndefined();
  });

  it('a new week is a new check-in, no question asked', () => {
    const nextWeek = new Date(WEDNESDAY.getTime() + 7 * 86_400_000);
    const run = converse(['签到'], first.person, nextWeek);
    expect(run.outcomes[0]?.replies[0]).not.toContain(zh.prompt);
    expect(run.session?.mode).toBeUndefined();
  });
});
