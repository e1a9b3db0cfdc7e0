import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/ensure-table.ts';
import { functionScopes } from '#lib/wiring/store-adapters.ts';
import { iamEnforcingScope } from '#tests/support/iam-enforcing-client.ts';

export interface TestTable {
  client: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  /** Command name of every HTTP request the client sent, in order; clear it with `requests.length = 0`. */
  requests: string[];
}

/**
 * A fresh, uniquely named table on the run's DynamoDB Local, with a request-counting client. What a
 * function's wiring builds on this client acts with that function's role from the synthesized
 * template (tests/support/iam-enforcing-client.ts): a request AWS would deny fails here too.
 */
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
  const table = { client, tableName, endpoint, requests };
  functionScopes.set(client, iamEnforcingScope(table, inject('rolePolicies')));
  return table;
}
