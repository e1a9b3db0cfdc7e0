// Erasure on request among a large roster: one family erased while 100,000 other contacts (profile,
// address projection, centre link, an outbound message each, in the reference index) share the table.
// The job finds the family's items by key, partition Query and the reference index, so the requests a
// step sends follow the family, not the table.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newOutboundMessage } from '#lib/domain/outbound-message.ts';
import { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { JobRepository } from '#lib/store/jobs/job-repository.ts';
import { keys, refAttributes } from '#lib/store/keys.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { ERASURE_STEP_ITEMS, RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { seedItems, startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';

const CENTRES = 10;
const SEED_CONCURRENCY = 16;
const CENTRE = 'centre-0';
/** Weeks of history the erased family has: check-ins, the parents' updates, invitations. */
const WEEKS = 52;

export async function erasureFigures(contacts = 100_000): Promise<Figure[]> {
  const bench = await startBenchTable('bench-erasure');
  const { client, config, requests } = bench;
  const tableName = config.TABLE_NAME;
  try {
    const seeded = performance.now();
    await seedItems(client, tableName, roster(contacts), SEED_CONCURRENCY);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const clock = new ManualClock('2026-12-05T02:00:00Z');
    const rosterRepo = new RosterRepository({ client, tableName });
    await seedFamily(client, tableName, rosterRepo, clock);

    const logger = createLogger('bench-erasure');
    logger.setLogLevel('SILENT');
    const jobs = new ErasureJobs({
      jobs: new JobRepository({ client, tableName }),
      erasure: new RosterErasure({ client, tableName, roster: rosterRepo }),
      clock,
      logger,
    });
    const job = await jobs.start('erase-family', CENTRE, 'family-bench', 'coord-bench');
    const perStep: number[] = [];
    let status = 'running';
    let deleted: Record<string, number> = {};
    while (status === 'running') {
      requests.count = 0;
      const now = await jobs.run(CENTRE, job.jobId, 1);
      perStep.push(requests.count);
      status = now?.status ?? 'missing';
      deleted = now?.deleted ?? {};
      if (perStep.length > 10_000) throw new Error('the erasure did not finish');
    }
    if (status !== 'done') throw new Error(`the erasure ended ${status}`);
    const items = Object.values(deleted).reduce((a, b) => a + b, 0);
    const name = `erase one family (${items} items) among ${contacts} contacts`;
    return [
      { name: `erasure bench: seeding ${contacts} contacts`, value: seedSeconds, unit: 's' },
      { name: `${name}: steps`, value: perStep.length, unit: '' },
      {
        name: `${name}: DynamoDB requests per step, at most`,
        value: Math.max(...perStep),
        unit: 'req',
        target: `bounded by the step (${ERASURE_STEP_ITEMS} items), not the table`,
      },
      {
        name: `${name}: DynamoDB requests per step, mean`,
        value: perStep.reduce((a, b) => a + b, 0) / perStep.length,
        unit: 'req',
      },
      { name: `${name}: DynamoDB requests in all`, value: perStep.reduce((a, b) => a + b, 0), unit: 'req' },
    ];
  } finally {
    await bench.stop();
  }
}

/** The other contacts, as the roster and the send path write them (4 items each). */
function* roster(contacts: number): Generator<Record<string, unknown>> {
  for (let n = 0; n < contacts; n++) {
    const contactId = `contact-${n}`;
    const centreId = `centre-${n % CENTRES}`;
    const phone = `+86139${String(n).padStart(8, '0')}`;
    yield {
      ...keys.contactProfile(contactId),
      entity: 'contact',
      contactId,
      centreId,
      name: `联系人${n}`,
      role: 'carer',
      language: 'zh-CN',
      optedOut: false,
      invalidAddressKeys: [],
      addresses: [{ channel: 'sms', address: phone }],
      familyIds: [`family-${n}`],
      version: 1,
    };
    yield { ...keys.contactView('sms', phone), entity: 'contact-view', contactId, centreId };
    yield { ...keys.centreContact(centreId, contactId), entity: 'centre-contact', contactId, role: 'carer' };
    const key = keys.outbound(`invitation#${contactId}#2026-W49`);
    yield {
      ...key,
      ...refAttributes({ contactId }, key),
      entity: 'outbound',
      contactId,
      status: 'sent',
    };
  }
}

/** The family erased: two children, a carer and two parents, a year of check-ins and updates. */
async function seedFamily(
  client: DynamoDBDocumentClient,
  tableName: string,
  rosterRepo: RosterRepository,
  clock: ManualClock,
): Promise<void> {
  await rosterRepo.putCentre({ centreId: CENTRE, name: '测试中心', village: '测试村', phone: '0000' });
  const children = ['child-bench-1', 'child-bench-2'];
  await rosterRepo.putFamily({
    familyId: 'family-bench',
    centreId: CENTRE,
    name: '测试家',
    children: children.map((childId, i) => ({
      childId,
      name: `孩子${i}`,
      birthYear: 2015,
      category: 'both-away',
    })),
  });
  const people = [
    ['contact-bench-carer', 'carer', '+8613700000000'],
    ['contact-bench-mum', 'parent', '+8613700000001'],
    ['contact-bench-dad', 'parent', '+8613700000002'],
  ] as const;
  for (const [contactId, role, address] of people) {
    await rosterRepo.putContact({
      contactId,
      centreId: CENTRE,
      name: contactId,
      role,
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address }],
      familyIds: ['family-bench'],
    });
  }
  const outbound = new DynamoOutboundRepository({ client, tableName, messageLogTtlDays: 90 });
  const weeks = Array.from({ length: WEEKS }, (_, i) => `2026-W${String(i + 1).padStart(2, '0')}`);
  const items: Record<string, unknown>[] = [];
  for (const week of weeks) {
    for (const childId of children) {
      items.push({ ...keys.checkin(childId, week), entity: 'checkin', childId, week, status: 'completed' });
      for (const [contactId, role, address] of people) {
        if (role !== 'parent') continue;
        await outbound.create(
          newOutboundMessage(
            {
              key: `digest#${childId}#${week}#${contactId}`,
              recipient: { contactId, channel: 'sms', address },
              body: '本周很好',
              kind: 'digest',
              aboutChildId: childId,
            },
            clock.now(),
          ),
        );
      }
    }
    const [carer, , address] = people[0];
    items.push({
      ...keys.message('sms', address, `SM-${week}`),
      entity: 'message',
      body: '1',
      contactId: carer,
    });
    await outbound.create(
      newOutboundMessage(
        {
          key: `invitation#${carer}#${week}`,
          recipient: { contactId: carer, channel: 'sms', address },
          body: '签到',
          kind: 'invitation',
        },
        clock.now(),
      ),
    );
  }
  await seedItems(client, tableName, items[Symbol.iterator](), 4);
}
