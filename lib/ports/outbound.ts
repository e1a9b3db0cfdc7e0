import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';

/** The one path every message lianxin starts goes through (alerts, invitations, updates…). */
export interface OutboundPort {
  /** Returns false when a message with this key was already enqueued: nothing more is done. */
  enqueue(request: EnqueueRequest): Promise<boolean>;
}

/** Many messages at once (a broadcast's page of recipients), each once per key as with enqueue. */
export interface BatchOutboundPort {
  /** Returns how many were new. */
  enqueueMany(requests: readonly EnqueueRequest[]): Promise<number>;
}
