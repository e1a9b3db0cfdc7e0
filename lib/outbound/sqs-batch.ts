// The send worker's SQS batch, through Powertools' batch processor (partial batch failures): each
// record is one delivery; a delivery the worker leaves for later ('retry': a hold, a backoff) or that
// throws is reported as a batch item failure, so SQS keeps just those.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Gate } from '#lib/outbound/gate.ts';
import type { QueueConsumer, QueueControl, QueueDelivery } from '#lib/ports/send-queue.ts';

/** One SQS record as a queue delivery (receive count and first receipt from the approximate attributes). */
export function toQueueDelivery(record: SQSRecord): QueueDelivery {
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount: receiveCountOf(record.attributes?.ApproximateReceiveCount),
    firstReceivedAt: firstReceiveOf(record.attributes?.ApproximateFirstReceiveTimestamp),
  };
}

/** The SQS event's records as queue deliveries. */
export function toQueueDeliveries(event: SQSEvent): QueueDelivery[] {
  return event.Records.map(toQueueDelivery);
}

/** A delivery the worker left on the queue on purpose: a failure to Powertools, not an error. */
class LeftForLater extends Error {
  override readonly name = 'LeftForLater';
}

/**
 * Runs `consumer` on each record, `concurrency` at a time, and reports every record that asked
 * for a retry or threw as a batch item failure (the Lambda event source mapping needs
 * `ReportBatchItemFailures`). Never throws for a record, not even when every record is left for
 * later (a batch held by quiet hours is normal, not a failed invocation).
 */
export async function processSqsBatch(
  event: SQSEvent,
  consumer: QueueConsumer,
  control: QueueControl,
  opts: { concurrency: number; onError?: (error: unknown, delivery: QueueDelivery) => void },
): Promise<SQSBatchResponse> {
  const gate = new Gate(Math.max(1, opts.concurrency));
  const recordHandler = (record: SQSRecord) =>
    gate.run(async () => {
      const delivery = toQueueDelivery(record);
      let result: Awaited<ReturnType<QueueConsumer>>;
      try {
        result = await consumer(delivery, control);
      } catch (error) {
        opts.onError?.(error, delivery);
        throw error;
      }
      if (result !== 'done') throw new LeftForLater(delivery.messageId);
    });
  const response = await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
    throwOnFullBatchFailure: false,
    processInParallel: true,
  });
  // In record order; a message delivered twice in one batch is reported once.
  const failed = new Set(response.batchItemFailures.map((f) => String(f.itemIdentifier)));
  const ids = new Set(event.Records.map((r) => r.messageId).filter((id) => failed.has(id)));
  const batchItemFailures: SQSBatchItemFailure[] = [...ids].map((id) => ({ itemIdentifier: id }));
  return { batchItemFailures };
}

function firstReceiveOf(value: string | undefined): Date | undefined {
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined;
}

function receiveCountOf(value: string | undefined): number {
  const count = Number(value);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}
