// Centre membership links written before broadcasts existed ({entity, contactId, role, name} only,
// perhaps with optedOut/language added by a turn since) are planned from the contact's profile and
// families, like links written now.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import type { BroadcastTarget } from '#lib/domain/broadcast.ts';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { ContactInput } from '#lib/store/roster/roster-types.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const clock = new ManualClock('2026-12-05T02:00:00Z');
const CENTRE = 'centre-old';

let table: TestTable;
let service: BroadcastService;
const enqueued: EnqueueRequest[] = [];

const contact = (
  contactId: string,
  role: 'carer' | 'parent',
  language: 'zh-CN' | 'en',
  familyIds: string[],
  phone: string,
): ContactInput => ({
  contactId,
  centreId: CENTRE,
  name: contactId,
  role,
  language,
  familyIds,
  addresses: [{ channel: 'sms', address: phone }],
});

/** The link as code before broadcasts wrote it, plus what a later turn may have added. */
async function putOldLink(c: ContactInput, extra: Record<string, unknown> = {}) {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.centreContact(CENTRE, c.contactId),
        entity: 'member',
        contactId: c.contactId,
        role: c.role,
        name: c.name,
        ...extra,
      },
    }),
  );
}

const everyone: BroadcastTarget = {
  centreIds: [CENTRE],
  roles: ['carer', 'parent'],
  categories: [],
  languages: [],
};
const texts = { 'zh-CN': '周六下午有亲子活动。', en: 'Family afternoon on Saturday.' };

const NEW = contact('new-carer', 'carer', 'zh-CN', ['fam-both'], '+8613900000001');
const OLD_EN = contact('old-carer-en', 'carer', 'en', ['fam-both'], '+8613900000002');
const OLD_PARENT = contact('old-parent', 'parent', 'zh-CN', ['fam-one'], '+8613900000003');
const OLD_TURNED = contact('old-turned', 'parent', 'zh-CN', ['fam-with'], '+8613900000004');
const OLD_OPTED_OUT = contact('old-opted-out', 'parent', 'en', ['fam-one'], '+8613900000005');

beforeAll(async () => {
  table = await createTestTable();
  const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await roster.putCentre({
    centreId: CENTRE,
    name: '老屋村儿童之家',
    village: '老屋村',
    phone: '0731-8888 0009',
  });
  const child = (childId: string, category: 'both-away' | 'one-away' | 'with-parents') => ({
    childId,
    name: childId,
    birthYear: 2016,
    category,
  });
  await roster.putFamily({
    familyId: 'fam-both',
    centreId: CENTRE,
    name: '李家',
    children: [child('k1', 'both-away')],
  });
  await roster.putFamily({
    familyId: 'fam-one',
    centreId: CENTRE,
    name: '王家',
    children: [child('k2', 'one-away')],
  });
  await roster.putFamily({
    familyId: 'fam-with',
    centreId: CENTRE,
    name: '张家',
    children: [child('k3', 'with-parents')],
  });
  for (const c of [NEW, OLD_EN, OLD_PARENT, OLD_TURNED]) await roster.putContact(c);
  // Opted out the only way there is: the person's (or their provider's) stop, not a roster write.
  await roster.putContact(OLD_OPTED_OUT);
  await roster.markOptedOut(OLD_OPTED_OUT.contactId);

  await putOldLink(OLD_EN);
  await putOldLink(OLD_PARENT);
  // The profile says opted out; the old link does not know (opt-out comes from the profile).
  await putOldLink(OLD_OPTED_OUT, { optedOut: false, language: 'en' });
  // A turn updated this old link (and the profile) since: language, but still no channel.
  await putOldLink(OLD_TURNED, { optedOut: false, language: 'zh-CN' });
  // An old link whose contact is gone: skipped.
  await putOldLink(contact('gone', 'parent', 'zh-CN', [], '+8613900000009'));
  // A stale old link: the contact moved to another Centre since. Skipped, never messaged from here.
  await roster.putCentre({
    centreId: 'centre-elsewhere',
    name: '别村儿童之家',
    village: '别村',
    phone: '0731-1',
  });
  const moved = {
    ...contact('moved-away', 'carer', 'zh-CN', [], '+8613900000010'),
    centreId: 'centre-elsewhere',
  };
  await roster.putContact(moved);
  await putOldLink(moved);

  const logger = createLogger('test-legacy-links');
  logger.setLogLevel('SILENT');
  service = new BroadcastService({
    broadcasts: new BroadcastRepository({ client: table.client, tableName: table.tableName }),
    roster,
    outbound: {
      enqueueMany: async (requests) => {
        enqueued.push(...requests);
        return requests.length;
      },
    },
    clock,
    logger,
    pricing: { perSegment: 0.01, currency: 'USD' },
    // Pages of two, so old and new links share pages and span several.
    pageSize: 2,
  });
});

describe('broadcasts to Centres with membership links written before broadcasts', () => {
  it('previews old links as recipients with their language', async () => {
    const preview = await service.preview(everyone, texts);
    expect(preview.recipients).toBe(4);
    expect(preview.excluded).toMatchObject({ optedOut: 1, noAddress: 0, invalidAddress: 0 });
    const byLanguage = Object.fromEntries(preview.languages.map((l) => [l.language, l.recipients]));
    expect(byLanguage).toEqual({ 'zh-CN': 3, en: 1 });
  });

  it('targets old links by their children’s categories and their language', async () => {
    const oneAway = await service.preview({ ...everyone, categories: ['one-away'] }, texts);
    expect(oneAway.recipients).toBe(1);
    expect(oneAway.excluded.optedOut).toBe(1);
    const withParents = await service.preview({ ...everyone, categories: ['with-parents'] }, texts);
    expect(withParents.recipients).toBe(1);
    const both = await service.preview({ ...everyone, categories: ['both-away'], languages: ['en'] }, texts);
    expect(both.recipients).toBe(1);
  });

  it('fans out to old links', async () => {
    const draft = await service.compose({
      target: everyone,
      texts,
      source: 'api',
      createdBy: 'coordinator-1',
    });
    await service.approve(draft.broadcastId, 'coordinator-1');
    await expect(service.fanOut(draft.broadcastId, { budgetMs: 60_000 })).resolves.toBe('sent');
    const to = Object.fromEntries(enqueued.map((r) => [r.recipient.contactId, r]));
    expect(Object.keys(to).sort()).toEqual(['new-carer', 'old-carer-en', 'old-parent', 'old-turned']);
    expect(to['old-carer-en']?.recipient).toMatchObject({ channel: 'sms', address: '+8613900000002' });
    expect(to['old-carer-en']?.body).toContain('Family afternoon');
    expect(to['old-turned']?.recipient).toMatchObject({ channel: 'sms', address: '+8613900000004' });
    expect(to['old-turned']?.body).toContain('亲子活动');
  });
});
