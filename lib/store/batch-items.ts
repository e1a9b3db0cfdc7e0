// BatchGetItem and BatchWriteItem with their limits (100 keys, 25 writes) and the retry of what
// DynamoDB left unprocessed, which it may do under load without any error.
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#lib/errors.ts';
import type { ItemKey } from '#lib/store/keys.ts';

const MAX_GET_KEYS = 100;
const MAX_WRITES = 25;
const MAX_ATTEMPTS = 8;
const WRITES_IN_FLIGHT = 4;

const backoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));

/** Every item of `wanted` that exists (strongly consistent), in no particular order. */
export async function batchGetItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  wanted: readonly ItemKey[],
  what: string,
  options: { attributes?: readonly string[] } = {},
): Promise<Record<string, unknown>[]> {
  const projection = options.attributes
    ? {
        ProjectionExpression: ['pk', 'sk', ...options.attributes].map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(
          ['pk', 'sk', ...options.attributes].map((a, i) => [`#a${i}`, a]),
        ),
      }
    : {};
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < wanted.length; i += MAX_GET_KEYS) {
    let pending: Record<string, unknown>[] = wanted
      .slice(i, i + MAX_GET_KEYS)
      .map((k) => ({ pk: k.pk, sk: k.sk }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS)
        throw new DependencyError(`${what}: ${pending.length} keys left unprocessed`);
      if (attempt > 1) await backoff(attempt);
      const keysNow = pending;
      const output = await call(what, () =>
        client.send(
          new BatchGetCommand({
            RequestItems: { [tableName]: { Keys: keysNow, ConsistentRead: true, ...projection } },
          }),
        ),
      );
      found.push(...(output.Responses?.[tableName] ?? []));
      pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/** Puts every item (unconditionally: for items whose rewrite is harmless). */
export function batchPutItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  what: string,
): Promise<void> {
  return batchWrite(
    client,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
    what,
  );
}

/** Deletes every key (a missing item is no error). */
export function batchDeleteItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  what: string,
): Promise<void> {
  return batchWrite(
    client,
    tableName,
    keys.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })),
    what,
  );
}

async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: Record<string, unknown>[],
  what: string,
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < requests.length; i += MAX_WRITES) chunks.push(requests.slice(i, i + MAX_WRITES));
  // A few chunks in flight at once: a page of 500 is 20 requests, which one after another dominate.
  let next = 0;
  const worker = async () => {
    for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
      let pending = chunk;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS)
          throw new DependencyError(`${what}: ${pending.length} writes left unprocessed`);
        if (attempt > 1) await backoff(attempt);
        const batch = pending;
        const output = await call(what, () =>
          client.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch as never } })),
        );
        pending = (output.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, chunks.length) }, worker));
}

async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new DependencyError(`${what} failed`, { cause: error });
  }
}
