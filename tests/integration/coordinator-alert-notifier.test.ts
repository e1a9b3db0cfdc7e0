import { beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import type { AlertRecord, ContactView } from '#lib/domain/model.ts';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createTestTable } from '#tests/support/test-table.ts';

let roster: RosterRepository;
let grandmother: ContactView;

beforeAll(async () => {
  const table = await createTestTable();
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  await roster.putContact({
    contactId: 'contact-second-coordinator',
    centreId: 'centre-shimen',
    name: '刘老师',
    role: 'coordinator',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address: '+8613700000002' }],
  });
  const view = await roster.getContactView('sms', '+8613800000001');
  if (!view) throw new Error('demo grandmother missing');
  grandmother = view;
});

const alert = (): AlertRecord => ({
  alertId: 'child-xiaohong#2026-W49#mood',
  centreId: 'centre-shimen',
  childId: 'child-xiaohong',
  familyId: 'family-li',
  week: '2026-W49',
  itemId: 'mood',
  reason: 'answer',
  value: 4,
  raisedAt: '2026-12-05T02:00:00.000Z',
});

describe('telling coordinators about an alert', () => {
  it("still tells the others when one coordinator's message cannot be enqueued, then reports the failure", async () => {
    const enqueued: EnqueueRequest[] = [];
    const notifier = new CoordinatorAlertNotifier({
      roster,
      outbound: {
        enqueue: async (request) => {
          if (request.recipient.contactId === 'contact-wang-laoshi') throw new Error('queue unavailable');
          enqueued.push(request);
          return true;
        },
      },
    });
    await expect(notifier.notify([alert()], grandmother)).rejects.toThrow(/1 alert notification/);
    expect(enqueued.map((r) => [r.recipient.address, r.urgent, r.kind])).toEqual([
      ['+8613700000002', true, 'alert'],
    ]);
    expect(enqueued[0]?.body).toContain('小红');
  });
});
