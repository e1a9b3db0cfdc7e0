// What a family's week of messages costs, by provider: a model family (a carer of two children, two
// parents away) run through the real engine, builders and templates, in either check-in form. Pure.
import { runTurn } from '#lib/domain/conversation-engine.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import type { CheckinForm, ContactView, Session } from '#lib/domain/model.ts';
import { segmentsOf } from '#lib/domain/outbound-message.ts';
import { composeDigest } from '#lib/domain/parent-digest.ts';
import { MAINLAND_PROVIDERS, type MainlandProvider, renderMainlandSms } from '#lib/domain/sms-templates.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { invitationText, nudgeText } from '#lib/domain/weekly-messages.ts';
import { decideInvitation } from '#lib/domain/weekly-rhythm.ts';

/** A month is 365/12 days: 4.35 weeks. */
export const WEEKS_PER_MONTH = 365 / 12 / 7;

/** One message the family gets in a week, with its kind (which decides the domestic template). */
interface WeekMessage {
  kind: 'invitation' | 'reply' | 'digest' | 'nudge';
  body: string;
}

const CHILDREN = ['小明', '小红'] as const;
// What the carer replies, per form: a plausible week (a 3 and a 5, everyone well), no free text.
const REPLIES: Record<CheckinForm, string[]> = {
  steps: ['3', '1', '1', '1', '1', '0', '5', '2', '1', '1', '2', '0'],
  'one-message': ['3 1 1 1 1', '5 2 1 1 2', '0'],
};

/** Every message lianxin sends the model family in one week, in the given check-in form. */
export function modelFamilyWeek(form: CheckinForm): WeekMessage[] {
  const carer: ContactView = {
    contactId: 'carer',
    role: 'carer',
    language: 'zh-CN',
    optedOut: false,
    displayName: '李奶奶',
    centreId: 'centre',
    centreName: '石门村儿童之家',
    centrePhone: '0731-8888 1234',
    children: CHILDREN.map((name, i) => ({ childId: `c${i}`, familyId: 'f', name, category: 'both-away' })),
    addresses: [{ channel: 'sms', address: '+8613800000001' }],
    checkinForm: form,
  };
  const start = new Date('2026-12-05T02:00:00Z');
  const week = isoWeekOf(start);
  const messages: WeekMessage[] = [];
  const decision = decideInvitation({
    week,
    now: start,
    view: carer,
    session: undefined,
    completed: new Set(),
    sessionTtlHours: 48,
  });
  const first = weeklyCheckinFlow.steps[0];
  if (decision.decision !== 'send' || first === undefined)
    throw new RangeError('the model carer is not invited');
  messages.push({
    kind: 'invitation',
    body: invitationText({
      language: 'zh-CN',
      carerName: carer.displayName,
      childName: decision.child.name,
      firstQuestion: first,
      stopHint: true,
      oneMessage: form === 'one-message',
    }),
  });
  let session: Session | undefined = decision.session;
  let contact: ContactView = { ...carer, stopHintWeek: week };
  REPLIES[form].forEach((text, i) => {
    const o = runTurn({
      text,
      now: new Date(start.getTime() + (i + 1) * 60_000),
      contact,
      session,
      sessionTtlHours: 48,
    });
    for (const body of o.replies) messages.push({ kind: 'reply', body });
    session = o.session ?? undefined;
    contact = { ...contact, ...o.contactChanges };
  });
  for (const childName of CHILDREN) {
    const digest = composeDigest({
      language: 'zh-CN',
      childName,
      checkin: { answers: { attendance: 5, mood: 1, school: 1, health: 1 } },
      consent: { attendance: true, mood: true, school: true, health: true },
      activities: [{ date: '2026-12-05', title: '手工课' }],
      stopHint: false,
    });
    // Each of the two parents hears about each child, and gets the weekend nudge.
    messages.push({ kind: 'digest', body: digest }, { kind: 'digest', body: digest });
  }
  const nudge = nudgeText('zh-CN', CHILDREN);
  messages.push({ kind: 'nudge', body: nudge }, { kind: 'nudge', body: nudge });
  return messages;
}

/** Billed segments of a week's messages: by template on a domestic provider, else as Twilio counts. */
export function weekSegments(messages: readonly WeekMessage[], by: MainlandProvider | 'twilio'): number {
  return messages.reduce(
    (sum, m) =>
      sum + (by === 'twilio' ? segmentsOf(m.body).segments : renderMainlandSms(m.kind, m.body).segments),
    0,
  );
}

export interface FamilyMonthlyCost {
  provider: MainlandProvider | 'twilio';
  form: CheckinForm;
  segmentsPerWeek: number;
  perSegment: number;
  currency: string;
  /** segmentsPerWeek × WEEKS_PER_MONTH × perSegment, to the cent. */
  perMonth: number;
}

/** A family's month on each provider, in each form, at the configured prices. */
export function familyMonthlyCosts(prices: {
  domestic: Readonly<Record<MainlandProvider, number>>;
  twilio: { perSegment: number; currency: string };
}): FamilyMonthlyCost[] {
  const forms: CheckinForm[] = ['steps', 'one-message'];
  return forms.flatMap((form) => {
    const week = modelFamilyWeek(form);
    const providers: (MainlandProvider | 'twilio')[] = [...MAINLAND_PROVIDERS, 'twilio'];
    return providers.map((provider) => {
      const segmentsPerWeek = weekSegments(week, provider);
      const perSegment = provider === 'twilio' ? prices.twilio.perSegment : prices.domestic[provider];
      return {
        provider,
        form,
        segmentsPerWeek,
        perSegment,
        currency: provider === 'twilio' ? prices.twilio.currency : 'CNY',
        perMonth: Math.round(segmentsPerWeek * WEEKS_PER_MONTH * perSegment * 100) / 100,
      };
    });
  });
}
