// Inbound messages kept after a failed turn (`ADDR#…` / `UNPROCESSED#<sid>`, written by the webhook's
// failure path): in the due index until replayed, with their attempts and the last error; and, when the
// sender is known, a link under their Centre so coordinators can list them.
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CHANNEL_NAMES } from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import { isConditionFailed } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import { dueIndexKeys, type ItemKey, keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import * as z from '#lib/zod.ts';

/** Minutes before each replay: soon, then less and less often; after the last, a person must look. */
export const REPLAY_BACKOFF_MINUTES = [1, 5, 30, 120, 720] as const;

const unprocessedSchema = z.lazy(() =>
  z.object({
    pk: z.string(),
    sk: z.string(),
    channel: z.enum(CHANNEL_NAMES),
    messageId: z.string(),
    from: z.string(),
    to: z.string(),
    body: z.string(),
    receivedAt: z.string(),
    reason: z.string(),
    recordedAt: z.string(),
    centreId: z.optional(z.string()),
    attempts: z._default(z.int(), 0),
    nextAttemptAt: z.optional(z.string()),
    gaveUpAt: z.optional(z.string()),
  }),
);
export type UnprocessedMessage = z.output<typeof unprocessedSchema>;

/** The first replay's due time and index keys, for the item the failure path writes. */
export function firstReplay(inbound: InboundMessage, now: Date) {
  const at = new Date(now.getTime() + (REPLAY_BACKOFF_MINUTES[0] ?? 1) * 60_000);
  return { attempts: 0, nextAttemptAt: at.toISOString(), ...dueIndexKeys(replayId(inbound), at) };
}

const replayId = (m: { channel: string; from: string; messageId: string }) =>
  `replay#${m.channel}#${m.from}#${m.messageId}`;

export const unprocessedLinkKey = (centreId: string, m: { channel: string; messageId: string }): ItemKey => ({
  pk: prefixes.centrePk(centreId),
  sk: `UNPROCESSED#${m.channel}#${m.messageId}`,
});

export class UnprocessedRepository {
  /** Every action its methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  async get(key: ItemKey): Promise<UnprocessedMessage | undefined> {
    const out = await this.#call(() =>
      this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return out.Item ? parseItem(unprocessedSchema, out.Item, 'unprocessed message') : undefined;
  }

  /** Replayed: the turn is recorded (its message marker says so); the kept copy and its link go. */
  async resolve(m: UnprocessedMessage): Promise<void> {
    await this.#call(() =>
      this.#client.send(new DeleteCommand({ TableName: this.#table, Key: { pk: m.pk, sk: m.sk } })),
    );
    if (m.centreId) {
      await this.#call(() =>
        this.#client.send(
          new DeleteCommand({ TableName: this.#table, Key: unprocessedLinkKey(m.centreId ?? '', m) }),
        ),
      );
    }
  }

  /**
   * Failed again: the next replay after the backoff, or none after the last (it stays listed for the
   * coordinators, out of the due index). Conditional on the attempts read, so two ticks count once.
   */
  async failedAgain(m: UnprocessedMessage, reason: string, now: Date): Promise<'retry' | 'gave-up'> {
    const attempts = m.attempts + 1;
    const wait = REPLAY_BACKOFF_MINUTES[attempts];
    const values: Record<string, unknown> = {
      ':attempts': attempts,
      ':read': m.attempts,
      ':reason': reason.slice(0, 1000),
    };
    let update = 'SET attempts = :attempts, reason = :reason';
    if (wait === undefined) {
      update += ', gaveUpAt = :now REMOVE dueShard, dueKey, nextAttemptAt';
      values[':now'] = now.toISOString();
    } else {
      const at = new Date(now.getTime() + wait * 60_000);
      const due = dueIndexKeys(replayId(m), at);
      update += ', nextAttemptAt = :at, dueShard = :shard, dueKey = :due';
      Object.assign(values, { ':at': at.toISOString(), ':shard': due.dueShard, ':due': due.dueKey });
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: m.pk, sk: m.sk },
          UpdateExpression: update,
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(attempts) OR attempts = :read)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error))
        throw new DependencyError('recording a failed replay failed', { cause: error });
    }
    return wait === undefined ? 'gave-up' : 'retry';
  }

  /** A Centre's messages still not processed, oldest first, with their text and what went wrong. */
  async listForCentre(centreId: string): Promise<UnprocessedMessage[]> {
    const links = await queryPartition(
      this.#client,
      this.#table,
      'listing unprocessed messages',
      prefixes.centrePk(centreId),
      'UNPROCESSED#',
    );
    const found = await Promise.all(
      links.map((l) => this.get(keys.unprocessed(l.channel as never, String(l.from), String(l.messageId)))),
    );
    return found
      .filter((m): m is UnprocessedMessage => m !== undefined)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError('unprocessed messages: request failed', { cause: error });
    }
  }
}
