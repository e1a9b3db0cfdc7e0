import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type KeySchemaElement,
  ResourceInUseException,
  ResourceNotFoundException,
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

export const TABLE_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: TABLE_DESIGN.partitionKey.name, KeyType: 'HASH' },
  { AttributeName: TABLE_DESIGN.sortKey.name, KeyType: 'RANGE' },
];

export const TABLE_ATTRIBUTE_DEFINITIONS: AttributeDefinition[] = [
  { AttributeName: TABLE_DESIGN.partitionKey.name, AttributeType: TABLE_DESIGN.partitionKey.type },
  { AttributeName: TABLE_DESIGN.sortKey.name, AttributeType: TABLE_DESIGN.sortKey.type },
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

async function tableExists(client: DynamoDBDocumentClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
