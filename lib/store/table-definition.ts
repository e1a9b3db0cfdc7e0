import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type KeySchemaElement,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The single table, described once: ensureTable (local, tests) and the CDK stateful stack both
 * build from this, so they cannot drift apart.
 */
export const TABLE_DESIGN = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds; DynamoDB deletes expired items lazily (within days), so readers still check. */
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
} as const;

/**
 * The due index: what the scheduler tick has to do, found by due time with no scan. Only items with
 * something due carry its keys (a sparse index): each contact's weekly schedule, a completed
 * check-in whose parents' update is still to go, and an alert's follow-ups (notify, escalate). Write-sharded: `dueShard` is `DUE#00`…`DUE#15`
 * by a hash of the item's id, so a Saturday's thousands of invitations do not all land on one
 * partition; `dueKey` is the due time (ISO) and the item's id. A tick queries every shard for keys
 * up to now, in parallel: its cost follows what is due, not the size of the roster.
 */
export const DUE_INDEX = {
  name: 'due',
  partitionKey: { name: 'dueShard', type: 'S' },
  sortKey: { name: 'dueKey', type: 'S' },
  /** The tick reads what it needs to act from the index itself. */
  projection: 'ALL',
  /** Never lowered: items on a dropped shard would never be found again. */
  shards: 16,
} as const;

export const TABLE_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: TABLE_DESIGN.partitionKey.name, KeyType: 'HASH' },
  { AttributeName: TABLE_DESIGN.sortKey.name, KeyType: 'RANGE' },
];

export const DUE_INDEX_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: DUE_INDEX.partitionKey.name, KeyType: 'HASH' },
  { AttributeName: DUE_INDEX.sortKey.name, KeyType: 'RANGE' },
];

export const TABLE_ATTRIBUTE_DEFINITIONS: AttributeDefinition[] = [
  { AttributeName: TABLE_DESIGN.partitionKey.name, AttributeType: TABLE_DESIGN.partitionKey.type },
  { AttributeName: TABLE_DESIGN.sortKey.name, AttributeType: TABLE_DESIGN.sortKey.type },
  { AttributeName: DUE_INDEX.partitionKey.name, AttributeType: DUE_INDEX.partitionKey.type },
  { AttributeName: DUE_INDEX.sortKey.name, AttributeType: DUE_INDEX.sortKey.type },
];

/** Creates the table if it is missing, waits until it is ACTIVE and makes sure TTL is on. Idempotent. */
export async function ensureTable(client: DynamoDBDocumentClient, tableName: string): Promise<void> {
  if (!(await tableExists(client, tableName))) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          KeySchema: TABLE_KEY_SCHEMA,
          AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS,
          BillingMode: TABLE_DESIGN.billingMode,
          GlobalSecondaryIndexes: [
            {
              IndexName: DUE_INDEX.name,
              KeySchema: DUE_INDEX_KEY_SCHEMA,
              Projection: { ProjectionType: DUE_INDEX.projection },
            },
          ],
        }),
      );
    } catch (error) {
      // Another process created it between our describe and create: that is fine.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitUntilTableExists(
    { client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
    { TableName: tableName },
  );

  await ensureDueIndex(client, tableName);

  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_DESIGN.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}

/** A table made before the due index existed (`npm start --data`) gets it added. */
async function ensureDueIndex(client: DynamoDBDocumentClient, tableName: string): Promise<void> {
  const indexStatus = async () =>
    (
      await client.send(new DescribeTableCommand({ TableName: tableName }))
    ).Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === DUE_INDEX.name)?.IndexStatus;
  let status = await indexStatus();
  if (status === undefined) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS,
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: DUE_INDEX.name,
              KeySchema: DUE_INDEX_KEY_SCHEMA,
              Projection: { ProjectionType: DUE_INDEX.projection },
            },
          },
        ],
      }),
    );
    status = await indexStatus();
  }
  for (let waited = 0; status !== 'ACTIVE' && waited < 120_000; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = await indexStatus();
  }
}

async function tableExists(client: DynamoDBDocumentClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
