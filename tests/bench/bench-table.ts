import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/ensure-table.ts';

export interface BenchTable {
  client: DynamoDBDocumentClient;
  config: Config;
  /** DynamoDB HTTP requests sent, counted by an SDK middleware; reset it before what is measured. */
  requests: { count: number };
  stop(): Promise<void>;
}

/** A private DynamoDB Local with a fresh table, a request-counting client and a local config. */
export async function startBenchTable(
  tableName: string,
  env: Record<string, string> = {},
): Promise<BenchTable> {
  const dynamo = await startDynamoDbLocal({});
  const requests = { count: 0 };
  const client = createDocumentClient({
    region: 'local',
    endpoint: dynamo.endpoint,
    onRequest: () => requests.count++,
  });
  const config = loadConfig({
    LIANXIN_ENV: 'local',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    TABLE_NAME: tableName,
    ...env,
  });
  await ensureTable(client, tableName);
  requests.count = 0;
  return { client, config, requests, stop: () => dynamo.stop() };
}

/** Writes every item, 25 a request, `concurrency` requests at once (seeding, not measured). */
export async function seedItems(
  client: DynamoDBDocumentClient,
  table: string,
  items: Iterator<Record<string, unknown>>,
  concurrency: number,
): Promise<void> {
  const take = () => {
    const batch: Record<string, unknown>[] = [];
    for (let next = items.next(); !next.done; next = items.next()) {
      batch.push(next.value);
      if (batch.length === 25) break;
    }
    return batch;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let batch = take(); batch.length > 0; batch = take()) {
        let pending = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
          pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
        }
      }
    }),
  );
}
