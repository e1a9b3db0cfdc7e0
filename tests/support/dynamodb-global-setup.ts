// One DynamoDB Local (in memory, free port) for the whole integration run; each test file makes
// its own table on it (tests/support/test-table.ts), so files stay isolated and run in parallel.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { JAVA_READY_TIMEOUT_MS } from '#tests/support/java-start.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal({ readyTimeoutMs: JAVA_READY_TIMEOUT_MS });
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
