import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type OutboundMessage,
  type OutboundStatus,
  STATUS_RANK,
  type StatusEvent,
} from '#lib/domain/outbound-message.ts';
import { DependencyError } from '#lib/errors.ts';
import { ifAbsent } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { dueIndexKeys, keys, outboundReference, refAttributes } from '#lib/store/keys.ts';

export type ClaimResult = 'claimed' | 'not-queued' | 'opted-out' | 'cancelled' | 'loop-blocked';

export interface LoopGuard {
  /** Identifies "the same body to the same address in this window". */
  bucket: string;
  limit: number;
  expiresAt: Date;
}

const validAddress =
  '(attribute_not_exists(invalidAddressKeys) OR NOT contains(invalidAddressKeys, :address))';

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** Tries of a claim cancelled only by a TransactionConflict (a concurrent write to one of its items). */
const CLAIM_ATTEMPTS = 5;
const conflictBackoff = () => new Promise<void>((resolve) => setTimeout(resolve, 10 + Math.random() * 90));

/**
 * Outbound messages, one item per idempotency key. Three requests per message on the happy
 * path: create (conditional put), claim (one transaction), outcome (one update).
 */
/**
 * How long after it should have gone a message still `queued` is looked at by the sweeper (the
 * scheduler tick): its queue message may never have been sent (the enqueue died after the put).
 */
export const STRANDED_AFTER_MS = 15 * 60_000;

/** A message's keys in the due index: when the sweeper should look at it if it is still waiting. */
const sweepKeys = (key: string, at: Date) => dueIndexKeys(`outbound#${key}`, at);

/** Statuses a message waits in; any other is an outcome, and the sweeper has nothing to look at. */
const WAITING: readonly OutboundStatus[] = ['queued', 'sending'];

