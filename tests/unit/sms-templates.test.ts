import { describe, expect, it } from 'vitest';
import { alertMessage, escalationMessage } from '#lib/domain/alert-message.ts';
import { broadcastBody, MAX_BROADCAST_TEXT } from '#lib/domain/broadcast.ts';
import { runTurn } from '#lib/domain/conversation-engine.ts';
import { MESSAGES, unregisteredText } from '#lib/domain/message-catalog.ts';
import { type ContactView, LANGUAGES, type Language, type Session } from '#lib/domain/model.ts';
import { oneMessageQuestion } from '#lib/domain/one-message-checkin.ts';
import { OUTBOUND_KINDS, type OutboundKind } from '#lib/domain/outbound-message.ts';
import { composeDigest } from '#lib/domain/parent-digest.ts';
import {
  billedSegments,
  charCount,
  isMainlandMobile,
  MAX_MESSAGE_CHARS,
  MAX_VARIABLE_CHARS,
  mainlandSmsRefusal,
  providerTemplateText,
  renderMainlandSms,
  SIGNATURE,
  SMS_TEMPLATES,
} from '#lib/domain/sms-templates.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { invitationText, nudgeText, reminderText } from '#lib/domain/weekly-messages.ts';
import { ValidationError } from '#lib/errors.ts';
import { grandmother, parent, WEDNESDAY, WEEK, XIAOMING } from '#tests/unit/fixtures.ts';

/** Every reply a whole conversation produces, by running the real engine (both languages). */
function conversationReplies(language: Language): string[] {
  const scripts = [
    ['签到', '3', '1', '1', '1', '1', '0', '５天', '二', '1', '1', '没有', '小红想妈妈了'],
    ['签到', '9', '9', '9', 'x', 'x', 'x', '帮助', 'TD', '订阅', '订阅', 'English', '中文', '你好'],
    // The one-message check-in: clear, unclear from the third item, the free text, the form keywords.
    ['一条', '签到', '51211', '5 1 不知道', '2', '1', '1', '小红想妈妈了', '逐条'],
  ];
  const replies: string[] = [];
  const oneMessage = grandmother({ language, checkinForm: 'one-message', stopHintWeek: undefined });
  for (const who of [grandmother({ language }), oneMessage, parent({ language })]) {
    for (const script of scripts) {
      let session: Session | undefined;
      let contact: ContactView = who;
      script.forEach((text, i) => {
        const outcome = runTurn({
          text,
          now: new Date(WEDNESDAY.getTime() + i * 60_000),
          contact,
          session,
          sessionTtlHours: 48,
        });
        replies.push(...outcome.replies);
        session = outcome.session ?? undefined;
        contact = { ...contact, ...outcome.contactChanges };
      });
    }
  }
  return replies;
}

const centre = { centreName: '石门村儿童之家', centrePhone: '0731-8888 1234' };

/** A body of every kind lianxin sends, in each language, from the real builders. */
function bodiesByKind(language: Language): Record<OutboundKind, string[]> {
  const carer = grandmother({ language });
  const firstQuestion = weeklyCheckinFlow.steps[0];
  if (!firstQuestion) throw new Error('the weekly flow has no step');
  const alert = {
    alertId: 'a1',
    centreId: carer.centreId,
    childId: XIAOMING.childId,
    familyId: XIAOMING.familyId,
    week: WEEK,
    itemId: 'mood',
    reason: 'answer' as const,
    value: 4,
    raisedAt: WEDNESDAY.toISOString(),
  };
  const m = MESSAGES[language];
  return {
    reply: [
      ...conversationReplies(language),
      unregisteredText(),
      m.optedOut,
      m.help(centre, { carer: true, optedOut: false }),
    ],
    acknowledgement: [m.checkinDone, m.optedIn],
    invitation: [
      invitationText({ language, carerName: '王奶奶', childName: '小明', firstQuestion, stopHint: true }),
      invitationText({
        language,
        carerName: '王奶奶',
        childName: '小明',
        firstQuestion,
        stopHint: true,
        oneMessage: true,
      }),
    ],
    reminder: [
      reminderText({ language, openQuestion: undefined }),
      reminderText({ language, openQuestion: oneMessageQuestion(language) }),
      reminderText({ language, openQuestion: '小明这周心情怎么样？1很开心 2还好 3不太好 4很难过' }),
    ],
    nudge: [nudgeText(language, ['小明', '小红'])],
    digest: [
      composeDigest({
        language,
        childName: '小明',
        checkin: { answers: { attendance: 5, mood: 1, school: 1, health: 1 } },
        consent: { attendance: true, mood: true, school: true, health: true },
        activities: [
          { date: '2026-11-28', title: '手工课' },
          { date: '2026-11-29', title: '读书会' },
        ],
        stopHint: true,
      }),
    ],
    alert: [alertMessage(alert, carer, language), escalationMessage(alert, carer, language)],
    task: [escalationMessage(alert, carer, language)],
    broadcast: [
      broadcastBody('周六儿童之家停课一天。', centre.centreName, language),
      broadcastBody('通'.repeat(MAX_BROADCAST_TEXT), centre.centreName, language),
    ],
  };
}

