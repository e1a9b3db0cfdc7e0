// The adapters every function has: the table's client and the clock. A function that never enqueues
// (the status webhook) builds only these, so its bundle carries no SQS client it is not allowed to use.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '#lib/config/core.ts';
import { processObservability, traced } from '#lib/observability/process-observability.ts';
import { type Clock, ShiftedClock, systemClock } from '#lib/ports/clock.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

export interface StoreAdapters {
  client: DynamoDBDocumentClient;
  clock: Clock;
  /** Business metrics (Powertools EMF in AWS, none locally; tests pass a recording fake). */
  metrics?: BusinessMetrics | undefined;
}

/** The adapters' client (and queue, if any) as one function's role lets them act. */
export type FunctionScope = (
  functionName: string,
  adapters: { client: DynamoDBDocumentClient; queue?: SendQueue },
) => { client: DynamoDBDocumentClient; queue?: SendQueue };

/**
 * Tests only: a client registered here stands for every function, and each wiring factory asks for
 * its own function's view of it (`asFunction` below): an AWS client that refuses what the synthesized
 * role does not allow (tests/support/iam-enforcing-client.ts). Nothing is registered in AWS or locally.
 */
export const functionScopes = new WeakMap<DynamoDBDocumentClient, FunctionScope>();

/** Local time for the whole `npm start` process, which `npm run tick -- --at …` may move. */
export const localClock = new ShiftedClock();

export function storeAdapters(config: Config): StoreAdapters {
  // In AWS its calls are X-Ray subsegments (the document client shares the base client's middleware).
  const client = traced(
    createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
  );
  return {
    client,
    clock: config.LIANXIN_ENV === 'local' ? localClock : systemClock,
    metrics: processObservability().metrics,
  };
}

/** These adapters as `functionName` may use them: unchanged outside the IAM-enforcing tests. */
export function asFunction<A extends StoreAdapters & { queue?: SendQueue }>(
  adapters: A,
  functionName: string,
): A {
  const scope = functionScopes.get(adapters.client);
  return scope ? { ...adapters, ...scope(functionName, adapters) } : adapters;
}

export function outboundRepository(config: Config, adapters: StoreAdapters): DynamoOutboundRepository {
  return new DynamoOutboundRepository({
    client: adapters.client,
    tableName: config.TABLE_NAME,
    messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS,
  });
}
