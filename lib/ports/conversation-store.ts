import type {
  AlertRecord,
  AnswerRecord,
  ChannelName,
  ChildMessageRecord,
  CompletedCheckin,
  ContactChanges,
  ContactView,
  ParentWeekAnswer,
  Session,
} from '#lib/domain/model.ts';

/** One message as it arrived on a channel, before anything was made of it. */
export interface InboundMessage {
  channel: ChannelName;
  /** The sender's channel address (E.164 for SMS). */
  from: string;
  to: string;
  body: string;
  /** The provider's id (Twilio MessageSid, WeChat MsgId): the idempotency key of the turn. */
  messageId: string;
  receivedAt: string;
}

export interface StoredSession {
  session: Session;
  /** Optimistic-locking version of the session item. */
  version: number;
}

/** Everything one turn needs, read in a single request. */
export interface TurnSnapshot {
  contact: ContactView | undefined;
  session: StoredSession | undefined;
  /** Set when this messageId was handled before: the replies it got then. */
  processed: { replies: string[] } | undefined;
}

/** Everything one turn changes, written atomically. */
export interface TurnCommit {
  inbound: InboundMessage;
  contact: ContactView;
  /** Version of the session that was read; undefined when there was none. */
  expectedSessionVersion: number | undefined;
  /** The session after the turn; null when the conversation ended or there is none. */
  session: Session | null;
  answers: AnswerRecord[];
  completed: CompletedCheckin[];
  alerts: AlertRecord[];
  contactChanges: ContactChanges;
  replies: string[];
  now: Date;
  /** A parent's message for their child (kept for the Centre). */
  childMessages?: ChildMessageRecord[] | undefined;
  /** A parent's "did you talk with your child this week?". */
  parentAnswers?: ParentWeekAnswer[] | undefined;
}

/**
 * committed: all written. duplicate: this messageId was already committed.
 * conflict: the session changed since it was read (another message won): read again and retry.
 */
export type CommitResult = 'committed' | 'duplicate' | 'conflict';

export interface ConversationStore {
  loadTurn(channel: ChannelName, address: string, messageId: string): Promise<TurnSnapshot>;
  commitTurn(commit: TurnCommit): Promise<CommitResult>;
  /**
   * A message from an address that belongs to no contact: keep only a minimal, TTL'd trace
   * (no body). Returns true when the sender should get the polite reply (first message in a
   * day, or a redelivery of that same message), false to stay silent.
   */
  recordUnregistered(inbound: InboundMessage, now: Date): Promise<boolean>;
  /** Keep an inbound message that could not be processed, so no answer is lost. */
  recordUnprocessed(inbound: InboundMessage, reason: string, now: Date): Promise<void>;
}
