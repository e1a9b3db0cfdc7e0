import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '#lib/store/conversation/dynamo-conversation-store.ts';
import { keys } from '#lib/store/keys.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';
import { inbound, NOW } from '#tests/support/turn-fixtures.ts';

let t: TestTable;
let store: DynamoConversationStore;
const HOUR = 3600_000;

beforeAll(async () => {
  t = await createTestTable();
  store = new DynamoConversationStore({ client: t.client, tableName: t.tableName, messageLogTtlDays: 90 });
});

describe('recordUnregistered', () => {
  it('replies to the first message, stays silent within 24 h, answers a redelivery, replies again after a day', async () => {
    const from = '+8613012340001';
    const first = inbound(from, { body: '你好 我是谁' });
    const second = inbound(from, { body: '?' });

    t.requests.length = 0;
    expect(await store.recordUnregistered(first, NOW)).toBe(true);
    expect(t.requests).toEqual(['PutItemCommand']);

    expect(await store.recordUnregistered(second, new Date(NOW.getTime() + 2 * HOUR))).toBe(false);
    // Twilio redelivers the first message: it gets the same reply again.
    expect(await store.recordUnregistered(first, new Date(NOW.getTime() + 3 * HOUR))).toBe(true);
    expect(await store.recordUnregistered(second, new Date(NOW.getTime() + 23 * HOUR))).toBe(false);
    expect(await store.recordUnregistered(second, new Date(NOW.getTime() + 28 * HOUR))).toBe(true);
  });

  it('keeps only a minimal trace: no body, and a ttl two days out', async () => {
    const message = inbound('+8613012340002', { body: 'secret words' });
    expect(await store.recordUnregistered(message, NOW)).toBe(true);
    const { Item } = await t.client.send(
      new GetCommand({
        TableName: t.tableName,
        Key: keys.unregistered('sms', message.from),
        ConsistentRead: true,
      }),
    );
    expect(Item).toBeDefined();
    expect(JSON.stringify(Item)).not.toContain('secret words');
    expect(Object.keys(Item ?? {}).sort()).toEqual([
      'entity',
      'lastMessageId',
      'lastRepliedAt',
      'pk',
      'sk',
      'ttl',
    ]);
    expect(Item?.ttl).toBe(Math.floor(NOW.getTime() / 1000) + 2 * 86_400);
  });

  it('tracks each address separately', async () => {
    expect(await store.recordUnregistered(inbound('+8613012340003'), NOW)).toBe(true);
    expect(await store.recordUnregistered(inbound('+8613012340004'), NOW)).toBe(true);
  });
});
