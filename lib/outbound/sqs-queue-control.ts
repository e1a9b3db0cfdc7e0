// The SDK's commands come from `await import()` where they are sent: functions are bundled into one file,
// where a static import here would load the SQS client at every cold start, retry or not.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SQS_QUEUE_CONTROL } from '#lib/outbound/sqs-access.ts';
import type { QueueControl, QueueDelivery } from '#lib/ports/send-queue.ts';

export interface SqsQueueControlOptions {
  client: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
}

const MAX_VISIBILITY_SECONDS = 43_200;
/** SQS rejects an empty message attribute value; a reason is for people, so it is kept short. */
const MAX_REASON_LENGTH = 1000;

const clampSeconds = (seconds: number, max: number): number =>
  Number.isFinite(seconds) ? Math.min(max, Math.max(0, Math.round(seconds))) : 0;

/**
 * What the send worker does with a delivery besides finishing it: hide it longer, or dead-letter it
 * with a reason. Only the worker builds it (producers send with SqsSendQueue).
 */
export class SqsQueueControl implements QueueControl {
  static readonly awsAccess = SQS_QUEUE_CONTROL.awsAccess;

  constructor(private readonly options: SqsQueueControlOptions) {}

  /**
   * ChangeMessageVisibility, clamped to 0..43200 s (SQS also caps the total at 12 h from the first
   * receive). A delivery that is no longer in flight or whose handle is stale is left alone, as the
   * in-process queue does: another delivery now decides the message's fate.
   */
  async changeVisibility(delivery: QueueDelivery, seconds: number): Promise<void> {
    const { ChangeMessageVisibilityCommand, MessageNotInflight, ReceiptHandleIsInvalid } = await import(
      '@aws-sdk/client-sqs'
    );
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
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
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
}
