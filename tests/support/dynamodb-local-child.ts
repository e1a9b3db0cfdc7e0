// Run as a separate Node process by store-dynamodb-local.test.ts: starts DynamoDB Local, prints
// the Java pid, then idles until it is signalled or killed, to prove Java dies with it.
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { JAVA_READY_TIMEOUT_MS } from '#tests/support/java-start.ts';

const dynamo = await startDynamoDbLocal({ readyTimeoutMs: JAVA_READY_TIMEOUT_MS });
process.stdout.write(`${JSON.stringify({ pid: dynamo.pid, endpoint: dynamo.endpoint })}\n`);
setInterval(() => undefined, 60_000);
