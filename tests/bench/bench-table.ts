import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Config, loadConfig } from '#lib/config.ts';
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/table-definition.ts';

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
