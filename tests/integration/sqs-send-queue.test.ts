// SqsSendQueue through a real SQSClient against a tiny local server that speaks enough of the SQS
// JSON protocol (POST, x-amz-target: AmazonSQS.<Action>, application/x-amz-json-1.0).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsQueueControl } from '#lib/outbound/sqs-queue-control.ts';
import { SqsSendQueue } from '#lib/outbound/sqs-send-queue.ts';
import type { QueueDelivery } from '#lib/ports/send-queue.ts';

interface Call {
  action: string;
  // biome-ignore lint/suspicious/noExplicitAny: the request JSON as the SDK sent it
  input: any;
}

type Entry = { Id: string; MessageBody: string; DelaySeconds?: number };

const calls: Call[] = [];
/** Bodies SendMessageBatch reports as failed, and how many more times it does. */
const failures = new Map<string, number>();
let server: Server;
let endpoint: string;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function answer(action: string, input: Call['input']): { status: number; body: object } {
  switch (action) {
    case 'SendMessageBatch': {
      const entries = input.Entries as Entry[];
      const failed = entries.filter((e) => (failures.get(e.MessageBody) ?? 0) > 0);
      for (const e of failed) failures.set(e.MessageBody, (failures.get(e.MessageBody) ?? 0) - 1);
      return {
        status: 200,
        body: {
          Successful: entries
            .filter((e) => !failed.includes(e))
            .map((e) => ({
              Id: e.Id,
              MessageId: `id-${e.MessageBody}`,
              MD5OfMessageBody: md5(e.MessageBody),
            })),
          Failed: failed.map((e) => ({
            Id: e.Id,
            SenderFault: false,
            Code: 'InternalError',
            Message: 'try again',
          })),
        },
      };
    }
    case 'SendMessage':
      return { status: 200, body: { MessageId: 'dlq-1', MD5OfMessageBody: md5(input.MessageBody) } };
    case 'ChangeMessageVisibility':
      if (input.ReceiptHandle === 'stale-handle') {
        return {
          status: 400,
          body: { __type: 'com.amazonaws.sqs#MessageNotInflight', message: 'The message is not in flight.' },
        };
      }
      if (input.ReceiptHandle === 'broken-handle') {
        return { status: 400, body: { __type: 'com.amazonaws.sqs#InvalidAddress', message: 'nope' } };
      }
      return { status: 200, body: {} };
    default:
      return { status: 400, body: { __type: 'com.amazonaws.sqs#InvalidAction', message: action } };
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      const input = JSON.parse(raw || '{}');
      calls.push({ action, input });
      const { status, body } = answer(action, input);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  calls.length = 0;
  failures.clear();
});

function sqsClient() {
  return new SQSClient({
    endpoint,
    region: 'cn-northwest-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
}

function queue() {
  return new SqsSendQueue({ client: sqsClient(), queueUrl: `${endpoint}/000000000000/lianxin-send` });
}

function control() {
  return new SqsQueueControl({
    client: sqsClient(),
    queueUrl: `${endpoint}/000000000000/lianxin-send`,
    deadLetterQueueUrl: `${endpoint}/000000000000/lianxin-send-dlq`,
  });
}

const delivery: QueueDelivery = {
  messageId: 'msg-7',
  receiptHandle: 'current-handle',
  body: '{"key":"alert#a1#c1"}',
  receiveCount: 5,
};

describe('SqsSendQueue', () => {
  it('sends in batches of at most 10 with the delay clamped to 900 s', async () => {
    const bodies = Array.from({ length: 23 }, (_, i) => `{"n":${i}}`);
    await queue().send(bodies, 3600);
    expect(calls.map((c) => c.action)).toEqual(['SendMessageBatch', 'SendMessageBatch', 'SendMessageBatch']);
    expect(calls.map((c) => c.input.Entries.length)).toEqual([10, 10, 3]);
    const entries = calls.flatMap((c) => c.input.Entries as Entry[]);
    expect(entries.map((e) => e.MessageBody)).toEqual(bodies);
    expect(new Set(entries.map((e) => e.DelaySeconds))).toEqual(new Set([900]));
    expect(new Set(calls.map((c) => c.input.QueueUrl))).toEqual(
      new Set([`${endpoint}/000000000000/lianxin-send`]),
    );
  });

  it('clamps a negative delay to 0 and makes no call for no bodies', async () => {
    await queue().send([], 5);
    expect(calls).toEqual([]);
    await queue().send(['x'], -3);
    expect(calls[0]?.input.Entries[0].DelaySeconds).toBe(0);
  });

  it('retries just the failed entries once', async () => {
    failures.set('b', 1);
    await queue().send(['a', 'b', 'c'], 0);
    expect(calls.map((c) => (c.input.Entries as Entry[]).map((e) => e.MessageBody))).toEqual([
      ['a', 'b', 'c'],
      ['b'],
    ]);
  });

  it('throws when an entry fails again after its retry', async () => {
    failures.set('b', 2);
    await expect(queue().send(['a', 'b'], 0)).rejects.toThrow(/failed for 1 message.*InternalError/);
    expect(calls).toHaveLength(2);
  });

  it('changes visibility with ChangeMessageVisibility, clamped to 12 hours', async () => {
    await control().changeVisibility(delivery, 90.4);
    await control().changeVisibility(delivery, 100_000);
    expect(calls.map((c) => [c.action, c.input.ReceiptHandle, c.input.VisibilityTimeout])).toEqual([
      ['ChangeMessageVisibility', 'current-handle', 90],
      ['ChangeMessageVisibility', 'current-handle', 43_200],
    ]);
  });

  it('leaves a delivery that is no longer in flight alone, but throws other errors', async () => {
    await expect(
      control().changeVisibility({ ...delivery, receiptHandle: 'stale-handle' }, 60),
    ).resolves.toBeUndefined();
    await expect(
      control().changeVisibility({ ...delivery, receiptHandle: 'broken-handle' }, 60),
    ).rejects.toThrow(/nope/);
  });

  it('dead-letters by sending the body to the DLQ with the reason', async () => {
    await control().deadLetter(delivery, 'failed after 5 attempts: Twilio 500');
    expect(calls).toEqual([
      {
        action: 'SendMessage',
        input: {
          QueueUrl: `${endpoint}/000000000000/lianxin-send-dlq`,
          MessageBody: '{"key":"alert#a1#c1"}',
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: 'failed after 5 attempts: Twilio 500' },
            sourceMessageId: { DataType: 'String', StringValue: 'msg-7' },
            receiveCount: { DataType: 'Number', StringValue: '5' },
          },
        },
      },
    ]);
  });
});
