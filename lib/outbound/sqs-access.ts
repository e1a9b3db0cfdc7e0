// What the send queue's SQS adapters send, in a module without the SQS client: a function's wiring
// names it without loading the client it only imports on first use.
import type { SendsToAws } from '#lib/store/iam-actions.ts';

/** A producer (SqsSendQueue): SendMessageBatch is authorized as sqs:SendMessage. */
export const SQS_SEND_QUEUE: SendsToAws = { awsAccess: { sendQueue: ['sqs:SendMessage'] } };

/** The worker's control of a delivery (SqsQueueControl): hide it longer, or dead-letter it. */
export const SQS_QUEUE_CONTROL: SendsToAws = {
  awsAccess: { sendQueue: ['sqs:ChangeMessageVisibility'], deadLetterQueue: ['sqs:SendMessage'] },
};
