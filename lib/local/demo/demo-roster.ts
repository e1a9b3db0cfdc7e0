// The demo roster seeded by `npm start` and used by tests: one village Centre and three families,
// one per child category. The numbers are fictitious.
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { ContactInput, centreSchema, FamilyInput } from '#lib/store/roster/roster-types.ts';
import type * as z from '#lib/zod.ts';

const centreId = 'centre-shimen';
const shareAll = { attendance: true, mood: true, school: true, health: true };

export interface DemoRoster {
  centre: z.input<typeof centreSchema>;
  families: FamilyInput[];
  contacts: ContactInput[];
}

export const DEMO_ROSTER: DemoRoster = {
  centre: {
    centreId,
    name: '石门村儿童之家',
    village: '石门村',
    phone: '0731-8888 1234',
  },

  families: [
    {
      familyId: 'family-li',
      centreId,
      name: '李家',
      children: [
        // Listed youngest first on purpose: the ContactView must still ask about the eldest first.
        {
          childId: 'child-xiaohong',
          name: '小红',
          birthYear: 2017,
          category: 'both-away',
          consent: shareAll,
        },
        {
          childId: 'child-xiaoming',
          name: '小明',
          birthYear: 2015,
          category: 'both-away',
          consent: shareAll,
        },
      ],
    },
    {
      familyId: 'family-zhang',
      centreId,
      name: '张家',
      // No consent given yet: nothing is shared with the parent.
      children: [{ childId: 'child-zhangwei', name: '张伟', birthYear: 2014, category: 'one-away' }],
    },
    {
      familyId: 'family-chen',
      centreId,
      name: 'Chen family',
      children: [{ childId: 'child-lele', name: 'Lele', birthYear: 2016, category: 'with-parents' }],
    },
  ],

  contacts: [
    {
      contactId: 'contact-wang-laoshi',
      centreId,
      name: '王老师',
      role: 'coordinator',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613700000001' }],
    },
    {
      contactId: 'contact-li-nainai',
      centreId,
      name: '李奶奶',
      role: 'carer',
      relationship: 'grandmother',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613800000001' }],
      familyIds: ['family-li'],
    },
    {
      contactId: 'contact-li-baba',
      centreId,
      name: '小明爸爸',
      role: 'parent',
      relationship: '爸爸',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613900000001' }],
      familyIds: ['family-li'],
    },
    {
      contactId: 'contact-li-mama',
      centreId,
      name: '小明妈妈',
      role: 'parent',
      relationship: '妈妈',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613900000002' }],
      familyIds: ['family-li'],
    },
    {
      contactId: 'contact-zhang-nainai',
      centreId,
      name: '张奶奶',
      role: 'carer',
      relationship: 'grandmother',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613800000002' }],
      familyIds: ['family-zhang'],
    },
    {
      contactId: 'contact-zhang-baba',
      centreId,
      name: '张伟爸爸',
      role: 'parent',
      relationship: '爸爸',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613900000003' }],
      familyIds: ['family-zhang'],
      // Works nights in a factory and sleeps in the morning: nothing non-urgent before 16:00.
      quietHours: { start: '08:00', end: '16:00' },
    },
    {
      contactId: 'contact-chen-mum',
      centreId,
      name: 'Mrs Chen',
      role: 'carer',
      relationship: 'mother',
      language: 'en',
      addresses: [{ channel: 'sms', address: '+8613800000003' }],
      familyIds: ['family-chen'],
      // Her own check-in time: Thursday evening, after work.
      checkinAt: { weekday: 4, time: '19:00' },
    },
  ],
};

/** Idempotent: seeding twice leaves the same roster. */
export async function seedDemoRoster(roster: RosterRepository): Promise<void> {
  await roster.putCentre(DEMO_ROSTER.centre);
  for (const family of DEMO_ROSTER.families) await roster.putFamily(family);
  for (const contact of DEMO_ROSTER.contacts) await roster.putContact(contact);
}

/**
 * A roster kept with `npm start --data` from before the weekly rhythm has no schedules: writing each
 * demo contact again as it is stored (opt-outs kept) gives them one. Nothing changes for the others.
 */
export async function ensureDemoSchedules(roster: RosterRepository): Promise<void> {
  for (const { contactId } of DEMO_ROSTER.contacts) {
    const stored = await roster.getContact(contactId);
    if (stored) await roster.putContact(stored);
  }
}
