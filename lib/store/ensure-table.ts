// Creating the table where nobody else does: DynamoDB Local for `npm start`, the tests and the bench.
// In AWS the CDK stateful stack owns the table; no function carries these table-level commands.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type KeySchemaElement,
  type Projection,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DUE_INDEX,
  DUE_INDEX_KEY_SCHEMA,
  REFS_INDEX,
  REFS_INDEX_KEY_SCHEMA,
  TABLE_ATTRIBUTE_DEFINITIONS,
  TABLE_DESIGN,
  TABLE_KEY_SCHEMA,
} from '#lib/store/table-definition.ts';

const REFS_PROJECTION: Projection = {
  ProjectionType: REFS_INDEX.projection,
  NonKeyAttributes: [...REFS_INDEX.nonKeyAttributes],
};

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
            { IndexName: REFS_INDEX.name, KeySchema: REFS_INDEX_KEY_SCHEMA, Projection: REFS_PROJECTION },
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

  await ensureIndex(client, tableName, DUE_INDEX.name, DUE_INDEX_KEY_SCHEMA, {
    ProjectionType: DUE_INDEX.projection,
  });
  await ensureIndex(client, tableName, REFS_INDEX.name, REFS_INDEX_KEY_SCHEMA, REFS_PROJECTION);

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

/** A table made before an index existed (`npm start --data`) gets it added. */
async function ensureIndex(
  client: DynamoDBDocumentClient,
  tableName: string,
  name: string,
  keySchema: KeySchemaElement[],
  projection: Projection,
): Promise<void> {
  const indexStatus = async () =>
    (
      await client.send(new DescribeTableCommand({ TableName: tableName }))
    ).Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === name)?.IndexStatus;
  let status = await indexStatus();
  if (status === undefined) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS,
        GlobalSecondaryIndexUpdates: [
          {
            Create: { IndexName: name, KeySchema: keySchema, Projection: projection },
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