describe('the mainland template catalogue', () => {
  it('registers the one-message question as a fixed text in both languages, and its messages fit', () => {
    for (const language of LANGUAGES) {
      const family = SMS_TEMPLATES.filter((t) => t.family === 'ONEMSG' && t.language === language);
      expect(family.length).toBeGreaterThan(0);
      for (const t of family) expect(t.suffix.trim()).toBe(oneMessageQuestion(language));
      // The longest head a conversation gives it (a greeting, the intro, the stop hint) fits its variables.
      const body = invitationText({
        language,
        carerName: '欧阳'.repeat(8),
        childName: '欧阳'.repeat(8),
        firstQuestion: weeklyCheckinFlow.steps[0] as (typeof weeklyCheckinFlow.steps)[number],
        stopHint: true,
        oneMessage: true,
      });
      const r = renderMainlandSms('invitation', body);
      expect(r.template.family).toBe('ONEMSG');
      expect(r.chars).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    }
  });

  it.each(OUTBOUND_KINDS.flatMap((kind) => LANGUAGES.map((language) => [kind, language] as const)))(
    'has templates for %s in %s',
    (kind, language) => {
      expect(SMS_TEMPLATES.some((t) => t.kinds.includes(kind) && t.language === language)).toBe(true);
    },
  );

  it('registers templates the providers accept: named variables, fixed text, at most 500 characters filled', () => {
    const ids = new Set<string>();
    for (const t of SMS_TEMPLATES) {
      expect(ids.has(t.id), t.id).toBe(false);
      ids.add(t.id);
      // Not only variables: the reviewer must see what it is for.
      expect(t.suffix.trim().length, t.id).toBeGreaterThan(0);
      for (const v of t.variables) expect(v).toMatch(/^[a-z][a-z0-9_]{0,24}$/);
      const placeholders = [...t.text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
      expect(placeholders).toEqual(t.variables);
      const fullest = charCount(SIGNATURE) + t.variables.length * MAX_VARIABLE_CHARS + charCount(t.suffix);
      expect(fullest, t.id).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    }
  });
});

describe('renderMainlandSms: every kind of message through its template', () => {
  for (const language of LANGUAGES) {
    const bodies = bodiesByKind(language);
    for (const kind of OUTBOUND_KINDS) {
      it(`${kind} (${language}): each fits its template, nothing lost`, () => {
        expect(bodies[kind].length).toBeGreaterThan(0);
        for (const body of bodies[kind]) {
          const r = renderMainlandSms(kind, body);
          expect(r.template.kinds).toContain(kind);
          const values = r.template.variables.map((v) => r.params[v] ?? '');
          for (const value of values) {
            expect(value.length, body).toBeGreaterThan(0);
            expect(charCount(value), body).toBeLessThanOrEqual(MAX_VARIABLE_CHARS);
          }
          // The phone shows the signature, the whole composed text, then the template's fixed text.
          const content = body.startsWith(SIGNATURE) ? body.slice(SIGNATURE.length) : body;
          // A fixed-ending template's fixed text is the end of the composed text itself.
          const fixed = r.template.fixedEnding ? '' : r.template.suffix;
          expect(r.text).toBe(`${SIGNATURE}${content.trim()}${fixed}`);
          if (r.template.fixedEnding) expect(content.trim().endsWith(r.template.suffix)).toBe(true);
          expect(r.chars).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
          expect(r.segments).toBe(billedSegments(charCount(r.text)));
        }
      });
    }
  }

  it('bills 70 characters as one message and 67 per part beyond', () => {
    expect([1, 70, 71, 134, 135, 500].map(billedSegments)).toEqual([1, 1, 2, 2, 3, 8]);
    const short = renderMainlandSms('reply', '【连心】好的。');
    expect(short.text).toBe('【连心】好的。（短信回复）');
    expect(short.segments).toBe(1);
  });

  it('takes the fewest variables that hold the text', () => {
    expect(renderMainlandSms('reply', `【连心】${'好'.repeat(35)}`).template.id).toBe('LX_REPLY_ZH_1');
    expect(renderMainlandSms('reply', `【连心】${'好'.repeat(36)}`).template.id).toBe('LX_REPLY_ZH_2');
    expect(renderMainlandSms('broadcast', `【连心】${'通'.repeat(300)}`).template.id).toBe('LX_NOTICE_ZH_13');
  });

  it('refuses, with the reason, what no template can carry, before anything is sent', () => {
    const tooLong = `【连心】${'通'.repeat(13 * MAX_VARIABLE_CHARS + 1)}`;
    expect(() => renderMainlandSms('broadcast', tooLong)).toThrow(ValidationError);
    expect(mainlandSmsRefusal('broadcast', tooLong)).toMatch(/456 characters .*at most 455/);
    expect(mainlandSmsRefusal('reply', '【连心】')).toMatch(/empty/);
    expect(mainlandSmsRefusal('broadcast', broadcastBody('好', centre.centreName, 'zh-CN'))).toBeUndefined();
  });

  it('carries every broadcast the service accepts (the longest text, a 32-character Centre name) in either language', () => {
    const centreName = '石'.repeat(32);
    for (const language of LANGUAGES) {
      const body = broadcastBody('通'.repeat(MAX_BROADCAST_TEXT), centreName, language);
      expect(mainlandSmsRefusal('broadcast', body)).toBeUndefined();
      const english = broadcastBody('w'.repeat(MAX_BROADCAST_TEXT), 'C'.repeat(32), language);
      expect(mainlandSmsRefusal('broadcast', english)).toBeUndefined();
    }
  });

  it('tells a mainland mobile from other numbers', () => {
    expect(['+8613800000001', '+8619912345678'].map(isMainlandMobile)).toEqual([true, true]);
    expect(['+85291234567', '+861080000000', '+447700900123', '13800000001'].map(isMainlandMobile)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("each provider's variable limit", () => {
  it("cuts a message for Tencent's shorter variables, and refuses with the reason what no Tencent template carries", () => {
    const body = `【连心】${'好'.repeat(30)}`;
    expect(renderMainlandSms('reply', body).template.id).toBe('LX_REPLY_ZH_1');
    const tencent = renderMainlandSms('reply', body, 12);
    expect(tencent.template.id).toBe('LX_REPLY_ZH_4');
    for (const value of Object.values(tencent.params)) expect(charCount(value)).toBeLessThanOrEqual(12);
    // The phone shows the same text whichever provider carries it.
    expect(tencent.text).toBe(renderMainlandSms('reply', body).text);
    const notice = `【连心】${'通'.repeat(157)}`;
    expect(mainlandSmsRefusal('broadcast', notice)).toBeUndefined();
    expect(mainlandSmsRefusal('broadcast', notice, 12)).toMatch(/157 characters .*at most 156/);
  });

  it("gives each template's content in Tencent's numbered form, the same variables in the same order", () => {
    for (const t of SMS_TEMPLATES) {
      const tencent = providerTemplateText(t, 'tencent');
      expect(tencent).toBe(t.variables.map((_, i) => `{${i + 1}}`).join('') + t.suffix);
      expect(providerTemplateText(t, 'aliyun')).toBe(t.text);
    }
  });
});
