// SendMessageBatchCommand comes from `await import()` where it is sent: in a one-file bundle a static
// import here would load the SQS client at every cold start, enqueue or not.
import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { SQS_SEND_QUEUE } from '#lib/outbound/sqs-access.ts';
import type { SendQueue } from '#lib/ports/send-queue.ts';

export interface SqsSendQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

const BATCH_SIZE = 10;
const MAX_DELAY_SECONDS = 900;

const clampSeconds = (seconds: number, max: number): number =>
  Number.isFinite(seconds) ? Math.min(max, Math.max(0, Math.round(seconds))) : 0;

/**
 * The send queue on an SQS standard queue, for producers: it only sends. The worker reads the queue
 * through the Lambda event source (see sqs-batch.ts) and controls deliveries with SqsQueueControl.
 */
export class SqsSendQueue implements SendQueue {
  /** SendMessageBatch is authorized as sqs:SendMessage. */
  static readonly awsAccess = SQS_SEND_QUEUE.awsAccess;

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

  async #sendBatch(entries: SendMessageBatchRequestEntry[]) {
    const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
    const response = await this.options.client.send(
      new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
    );
    return response.Failed ?? [];
  }
}
