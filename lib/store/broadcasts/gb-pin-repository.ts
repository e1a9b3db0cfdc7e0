// A coordinator's GB PIN (CONTACT#<id> / GBPIN): the scrypt hash and its salt, who set it and when,
// and the wrong PINs since (as a set of inbound message ids, so a retried turn counts once). Under
// the contact's partition, so erasing the contact erases it.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PinHash } from '#lib/broadcasts/gb-pin.ts';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import type { ItemKey } from '#lib/store/keys.ts';
import * as z from '#lib/zod.ts';

const pinKey = (contactId: string): ItemKey => ({ pk: `CONTACT#${contactId}`, sk: 'GBPIN' });

const pinItemSchema = z.lazy(() =>
  z.object({
    contactId: z.string(),
    centreId: z.string(),
    salt: z.string(),
    hash: z.string(),
    N: z.number(),
    r: z.number(),
    p: z.number(),
    setAt: z.string(),
    setBy: z.string(),
    /** Inbound message ids of wrong PINs since the PIN was set or last used rightly. */
    failedMessages: z.optional(z.set(z.string())),
    lockedAt: z.optional(z.string()),
  }),
);
export type StoredPin = z.output<typeof pinItemSchema>;

export class GbPinRepository {
  /** Every action its methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /** A new PIN replaces the old one, and clears its wrong tries and any lock. */
  async set(contactId: string, centreId: string, pin: PinHash, by: string, at: Date): Promise<void> {
    await this.#call('setting the GB PIN', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...pinKey(contactId),
            entity: 'gb-pin',
            contactId,
            centreId,
            ...pin,
            setAt: at.toISOString(),
            setBy: by,
          },
        }),
      ),
    );
  }

  async get(contactId: string): Promise<StoredPin | undefined> {
    const output = await this.#call('reading the GB PIN', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: pinKey(contactId), ConsistentRead: true }),
      ),
    );
    return output.Item ? parseItem(pinItemSchema, output.Item, 'gb-pin') : undefined;
  }

  /**
   * Counts a wrong PIN (once per inbound message) and locks GB when `limit` is reached. Returns the
   * wrong tries so far and whether this call is the one that locked it.
   */
  async recordFailure(
    contactId: string,
    messageId: string,
    limit: number,
    at: Date,
  ): Promise<{ failures: number; lockedNow: boolean }> {
    const output = await this.#call('counting a wrong GB PIN', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: pinKey(contactId),
          UpdateExpression: 'ADD failedMessages :id',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':id': new Set([messageId]) },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    const failures = (output.Attributes?.failedMessages as Set<string> | undefined)?.size ?? 0;
    if (failures < limit || output.Attributes?.lockedAt !== undefined) return { failures, lockedNow: false };
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: pinKey(contactId),
          UpdateExpression: 'SET lockedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(lockedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
      return { failures, lockedNow: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { failures, lockedNow: false };
      throw new DependencyError('locking GB failed', { cause: error });
    }
  }

  /** The right PIN: the wrong tries before it no longer count (unless GB is locked already). */
  async clearFailures(contactId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: pinKey(contactId),
          UpdateExpression: 'REMOVE failedMessages',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(lockedAt)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('clearing wrong GB PINs failed', { cause: error });
    }
  }

  async #call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof DependencyError) throw error;
      throw new DependencyError(`${what} failed`, { cause: error });
    }
  }
}
