import {
  ChangeMessageVisibilityCommand,
  MessageNotInflight,
  ReceiptHandleIsInvalid,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueControl, QueueDelivery, SendQueue } from '#lib/ports/send-queue.ts';

export interface SqsSendQueueOptions {
  client: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
}

const BATCH_SIZE = 10;
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_SECONDS = 43_200;
/** SQS rejects an empty message attribute value; a reason is for people, so it is kept short. */
const MAX_REASON_LENGTH = 1000;

const clampSeconds = (seconds: number, max: number): number =>
  Number.isFinite(seconds) ? Math.min(max, Math.max(0, Math.round(seconds))) : 0;

/**
 * The send queue on an SQS standard queue. The worker reads it through the Lambda event source
 * (see sqs-batch.ts), so this adapter only sends, changes visibility and dead-letters.
 */
export class SqsSendQueue implements SendQueue, QueueControl {
  constructor(private readonly options: SqsSendQueueOptions) {}

  /**
   * SendMessageBatch in chunks of 10, one after another; entries SQS reports as failed are sent
   * once more, and if any still fail this throws. Chunks sent before a throw stay sent: the caller
   * may retry the whole call, as the worker is idempotent per message key.
   */
  async send(bodies: string[], delaySeconds = 0): Promise<void> {
    const delay = clampSeconds(delaySeconds, MAX_DELAY_SECONDS);
    for (let start = 0; start < bodies.length; start += BATCH_SIZE) {
      const entries = bodies
        .slice(start, start + BATCH_SIZE)
        .map((body, i) => ({ Id: String(start + i), MessageBody: body, DelaySeconds: delay }));
      const failed = await this.#sendBatch(entries);
      if (failed.length === 0) continue;
      const stillFailed = await this.#sendBatch(entries.filter((e) => failed.some((f) => f.Id === e.Id)));
      if (stillFailed.length > 0) {
        const detail = stillFailed.map((f) => `#${f.Id} ${f.Code}${f.Message ? `: ${f.Message}` : ''}`);
        throw new Error(
          `SQS SendMessageBatch failed for ${stillFailed.length} message(s): ${detail.join('; ')}`,
        );
      }
    }
  }

  /**
   * ChangeMessageVisibility, clamped to 0..43200 s (SQS also caps the total at 12 h from the first
   * receive). A delivery that is no longer in flight or whose handle is stale is left alone, as the
   * in-process queue does: another delivery now decides the message's fate.
   */
  async changeVisibility(delivery: QueueDelivery, seconds: number): Promise<void> {
    try {
      await this.options.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.options.queueUrl,
          ReceiptHandle: delivery.receiptHandle,
          VisibilityTimeout: clampSeconds(seconds, MAX_VISIBILITY_SECONDS),
        }),
      );
    } catch (error) {
      if (error instanceof MessageNotInflight || error instanceof ReceiptHandleIsInvalid) return;
      throw error;
    }
  }

  /**
   * Sends the body to the dead-letter queue with `reason`, `sourceMessageId` and `receiveCount`
   * attributes. The caller then reports the delivery `done`, so the original is deleted.
   */
  async deadLetter(delivery: QueueDelivery, reason: string): Promise<void> {
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MessageBody: delivery.body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_LENGTH) || 'unspecified' },
          sourceMessageId: { DataType: 'String', StringValue: delivery.messageId },
          receiveCount: { DataType: 'Number', StringValue: String(delivery.receiveCount) },
        },
      }),
    );
  }

  async #sendBatch(entries: SendMessageBatchRequestEntry[]) {
    const response = await this.options.client.send(
      new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
    );
    return response.Failed ?? [];
  }
}
