import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { loadConfig } from '#lib/config/core.ts';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { lambdaContext } from '#lib/local/lambda-adapter.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { systemClock } from '#lib/ports/clock.ts';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { localSendQueue } from '#lib/wiring/adapters.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

type Handler = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

let table: TestTable;
let handler: Handler;
let service: OutboundService;
let repository: DynamoOutboundRepository;
const sentBodies: string[] = [];

beforeAll(async () => {
  table = await createTestTable();
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  // The deployed entry point, configured as `npm start` configures it (local channel, local queue).
  Object.assign(process.env, {
    LIANXIN_ENV: 'local',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  handler = (await import('#functions/send-worker.ts')).handler as unknown as Handler;
  const config = loadConfig();
  repository = new DynamoOutboundRepository({
    client: table.client,
    tableName: table.tableName,
    messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS,
  });
  // What the enqueue hands to SQS, captured to build the event SQS would give the worker.
  const capture: SendQueue = {
    send: async (bodies) => {
      sentBodies.push(...bodies);
    },
  };
  service = new OutboundService({
    repository,
    queue: capture,
    clock: systemClock,
    logger: createLogger('test'),
  });
});

let seq = 0;
function record(body: string, messageId = `msg-${++seq}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${seq}-${Math.random()}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:cn-north-1:123456789012:lianxin-send',
    awsRegion: 'cn-north-1',
  };
}

async function enqueued(overrides: Partial<EnqueueRequest> = {}): Promise<string> {
  const before = sentBodies.length;
  await service.enqueue({
    key: `handler-test#${++seq}`,
    recipient: { contactId: 'contact-wang-laoshi', channel: 'sms', address: '+8613700000001' },
    body: `【连心】关注提醒 ${seq}`,
    kind: 'alert',
    urgent: true,
    ...overrides,
  });
  const body = sentBodies[before];
  if (!body) throw new Error('nothing enqueued');
  return body;
}

describe('send worker Lambda (SQS event source)', () => {
  it('sends each message once and reports only the records to retry', async () => {
    const now = await enqueued();
    const later = await enqueued({ notBefore: new Date(Date.now() + 3_600_000), urgent: false });
    const outboxBefore = localOutbox.list().length;
    const nowRecord = record(now);
    const laterRecord = record(later);
    // SQS may put the same message in a batch twice.
    const duplicate = { ...record(now, nowRecord.messageId), receiptHandle: 'another-handle' };
    const result = await handler(
      { Records: [nowRecord, laterRecord, duplicate] },
      lambdaContext('send-worker', 'req-1'),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: laterRecord.messageId }]);
    const sent = localOutbox.list().slice(outboxBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('+8613700000001');
    expect((await repository.get(JSON.parse(now).key))?.status).toBe('sent');
    expect((await repository.get(JSON.parse(later).key))?.status).toBe('queued');
  });

  it('dead-letters an unreadable record instead of failing the batch', async () => {
    const result = await handler({ Records: [record('not json')] }, lambdaContext('send-worker', 'req-2'));
    expect(result.batchItemFailures).toEqual([]);
    expect(localSendQueue(loadConfig()).deadLetters.map((d) => d.body)).toContain('not json');
  });
});
