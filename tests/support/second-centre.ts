import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';

export const CENTRE_A = 'centre-shimen';
export const CENTRE_B = 'centre-hekou';
export const CENTRE_B_CARER = '+8613800000009';

/** A second Centre beside the demo one, with one family and its carer: what scope tests need. */
export async function seedSecondCentre(roster: RosterRepository): Promise<void> {
  await roster.putCentre({
    centreId: CENTRE_B,
    name: '河口村儿童之家',
    village: '河口村',
    phone: '0731-8888 5678',
  });
  await roster.putFamily({
    familyId: 'family-wu',
    centreId: CENTRE_B,
    name: '吴家',
    children: [{ childId: 'child-wuxiao', name: '吴小', birthYear: 2016, category: 'both-away' }],
  });
  await roster.putContact({
    contactId: 'contact-wu-nainai',
    centreId: CENTRE_B,
    name: '吴奶奶',
    role: 'carer',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address: CENTRE_B_CARER }],
    familyIds: ['family-wu'],
  });
}