export class DynamoOutboundRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlDays: number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; messageLogTtlDays: number }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#ttlDays = options.messageLogTtlDays;
  }

  /** False when a message with this key exists already (the idempotency guarantee). */
  async create(message: OutboundMessage): Promise<boolean> {
    const ttl = epoch(new Date(message.createdAt)) + this.#ttlDays * 86_400;
    const key = keys.outbound(message.key);
    if (message.aboutChildId !== undefined) {
      // Indexed by the child; this reference (first, idempotent) lets erasing the recipient find it too.
      await this.#call(() =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...outboundReference(message.contactId, message.key), entity: 'outbound-ref', ttl },
          }),
        ),
      );
    }
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...key,
            ...refAttributes(
              message.aboutChildId === undefined
                ? { contactId: message.contactId }
                : { childId: message.aboutChildId },
              key,
            ),
            entity: 'outbound',
            ...message,
            ...sweepKeys(message.key, new Date(Date.parse(message.notBefore) + STRANDED_AFTER_MS)),
            ttl,
          },
          ...ifAbsent(),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError('creating the outbound message failed', { cause: error });
    }
  }

  async get(key: string): Promise<OutboundMessage | undefined> {
    const out = await this.#call(() =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: keys.outbound(key), ConsistentRead: true }),
      ),
    );
    return out.Item as OutboundMessage | undefined;
  }

  /**
   * Takes the message for sending, in one transaction that also checks, at send time, that the
   * contact has not opted out (unless `ignoresOptOut`) and the address is not known invalid, and
   * (on the first attempt only, so a retry never counts twice) counts the body against the loop
   * guard. Only a `queued` message can be claimed, so a duplicate delivery cannot send. When it
   * cannot be claimed, the message as it is comes back with the answer, at no extra request.
   */
  async claim(options: {
    key: string;
    contactId: string;
    addressKey: string;
    now: Date;
    loopGuard?: LoopGuard | undefined;
    /** A broadcast's message: not claimed once the broadcast is cancelled. */
    broadcastId?: string | undefined;
    /** A reply to the person's own message: the contact's opt-out does not stop it (EnqueueRequest). */
    ignoresOptOut?: boolean | undefined;
  }): Promise<{ result: ClaimResult; current?: OutboundMessage | undefined }> {
    const first = await this.#claim(options, options.loopGuard);
    // A retry (attempts > 0) skips the loop guard: the guard counted this message already.
    if (first.result === 'not-queued' && first.current?.status === 'queued' && options.loopGuard) {
      return this.#claim(options, undefined);
    }
    return first;
  }

  async #claim(
    options: {
      key: string;
      contactId: string;
      addressKey: string;
      now: Date;
      broadcastId?: string | undefined;
      ignoresOptOut?: boolean | undefined;
    },
    loopGuard: LoopGuard | undefined,
  ): Promise<{ result: ClaimResult; current?: OutboundMessage | undefined }> {
    const at = options.now.toISOString();
    const values: Record<string, unknown> = {
      ':sending': 'sending',
      ':queued': 'queued',
      ':rank': STATUS_RANK.sending,
      ':at': at,
      ':one': 1,
      ':event': [{ status: 'sending', at }],
    };
    if (loopGuard) values[':zero'] = 0;
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Update: {
          TableName: this.#table,
          Key: keys.outbound(options.key),
          UpdateExpression:
            'SET #status = :sending, statusRank = :rank, claimedAt = :at, attempts = attempts + :one, statusHistory = list_append(statusHistory, :event)',
          ConditionExpression: loopGuard ? '#status = :queued AND attempts = :zero' : '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      // Index 1, whatever else follows: a failure here is 'opted-out' (or the address is invalid).
      {
        ConditionCheck: {
          TableName: this.#table,
          Key: keys.contactProfile(options.contactId),
          ConditionExpression: options.ignoresOptOut
            ? `attribute_exists(pk) AND ${validAddress}`
            : `attribute_exists(pk) AND optedOut <> :true AND ${validAddress}`,
          // DynamoDB refuses a value the expression does not use.
          ExpressionAttributeValues: options.ignoresOptOut
            ? { ':address': options.addressKey }
            : { ':true': true, ':address': options.addressKey },
        },
      },
    ];
    // In the same transaction, so cancelling a broadcast stops every message not yet claimed.
    const broadcastCheck = options.broadcastId === undefined ? -1 : items.length;
    if (options.broadcastId !== undefined) {
      items.push({
        ConditionCheck: {
          TableName: this.#table,
          Key: keys.broadcast(options.broadcastId),
          ConditionExpression: '#status <> :cancelled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled' },
        },
      });
    }
    const loopGuardCheck = loopGuard ? items.length : -1;
    if (loopGuard) {
      items.push({
        Update: {
          TableName: this.#table,
          Key: { pk: `LOOPGUARD#${options.addressKey}`, sk: loopGuard.bucket },
          UpdateExpression: 'ADD sends :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(sends) OR sends < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': loopGuard.limit,
            ':ttl': epoch(loopGuard.expiresAt),
          },
        },
      });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
        return { result: 'claimed' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) {
          throw new DependencyError('claiming the outbound message failed', { cause: error });
        }
        const reasons = error.CancellationReasons ?? [];
        const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
        if (failed(0)) {
          const old = reasons[0]?.Item;
          return { result: 'not-queued', current: old ? (unmarshall(old) as OutboundMessage) : undefined };
        }
        if (failed(1)) return { result: 'opted-out' };
        if (failed(broadcastCheck)) return { result: 'cancelled' };
        if (failed(loopGuardCheck)) return { result: 'loop-blocked' };
        // Another request touched one of these items at that moment (every claim of a broadcast's
        // messages checks its META): nothing was written, and the SDK does not retry it.
        const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
        if (conflict && attempt < CLAIM_ATTEMPTS) {
          await conflictBackoff();
          continue;
        }
        throw new DependencyError('claiming the outbound message failed', { cause: error });
      }
    }
  }

  /**
   * Moves the message to `status` (recording the event), but only from one of `from`, so two
   * workers cannot both record an outcome. Returns the message as it now is, or undefined when
   * it was not in `from`.
   */
  async transition(options: {
    key: string;
    from: OutboundStatus[];
    to: OutboundStatus;
    at: Date;
    detail?: string | undefined;
    providerId?: string | undefined;
    /** Extra attributes, e.g. attempts or the error code. */
    set?: Record<string, string | number | boolean>;
    /** When the previous claim must be this one (the `claimedAt` seen). */
    claimedAt?: string | undefined;
    /**
     * False: the caller needs only whether it moved (the `sent` write after every send), so DynamoDB
     * returns no item; a moved message then comes back as `{ key, status }` alone.
     */
    returnItem?: boolean;
  }): Promise<OutboundMessage | undefined> {
    const event: StatusEvent = { status: options.to, at: options.at.toISOString() };
    if (options.detail) event.detail = options.detail;
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':to': options.to,
      ':rank': STATUS_RANK[options.to],
      ':event': [event],
    };
    const sets = [
      '#status = :to',
      'statusRank = :rank',
      'statusHistory = list_append(statusHistory, :event)',
    ];
    if (options.providerId) {
      sets.push('providerId = :pid');
      values[':pid'] = options.providerId;
    }
    // Released for a retry: looked at again if no delivery takes it within the longest backoff.
    if (options.to === 'queued') {
      const due = sweepKeys(options.key, new Date(options.at.getTime() + STRANDED_AFTER_MS + 900_000));
      sets.push('dueShard = :dueShard', 'dueKey = :dueKey');
      values[':dueShard'] = due.dueShard;
      values[':dueKey'] = due.dueKey;
    }
    for (const [i, [name, value]] of Object.entries(options.set ?? {}).entries()) {
      names[`#x${i}`] = name;
      values[`:x${i}`] = value;
      sets.push(`#x${i} = :x${i}`);
    }
    const fromPlaceholders = options.from.map((s, i) => {
      values[`:from${i}`] = s;
      return `:from${i}`;
    });
    let condition = `#status IN (${fromPlaceholders.join(', ')})`;
    if (options.claimedAt) {
      condition += ' AND claimedAt = :claimedAt';
      values[':claimedAt'] = options.claimedAt;
    }
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.outbound(options.key),
          // An outcome: nothing left for the sweeper.
          UpdateExpression: `SET ${sets.join(', ')}${WAITING.includes(options.to) ? '' : ' REMOVE dueShard, dueKey'}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: options.returnItem === false ? 'NONE' : 'ALL_NEW',
        }),
      );
      if (options.returnItem === false) return { key: options.key, status: options.to } as OutboundMessage;
      return out.Attributes as OutboundMessage;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyError('recording the outbound message outcome failed', { cause: error });
    }
  }

  /**
   * A message held (quiet hours, a time of its own) is expected to go by `at`: the sweeper looks at
   * it only after that, plus its grace. Only while it is still `queued`.
   */
  async expectBy(key: string, at: Date): Promise<void> {
    const due = sweepKeys(key, new Date(at.getTime() + STRANDED_AFTER_MS));
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.outbound(key),
          UpdateExpression: 'SET dueShard = :shard, dueKey = :due',
          ConditionExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':queued': 'queued', ':shard': due.dueShard, ':due': due.dueKey },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('recording when the message is expected failed', { cause: error });
    }
  }

  /**
   * The sweeper's step: moves the message's due time from `seen` to `to` (or out of the index), only
   * if it is still `seen`, so of two ticks that found it only one acts. False when another did.
   */
  async moveDue(key: string, seen: string, to: Date | undefined): Promise<boolean> {
    const next = to ? sweepKeys(key, to) : undefined;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.outbound(key),
          UpdateExpression: next ? 'SET dueShard = :shard, dueKey = :due' : 'REMOVE dueShard, dueKey',
          ConditionExpression: 'dueKey = :seen',
          ExpressionAttributeValues: next
            ? { ':seen': seen, ':shard': next.dueShard, ':due': next.dueKey }
            : { ':seen': seen },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError('moving the message in the due index failed', { cause: error });
    }
  }

  /**
   * A provider status callback: always kept in the history; the status itself only moves
   * forward. Returns 'unknown-key' when no such message exists.
   */
  async recordProviderStatus(options: {
    key: string;
    status: OutboundStatus | undefined;
    providerStatus: string;
    at: Date;
    errorCode?: string | undefined;
  }): Promise<'advanced' | 'history-only' | 'unknown-key'> {
    const event: StatusEvent = { status: options.providerStatus, at: options.at.toISOString() };
    if (options.errorCode) event.detail = `error ${options.errorCode}`;
    const base = {
      TableName: this.#table,
      Key: keys.outbound(options.key),
    };
    if (options.status) {
      try {
        await this.#client.send(
          new UpdateCommand({
            ...base,
            UpdateExpression:
              'SET #status = :to, statusRank = :rank, statusHistory = list_append(statusHistory, :event)',
            ConditionExpression: 'attribute_exists(pk) AND statusRank < :rank',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': options.status,
              ':rank': STATUS_RANK[options.status],
              ':event': [event],
            },
          }),
        );
        return 'advanced';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw new DependencyError('recording the delivery status failed', { cause: error });
        }
      }
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          ...base,
          UpdateExpression: 'SET statusHistory = list_append(statusHistory, :event)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':event': [event] },
        }),
      );
      return 'history-only';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'unknown-key';
      throw new DependencyError('recording the delivery status failed', { cause: error });
    }
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError('reading the outbound message failed', { cause: error });
    }
  }
}
