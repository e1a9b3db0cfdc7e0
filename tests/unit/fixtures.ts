// Contacts and sessions for the domain tests: a grandmother caring for two grandchildren.
import type { ContactView, Session } from '#lib/domain/model.ts';

export const XIAOMING = {
  childId: 'child-xm',
  familyId: 'fam-wang',
  name: '小明',
  category: 'both-away',
} as const;
export const XIAOHONG = {
  childId: 'child-xh',
  familyId: 'fam-wang',
  name: '小红',
  category: 'one-away',
} as const;

/** Wang Nainai, carer of 小明 and 小红 at 石门村儿童之家; already told how to stop this week. */
export function grandmother(overrides: Partial<ContactView> = {}): ContactView {
  return {
    contactId: 'contact-wang-nainai',
    role: 'carer',
    language: 'zh-CN',
    optedOut: false,
    displayName: '王奶奶',
    centreId: 'centre-shimen',
    centreName: '石门村儿童之家',
    centrePhone: '0731-8888 1234',
    children: [{ ...XIAOMING }, { ...XIAOHONG }],
    addresses: [{ channel: 'sms', address: '+8613800000001' }],
    stopHintWeek: '2026-W48',
    ...overrides,
  };
}

/** A migrant father in the city: hears about 小明, does not answer the check-in. */
export function parent(overrides: Partial<ContactView> = {}): ContactView {
  return grandmother({
    contactId: 'contact-wang-baba',
    role: 'parent',
    displayName: '王爸爸',
    children: [{ ...XIAOMING }],
    addresses: [{ channel: 'sms', address: '+8613900000002' }],
    ...overrides,
  });
}

/** Wednesday 25 November 2026, 10:00 in Shanghai (02:00Z): ISO week 2026-W48. */
export const WEDNESDAY = new Date('2026-11-25T02:00:00Z');
export const WEEK = '2026-W48';

export function hoursAfter(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 60 * 60 * 1000);
}

/** An open weekly check-in on `week`, started at `startedAt`, at a given step and child. */
export function session(overrides: Partial<Session> = {}, startedAt: Date = WEDNESDAY): Session {
  return {
    flowId: 'weekly-checkin',
    flowVersion: 1,
    week: WEEK,
    childIndex: 0,
    stepId: 'attendance',
    attempts: 0,
    startedAt: startedAt.toISOString(),
    expiresAt: hoursAfter(startedAt, 48).toISOString(),
    ...overrides,
  };
}
