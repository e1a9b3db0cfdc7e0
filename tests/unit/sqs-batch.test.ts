import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processSqsBatch, toQueueDeliveries } from '#lib/outbound/sqs-batch.ts';
import type { QueueControl, QueueDelivery } from '#lib/ports/send-queue.ts';

function record(messageId: string, body: string, receiveCount: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}handle==`,
    body,
    attributes: {
      ApproximateReceiveCount: receiveCount,
      SentTimestamp: '1764900000000',
      SenderId: 'AROAEXAMPLE:lianxin-enqueue',
      ApproximateFirstReceiveTimestamp: '1764900000123',
    },
    messageAttributes: {},
    md5OfBody: '0123456789abcdef0123456789abcdef',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws-cn:sqs:cn-northwest-1:123456789012:lianxin-send',
    awsRegion: 'cn-northwest-1',
  };
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const control: QueueControl = {
  changeVisibility: async () => {},
  deadLetter: async () => {},
};

describe('toQueueDeliveries', () => {
  it('maps records to deliveries: receive count and first receipt from the approximate attributes', () => {
    const deliveries = toQueueDeliveries(
      event(record('m-1', '{"key":"digest#f1#2026-W49#c1"}', '1'), record('m-2', '{"key":"k2"}', '4')),
    );
    expect(deliveries).toEqual([
      {
        messageId: 'm-1',
        receiptHandle: 'AQEBm-1handle==',
        body: '{"key":"digest#f1#2026-W49#c1"}',
        receiveCount: 1,
        firstReceivedAt: new Date('2025-12-05T02:00:00.123Z'),
      },
      {
        messageId: 'm-2',
        receiptHandle: 'AQEBm-2handle==',
        body: '{"key":"k2"}',
        receiveCount: 4,
        firstReceivedAt: new Date(1_764_900_000_123),
      },
    ]);
  });

  it('treats a missing or malformed receive count as a first delivery', () => {
    const [delivery] = toQueueDeliveries(event(record('m-1', 'x', 'not-a-number')));
    expect(delivery?.receiveCount).toBe(1);
  });
});

describe('processSqsBatch', () => {
  it('reports exactly the retried and thrown records as batch item failures, never throwing', async () => {
    const errors: string[] = [];
    const response = await processSqsBatch(
      event(
        record('a', 'done', '1'),
        record('b', 'retry', '2'),
        record('c', 'throw', '1'),
        record('d', 'done', '3'),
      ),
      async (delivery) => {
        if (delivery.body === 'throw') throw new Error(`boom ${delivery.messageId}`);
        return delivery.body === 'retry' ? 'retry' : 'done';
      },
      control,
      { concurrency: 2, onError: (error) => errors.push((error as Error).message) },
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] });
    expect(errors).toEqual(['boom c']);
  });

  it('returns no failures for an all-done batch and passes the control through', async () => {
    const seen: Array<[string, QueueControl]> = [];
    const response = await processSqsBatch(
      event(record('a', 'x', '1'), record('b', 'y', '1')),
      async (delivery, c) => {
        seen.push([delivery.messageId, c]);
        return 'done';
      },
      control,
      { concurrency: 10 },
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen.map(([id]) => id).sort()).toEqual(['a', 'b']);
    expect(seen.every(([, c]) => c === control)).toBe(true);
  });

  it('runs at most `concurrency` records at once, and every record once', async () => {
    let active = 0;
    let maxActive = 0;
    const processed: string[] = [];
    const records = Array.from({ length: 10 }, (_, i) => record(`m-${i}`, String(i), '1'));
    await processSqsBatch(
      event(...records),
      async (delivery: QueueDelivery) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setImmediate(r)); // let the other records start meanwhile
        active--;
        processed.push(delivery.messageId);
        return 'done';
      },
      control,
      { concurrency: 3 },
    );
    expect(maxActive).toBe(3);
    expect(processed.sort()).toEqual(records.map((r) => r.messageId).sort());
  });

  it('reports a message delivered twice in one batch once', async () => {
    const response = await processSqsBatch(
      event(record('dup', 'x', '1'), record('dup', 'x', '2')),
      async () => 'retry',
      control,
      { concurrency: 2 },
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'dup' }]);
  });

  it('reports every record of a batch left for later (all held by quiet hours), and does not throw', async () => {
    const response = await processSqsBatch(
      event(record('a', 'x', '1'), record('b', 'y', '1')),
      async () => 'retry',
      control,
      { concurrency: 2 },
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });
});
