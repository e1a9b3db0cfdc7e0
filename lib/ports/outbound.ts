import type { ChannelName } from '#lib/domain/model.ts';

/** A message lianxin starts (an alert, an invitation, an update), as a feature asks for it. */
export interface OutboundRequest {
  /** Idempotency key, e.g. `alert#<alertId>#<contactId>`: the same key is never sent twice. */
  key: string;
  contactId: string;
  channel: ChannelName;
  address: string;
  body: string;
  kind: 'alert' | 'invitation' | 'reminder' | 'digest' | 'broadcast' | 'reply';
  /** Urgent messages (alerts to coordinators) are not held by quiet hours. */
  urgent: boolean;
}

/** The one path every started message goes through. */
export interface OutboundPort {
  /** Returns false when a message with this key was already enqueued (nothing is done). */
  enqueue(request: OutboundRequest): Promise<boolean>;
}
