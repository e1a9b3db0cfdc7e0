import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/table-definition.ts';

export interface TestTable {
  client: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  /** Command name of every HTTP request the client sent, in order; clear it with `requests.length = 0`. */
  requests: string[];
}

/** A fresh, uniquely named table on the run's DynamoDB Local, with a request-counting client. */
export async function createTestTable(): Promise<TestTable> {
  const endpoint = inject('dynamodbEndpoint');
  const requests: string[] = [];
  const client = createDocumentClient({
    region: 'local',
    endpoint,
    onRequest: (name) => requests.push(name),
  });
  const tableName = `test-${randomUUID()}`;
  await ensureTable(client, tableName);
  requests.length = 0;
  return { client, tableName, endpoint, requests };
}
