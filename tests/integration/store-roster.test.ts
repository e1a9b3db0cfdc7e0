import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/errors.ts';
import { DEMO_ROSTER, seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

let t: TestTable;
let roster: RosterRepository;

beforeAll(async () => {
  t = await createTestTable();
  roster = new RosterRepository({ client: t.client, tableName: t.tableName });
  await seedDemoRoster(roster);
});

describe('demo roster', () => {
  it('finds the grandmother by her number; her view lists 小明 then 小红 (oldest first)', async () => {
    const contactId = await roster.findContactIdByAddress('sms', '+8613800000001');
    expect(contactId).toBe('contact-li-nainai');
    const view = await roster.getContactView('sms', '+8613800000001');
    expect(view).toMatchObject({
      contactId: 'contact-li-nainai',
      role: 'carer',
      language: 'zh-CN',
      optedOut: false,
      displayName: '李奶奶',
      centreId: 'centre-shimen',
      centreName: '石门村儿童之家',
      centrePhone: '0731-8888 1234',
      addresses: [{ channel: 'sms', address: '+8613800000001' }],
    });
    expect(view?.children).toEqual([
      { childId: 'child-xiaoming', familyId: 'family-li', name: '小明', category: 'both-away' },
      { childId: 'child-xiaohong', familyId: 'family-li', name: '小红', category: 'both-away' },
    ]);
  });

  it('covers the three categories, an English-speaking carer, and parents who hear about the children', async () => {
    const categories = new Set<string>();
    for (const f of DEMO_ROSTER.families) {
      for (const c of (await roster.getFamily(f.familyId))?.children ?? []) categories.add(c.category);
    }
    expect([...categories].sort()).toEqual(['both-away', 'one-away', 'with-parents']);
    expect((await roster.getContactView('sms', '+8613800000003'))?.language).toBe('en');
    const dad = await roster.getContactView('sms', '+8613900000001');
    expect(dad?.role).toBe('parent');
    expect(dad?.children.map((c) => c.name)).toEqual(['小明', '小红']);
    expect((await roster.getContactView('sms', '+8613900000003'))?.children.map((c) => c.childId)).toEqual([
      'child-zhangwei',
    ]);
  });

  it('shares with parents only what was agreed: li family yes, others nothing by default', async () => {
    const li = await roster.getFamily('family-li');
    expect(
      li?.children.every(
        (c) => c.consent.mood && c.consent.school && c.consent.health && c.consent.attendance,
      ),
    ).toBe(true);
    const zhang = await roster.getFamily('family-zhang');
    expect(zhang?.children[0]?.consent).toEqual({
      attendance: false,
      mood: false,
      school: false,
      health: false,
    });
  });

  it('lists the Centre coordinator (alert recipient) and the family members', async () => {
    expect(await roster.listCentreContacts('centre-shimen', 'coordinator')).toEqual([
      { contactId: 'contact-wang-laoshi', role: 'coordinator', name: '王老师' },
    ]);
    const members = await roster.listFamilyContacts('family-li');
    expect(members.map((m) => m.contactId).sort()).toEqual([
      'contact-li-baba',
      'contact-li-mama',
      'contact-li-nainai',
    ]);
  });

  it('seeding twice leaves the same roster', async () => {
    const before = await roster.getContactView('sms', '+8613800000001');
    await seedDemoRoster(roster);
    expect(await roster.getContactView('sms', '+8613800000001')).toEqual(before);
    expect(await roster.listFamilyContacts('family-li')).toHaveLength(3);
  });
});

describe('putContact', () => {
  const base = {
    contactId: 'contact-test-parent',
    centreId: 'centre-shimen',
    name: '张伟妈妈',
    role: 'parent' as const,
    language: 'zh-CN' as const,
    familyIds: ['family-zhang'],
  };

  it('refuses an address that belongs to another contact', async () => {
    await expect(
      roster.putContact({
        ...base,
        contactId: 'contact-impostor',
        addresses: [{ channel: 'sms', address: '+8613800000001' }],
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await roster.findContactIdByAddress('sms', '+8613800000001')).toBe('contact-li-nainai');
    expect(await roster.getContact('contact-impostor')).toBeUndefined();
  });

  it('rejects invalid input with a ValidationError', async () => {
    await expect(roster.putContact({ ...base, addresses: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      roster.putContact({
        ...base,
        familyIds: ['family-nowhere'],
        addresses: [{ channel: 'sms', address: '+8613911111111' }],
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('a new SIM card: the old number stops reaching the contact, the new one does', async () => {
    await roster.putContact({ ...base, addresses: [{ channel: 'sms', address: '+8613911110001' }] });
    expect(await roster.findContactIdByAddress('sms', '+8613911110001')).toBe(base.contactId);

    await roster.putContact({ ...base, addresses: [{ channel: 'sms', address: '+8613911110002' }] });
    expect(await roster.findContactIdByAddress('sms', '+8613911110001')).toBeUndefined();
    expect(await roster.findContactIdByAddress('sms', '+8613911110002')).toBe(base.contactId);
    expect((await roster.getContact(base.contactId))?.addresses).toEqual([
      { channel: 'sms', address: '+8613911110002' },
    ]);
  });

  it('leaving a family removes the membership link', async () => {
    await roster.putContact({
      ...base,
      contactId: 'contact-mover',
      addresses: [{ channel: 'sms', address: '+8613911110003' }],
    });
    expect((await roster.listFamilyContacts('family-zhang')).map((m) => m.contactId)).toContain(
      'contact-mover',
    );
    await roster.putContact({
      ...base,
      contactId: 'contact-mover',
      familyIds: ['family-chen'],
      addresses: [{ channel: 'sms', address: '+8613911110003' }],
    });
    expect((await roster.listFamilyContacts('family-zhang')).map((m) => m.contactId)).not.toContain(
      'contact-mover',
    );
    expect((await roster.getContactView('sms', '+8613911110003'))?.children.map((c) => c.childId)).toEqual([
      'child-lele',
    ]);
  });
});

describe('projections follow roster changes', () => {
  it('a child added to a family appears in the views of its carer and parents', async () => {
    await roster.putCentre({
      centreId: 'centre-b',
      name: '河口村儿童之家',
      village: '河口村',
      phone: '0731-1111',
    });
    await roster.putFamily({
      familyId: 'family-wu',
      centreId: 'centre-b',
      name: '吴家',
      children: [{ childId: 'child-wu-1', name: '吴一', birthYear: 2013, category: 'one-away' }],
    });
    await roster.putContact({
      contactId: 'contact-wu-carer',
      centreId: 'centre-b',
      name: '吴奶奶',
      role: 'carer',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: '+8613811110001' }],
      familyIds: ['family-wu'],
    });
    await roster.putFamily({
      familyId: 'family-wu',
      centreId: 'centre-b',
      name: '吴家',
      children: [
        { childId: 'child-wu-2', name: '吴二', birthYear: 2016, category: 'one-away' },
        { childId: 'child-wu-1', name: '吴一', birthYear: 2013, category: 'one-away' },
      ],
    });
    expect((await roster.getContactView('sms', '+8613811110001'))?.children.map((c) => c.name)).toEqual([
      '吴一',
      '吴二',
    ]);

    await roster.putCentre({
      centreId: 'centre-b',
      name: '河口村儿童之家',
      village: '河口村',
      phone: '0731-2222',
    });
    expect((await roster.getContactView('sms', '+8613811110001'))?.centrePhone).toBe('0731-2222');

    // The same name and phone again: the centre is written, its members' projections are not.
    t.requests.length = 0;
    await roster.putCentre({
      centreId: 'centre-b',
      name: '河口村儿童之家',
      village: '河口',
      phone: '0731-2222',
    });
    expect(t.requests).toEqual(['GetItemCommand', 'PutItemCommand']);
  });
});
