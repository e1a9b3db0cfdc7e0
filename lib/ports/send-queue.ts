/**
 * The send queue: SQS in AWS, an in-process queue locally and in tests, with the same
 * at-least-once semantics (a message can be delivered twice; the worker makes that harmless).
 */
export interface SendQueue {
  /** Adds messages (bodies are JSON strings); delaySeconds ≤ 900 as on SQS. */
  send(bodies: string[], delaySeconds?: number): Promise<void>;
}

/** One delivery of a queue message to the worker. */
export interface QueueDelivery {
  /** The queue's id of the message: the same on every redelivery. */
  messageId: string;
  /** This delivery's handle (differs per delivery), for visibility changes. */
  receiptHandle: string;
  body: string;
  /** How many times the message has been delivered, this time included (1 = first). */
  receiveCount: number;
  /**
   * When the message was first received: SQS caps its visibility at 12 hours from then, however
   * often it is changed (ApproximateFirstReceiveTimestamp). Unknown: treat as now.
   */
  firstReceivedAt?: Date | undefined;
}

/** SQS's limits: the longest delay of a send, and the longest a message stays hidden from first receipt. */
export const SQS_MAX_DELAY_SECONDS = 900;
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/** What SQS answers a ChangeMessageVisibility past 12 hours from the message's first receipt. */
export class VisibilityLimitExceeded extends Error {
  override readonly name = 'VisibilityLimitExceeded';
}

/** What a consumer may do with a delivery besides finishing it. */
export interface QueueControl {
  /**
   * Hide the delivery for this long (retry backoff, quiet hours). SQS allows it only up to 12 h from
   * the message's first receipt and rejects more (VisibilityLimitExceeded): a longer hold re-enqueues.
   */
  changeVisibility(delivery: QueueDelivery, seconds: number): Promise<void>;
  /** Move the message to the dead-letter queue now (after the last attempt). */
  deadLetter(delivery: QueueDelivery, reason: string): Promise<void>;
}

/**
 * The worker's verdict on one delivery: `done` deletes it; `retry` leaves it on the queue
 * (hidden for the visibility it set) to come back; reported as a partial batch failure on SQS.
 */
export type DeliveryResult = 'done' | 'retry';

/** What drains a queue (the send worker), per delivery. A thrown error counts as `retry`. */
export type QueueConsumer = (delivery: QueueDelivery, control: QueueControl) => Promise<DeliveryResult>;
