import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeliveryResult, QueueConsumer, QueueControl, QueueDelivery } from '#lib/ports/send-queue.ts';

/** The SQS event's records as queue deliveries (receive count from ApproximateReceiveCount). */
export function toQueueDeliveries(event: SQSEvent): QueueDelivery[] {
  return event.Records.map((record) => ({
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount: receiveCountOf(record.attributes?.ApproximateReceiveCount),
    firstReceivedAt: firstReceiveOf(record.attributes?.ApproximateFirstReceiveTimestamp),
  }));
}

/**
 * Runs `consumer` on each record, `concurrency` at a time, and reports every record that asked
 * for a retry or threw as a batch item failure, so SQS keeps just those (the Lambda event source
 * mapping needs `ReportBatchItemFailures`). Never throws for a record; the others are deleted.
 */
export async function processSqsBatch(
  event: SQSEvent,
  consumer: QueueConsumer,
  control: QueueControl,
  opts: { concurrency: number; onError?: (error: unknown, delivery: QueueDelivery) => void },
): Promise<SQSBatchResponse> {
  const deliveries = toQueueDeliveries(event);
  const failed = new Set<string>();
  let next = 0;
  const worker = async () => {
    for (let delivery = deliveries[next++]; delivery; delivery = deliveries[next++]) {
      let result: DeliveryResult;
      try {
        result = await consumer(delivery, control);
      } catch (error) {
        opts.onError?.(error, delivery);
        result = 'retry';
      }
      if (result !== 'done') failed.add(delivery.messageId);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency, deliveries.length));
  await Promise.all(Array.from({ length: workers }, worker));
  // In record order; a message delivered twice in one batch is reported once.
  const ids = new Set(deliveries.map((d) => d.messageId).filter((id) => failed.has(id)));
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
