import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertRecord, ContactView } from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import type { CommitResult } from '#lib/ports/conversation-store.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { DynamoConversationStore } from '#lib/store/conversation/dynamo-conversation-store.ts';
import { REQUEST_COUNTER_MIDDLEWARE } from '#lib/store/dynamo-client.ts';
import { keys } from '#lib/store/keys.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';
import { answer, inbound, NOW, session, turn, WEEK } from '#tests/support/turn-fixtures.ts';

let t: TestTable;
let store: DynamoConversationStore;
let roster: RosterRepository;
let checkins: CheckinRepository;
let nextPhone = 0;

beforeAll(async () => {
  t = await createTestTable();
  store = new DynamoConversationStore({ client: t.client, tableName: t.tableName, messageLogTtlDays: 90 });
  roster = new RosterRepository({ client: t.client, tableName: t.tableName });
  checkins = new CheckinRepository({ client: t.client, tableName: t.tableName });
  await seedDemoRoster(roster);
});

/** A carer of the li family on an address of their own, so tests do not share sessions. */
async function freshCarer(extraAddresses: ContactView['addresses'] = []): Promise<ContactView> {
  const phone = `+86138${String(10_000_000 + nextPhone++).padStart(8, '0')}${Math.floor(Math.random() * 10)}`;
  const contactId = `carer-${phone.slice(1)}`;
  await roster.putContact({
    contactId,
    centreId: 'centre-shimen',
    name: '李爷爷',
    role: 'carer',
    language: 'zh-CN',
    addresses: [{ channel: 'sms', address: phone }, ...extraAddresses],
    familyIds: ['family-li'],
  });
  const view = await roster.getContactView('sms', phone);
  if (!view) throw new Error('projection missing');
  return view;
}

async function rawItem(key: { pk: string; sk: string }) {
  const out = await t.client.send(new GetCommand({ TableName: t.tableName, Key: key, ConsistentRead: true }));
  return out.Item;
}

function alert(childId: string, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    alertId: `alert-${childId}-${WEEK}-mood`,
    centreId: 'centre-shimen',
    childId,
    familyId: 'family-li',
    week: WEEK,
    itemId: 'mood',
    reason: 'answer',
    value: 4,
    raisedAt: NOW.toISOString(),
    ...overrides,
  };
}

describe('request budget', () => {
  it('counts per attempt: the counter sits inside the retry middleware', () => {
    const order = t.client.middlewareStack.identify();
    const retry = order.findIndex((m) => m.startsWith('retryMiddleware'));
    const counter = order.findIndex((m) => m.startsWith(REQUEST_COUNTER_MIDDLEWARE));
    expect(retry).toBeGreaterThanOrEqual(0);
    expect(counter).toBeGreaterThan(retry);
  });

  it('loadTurn is one BatchGetItem and returns the projection, no session, not processed', async () => {
    t.requests.length = 0;
    const snapshot = await store.loadTurn('sms', '+8613800000001', 'SM-never-seen');
    expect(t.requests).toEqual(['BatchGetItemCommand']);
    expect(snapshot.contact?.contactId).toBe('contact-li-nainai');
    expect(snapshot.contact?.children.map((c) => c.name)).toEqual(['小明', '小红']);
    expect(snapshot.session).toBeUndefined();
    expect(snapshot.processed).toBeUndefined();
  });

  it('loadTurn of an unknown address finds nothing, still in one request', async () => {
    t.requests.length = 0;
    const snapshot = await store.loadTurn('sms', '+8613012345678', 'SM-x');
    expect(t.requests).toHaveLength(1);
    expect(snapshot).toEqual({ contact: undefined, session: undefined, processed: undefined });
  });

  it('commitTurn is one TransactWriteItems, even with answers, alerts and contact changes', async () => {
    const contact = await freshCarer([{ channel: 'wechat', address: `o-${Math.random()}` }]);
    t.requests.length = 0;
    const result = await store.commitTurn(
      turn(contact, {
        session: session(),
        answers: [answer('child-xiaoming', 'attendance', 3), answer('child-xiaohong', 'mood', 4)],
        alerts: [alert('child-xiaohong')],
        contactChanges: { language: 'en', stopHintWeek: WEEK },
      }),
    );
    expect(result).toBe('committed');
    expect(t.requests).toEqual(['TransactWriteItemsCommand']);
  });
});

describe('commitTurn', () => {
  it('writes the message, session, check-in answers and alert together', async () => {
    const contact = await freshCarer();
    const commit = turn(contact, {
      session: session({ stepId: 'school' }),
      answers: [answer('child-xiaoming', 'attendance', 3), answer('child-xiaoming', 'mood', 4, ' 4 ')],
      alerts: [alert('child-xiaoming')],
      replies: ['【连心】小明这周上学怎么样？'],
    });
    expect(await store.commitTurn(commit)).toBe('committed');

    const snapshot = await store.loadTurn('sms', commit.inbound.from, commit.inbound.messageId);
    expect(snapshot.processed).toEqual({ replies: ['【连心】小明这周上学怎么样？'] });
    expect(snapshot.session).toEqual({ session: session({ stepId: 'school' }), version: 1 });

    const checkin = await checkins.getCheckin('child-xiaoming', WEEK);
    expect(checkin).toMatchObject({
      childId: 'child-xiaoming',
      familyId: 'family-li',
      centreId: 'centre-shimen',
      week: WEEK,
      flowId: 'carer-weekly',
      status: 'in-progress',
    });
    expect(checkin?.answers).toEqual({
      attendance: { status: 'answered', value: 3, raw: '3', answeredAt: NOW.toISOString() },
      mood: { status: 'answered', value: 4, raw: ' 4 ', answeredAt: NOW.toISOString() },
    });

    const stored = await rawItem(keys.centreAlert('centre-shimen', alert('child-xiaoming').alertId));
    expect(stored).toMatchObject({
      status: 'open',
      childId: 'child-xiaoming',
      value: 4,
      raisedAt: NOW.toISOString(),
    });
  });

  it('keeps the message with its body, replies and a ttl of now + messageLogTtlDays', async () => {
    const contact = await freshCarer();
    const commit = turn(contact, { inbound: inbound(contact.addresses[0]?.address ?? '', { body: '3' }) });
    expect(await store.commitTurn(commit)).toBe('committed');
    const item = await rawItem(keys.message('sms', commit.inbound.from, commit.inbound.messageId));
    expect(item).toMatchObject({
      body: '3',
      from: commit.inbound.from,
      to: commit.inbound.to,
      contactId: contact.contactId,
      receivedAt: commit.inbound.receivedAt,
      replies: commit.replies,
      ttl: Math.floor(NOW.getTime() / 1000) + 90 * 86_400,
    });
  });

  it('the same messageId again is a duplicate and changes nothing', async () => {
    const contact = await freshCarer();
    const first = turn(contact, { session: session(), answers: [answer('child-xiaoming', 'attendance', 3)] });
    expect(await store.commitTurn(first)).toBe('committed');

    const replay = {
      ...first,
      expectedSessionVersion: 1,
      session: session({ stepId: 'health' }),
      answers: [answer('child-xiaoming', 'attendance', 7)],
      alerts: [alert('child-xiaoming', { alertId: 'alert-from-replay' })],
      replies: ['different'],
    };
    expect(await store.commitTurn(replay)).toBe('duplicate');

    const snapshot = await store.loadTurn('sms', first.inbound.from, first.inbound.messageId);
    expect(snapshot.processed?.replies).toEqual(first.replies);
    expect(snapshot.session?.version).toBe(1);
    expect(snapshot.session?.session.stepId).toBe('mood');
    expect((await checkins.getCheckin('child-xiaoming', WEEK))?.answers.attendance?.value).toBe(3);
    expect(await rawItem(keys.centreAlert('centre-shimen', 'alert-from-replay'))).toBeUndefined();
  });

  it('a stale session version is a conflict and writes nothing, not even the message', async () => {
    const contact = await freshCarer();
    const from = contact.addresses[0]?.address ?? '';
    expect(await store.commitTurn(turn(contact, { session: session() }))).toBe('committed');

    const stale = turn(contact, {
      expectedSessionVersion: undefined, // read before the first commit created the session
      session: session({ stepId: 'school' }),
      answers: [answer('child-xiaohong', 'health', 1)],
      alerts: [alert('child-xiaohong', { alertId: 'alert-from-stale' })],
      contactChanges: { optedOut: true },
    });
    expect(await store.commitTurn(stale)).toBe('conflict');

    const snapshot = await store.loadTurn('sms', from, stale.inbound.messageId);
    expect(snapshot.processed).toBeUndefined();
    expect(snapshot.session?.version).toBe(1);
    expect(snapshot.contact?.optedOut).toBe(false);
    expect(await rawItem(keys.centreAlert('centre-shimen', 'alert-from-stale'))).toBeUndefined();

    const wrongVersion = turn(contact, { expectedSessionVersion: 7, session: session() });
    expect(await store.commitTurn(wrongVersion)).toBe('conflict');
  });

  it('a session that appeared since the read (none before, none after) is a conflict', async () => {
    const contact = await freshCarer();
    expect(await store.commitTurn(turn(contact, { session: session() }))).toBe('committed');
    const readBeforeIt = turn(contact, { expectedSessionVersion: undefined, session: null });
    expect(await store.commitTurn(readBeforeIt)).toBe('conflict');
  });

  it('bumps the version on each turn and deletes the session when the conversation ends', async () => {
    const contact = await freshCarer();
    const from = contact.addresses[0]?.address ?? '';
    expect(await store.commitTurn(turn(contact, { session: session() }))).toBe('committed');
    expect(
      await store.commitTurn(
        turn(contact, { expectedSessionVersion: 1, session: session({ stepId: 'school' }) }),
      ),
    ).toBe('committed');
    expect((await store.loadTurn('sms', from, 'x')).session?.version).toBe(2);

    expect(await store.commitTurn(turn(contact, { expectedSessionVersion: 1, session: null }))).toBe(
      'conflict',
    );
    expect(await store.commitTurn(turn(contact, { expectedSessionVersion: 2, session: null }))).toBe(
      'committed',
    );
    expect((await store.loadTurn('sms', from, 'x')).session).toBeUndefined();
  });

  it('gives the session item a ttl a week after it expires', async () => {
    const contact = await freshCarer();
    const s = session();
    expect(await store.commitTurn(turn(contact, { session: s }))).toBe('committed');
    const item = await rawItem(keys.session('sms', contact.addresses[0]?.address ?? ''));
    expect(item?.ttl).toBe(Math.floor(Date.parse(s.expiresAt) / 1000) + 7 * 86_400);
  });

  it('five concurrent deliveries of one message: exactly one is committed', async () => {
    const contact = await freshCarer();
    const base = turn(contact, { session: session(), answers: [answer('child-xiaoming', 'attendance', 2)] });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.commitTurn({ ...base, replies: [`reply ${i}`] })),
    );
    expect(results.filter((r) => r === 'committed')).toHaveLength(1);
    for (const r of results)
      expect(['committed', 'duplicate', 'conflict'] satisfies CommitResult[]).toContain(r);

    const winner = results.indexOf('committed');
    const snapshot = await store.loadTurn('sms', base.inbound.from, base.inbound.messageId);
    expect(snapshot.processed?.replies).toEqual([`reply ${winner}`]);
    expect(snapshot.session?.version).toBe(1);
  });

  it('merges answers for the same child and week into one check-in item, across and within turns', async () => {
    const contact = await freshCarer();
    const childId = 'child-xiaohong';
    const week = '2026-W11';
    const a = (itemId: string, value: number) => ({ ...answer(childId, itemId, value), week });
    expect(
      await store.commitTurn(turn(contact, { session: session({ week }), answers: [a('attendance', 5)] })),
    ).toBe('committed');
    expect(
      await store.commitTurn(
        turn(contact, {
          expectedSessionVersion: 1,
          session: null,
          // Two items and the completion of the same child/week in one turn: still one update.
          answers: [a('mood', 1), a('school', 2)],
          completed: [
            { childId, familyId: 'family-li', week, flowId: 'carer-weekly', completedAt: NOW.toISOString() },
          ],
        }),
      ),
    ).toBe('committed');

    const list = await checkins.listCheckins(childId);
    const forWeek = list.filter((c) => c.week === week);
    expect(forWeek).toHaveLength(1);
    expect(forWeek[0]?.status).toBe('completed');
    expect(forWeek[0]?.completedAt).toBe(NOW.toISOString());
    expect(Object.keys(forWeek[0]?.answers ?? {}).sort()).toEqual(['attendance', 'mood', 'school']);

    // A late answer after completion lands on the same item and does not reopen it.
    expect(await store.commitTurn(turn(contact, { answers: [a('health', 1)] }))).toBe('committed');
    const after = await checkins.getCheckin(childId, week);
    expect(after?.status).toBe('completed');
    expect(after?.answers.health?.value).toBe(1);
    expect(after?.answers.attendance?.value).toBe(5);
  });

  it('a re-raised alert keeps its first raisedAt and a status a coordinator changed', async () => {
    const contact = await freshCarer();
    const a = alert('child-xiaoming', { alertId: `alert-reraise-${contact.contactId}` });
    expect(await store.commitTurn(turn(contact, { alerts: [a] }))).toBe('committed');
    const key = keys.centreAlert('centre-shimen', a.alertId);
    expect(await rawItem(key)).toMatchObject({ status: 'open' });
    // A coordinator acknowledges it (their own write path; simulated here).
    await t.client.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: key,
        UpdateExpression: 'SET #s = :ack',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':ack': 'acknowledged' },
      }),
    );
    const later = new Date(NOW.getTime() + 3600_000);
    expect(
      await store.commitTurn(
        turn(contact, { now: later, alerts: [{ ...a, raisedAt: later.toISOString() }] }),
      ),
    ).toBe('committed');
    expect(await rawItem(key)).toMatchObject({
      status: 'acknowledged',
      raisedAt: NOW.toISOString(),
      lastRaisedAt: later.toISOString(),
    });
    // Its follow-ups were written once, due from the first raisedAt.
    expect(await rawItem(keys.alertFollowUp('centre-shimen', a.alertId, 'escalate'))).toMatchObject({
      dueAt: new Date(NOW.getTime() + 24 * 3600_000).toISOString(),
    });
  });

  it('opt-out updates the profile and the projection of every address; stopHintWeek only this one', async () => {
    const wechat = { channel: 'wechat' as const, address: `o-optout-${Date.now()}` };
    const contact = await freshCarer([wechat]);
    const sms = contact.addresses[0];
    if (!sms) throw new Error('no sms address');
    expect(
      await store.commitTurn(turn(contact, { contactChanges: { optedOut: true, stopHintWeek: WEEK } })),
    ).toBe('committed');

    expect((await roster.getContact(contact.contactId))?.optedOut).toBe(true);
    const smsView = await roster.getContactView('sms', sms.address);
    const wechatView = await roster.getContactView('wechat', wechat.address);
    expect(smsView?.optedOut).toBe(true);
    expect(wechatView?.optedOut).toBe(true);
    expect(smsView?.stopHintWeek).toBe(WEEK);
    expect(wechatView?.stopHintWeek).toBeUndefined();

    expect(
      await store.commitTurn(turn(contact, { contactChanges: { optedOut: false, language: 'en' } })),
    ).toBe('committed');
    expect(await roster.getContact(contact.contactId)).toMatchObject({ optedOut: false, language: 'en' });
    expect(await roster.getContactView('wechat', wechat.address)).toMatchObject({
      optedOut: false,
      language: 'en',
    });
  });

  it('stopHintWeek alone touches only this address, not the profile', async () => {
    const wechat = { channel: 'wechat' as const, address: `o-hint-${Date.now()}` };
    const contact = await freshCarer([wechat]);
    const before = await rawItem(keys.contactProfile(contact.contactId));
    expect(await store.commitTurn(turn(contact, { contactChanges: { stopHintWeek: WEEK } }))).toBe(
      'committed',
    );
    expect((await roster.getContactView('sms', contact.addresses[0]?.address ?? ''))?.stopHintWeek).toBe(
      WEEK,
    );
    expect((await roster.getContactView('wechat', wechat.address))?.stopHintWeek).toBeUndefined();
    expect(await rawItem(keys.contactProfile(contact.contactId))).toEqual(before);
  });

  it('an address projection that vanished (roster changed meanwhile) is a conflict, not a half-made item', async () => {
    const wechat = { channel: 'wechat' as const, address: `o-gone-${Date.now()}` };
    const contact = await freshCarer([wechat]);
    await t.client.send(
      new DeleteCommand({ TableName: t.tableName, Key: keys.contactView('wechat', wechat.address) }),
    );
    expect(await store.commitTurn(turn(contact, { contactChanges: { optedOut: true } }))).toBe('conflict');
    expect(await rawItem(keys.contactView('wechat', wechat.address))).toBeUndefined();
    expect((await roster.getContact(contact.contactId))?.optedOut).toBe(false);
  });

  it('a failure that is not a condition is a DependencyError, and nothing is written', async () => {
    const contact = await freshCarer();
    const tooBig = turn(contact, {
      session: session(),
      inbound: inbound(contact.addresses[0]?.address ?? '', { body: 'x'.repeat(420_000) }),
    });
    await expect(store.commitTurn(tooBig)).rejects.toBeInstanceOf(DependencyError);
    const snapshot = await store.loadTurn('sms', tooBig.inbound.from, tooBig.inbound.messageId);
    expect(snapshot.processed).toBeUndefined();
    expect(snapshot.session).toBeUndefined();
  });
});

describe('recordUnprocessed', () => {
  it('keeps the body and reason once; a redelivery does not overwrite it', async () => {
    const message = inbound('+8613800000002', { body: '2' });
    await store.recordUnprocessed(message, 'engine failed', NOW);
    await store.recordUnprocessed(message, 'second try failed', new Date(NOW.getTime() + 1000));
    const item = await rawItem(keys.unprocessed('sms', message.from, message.messageId));
    expect(item).toMatchObject({ body: '2', reason: 'engine failed', recordedAt: NOW.toISOString() });
    expect(item?.ttl).toBe(Math.floor(NOW.getTime() / 1000) + 90 * 86_400);
    // It is not a processed marker: the message can still be replayed as a turn.
    expect((await store.loadTurn('sms', message.from, message.messageId)).processed).toBeUndefined();
  });
});
