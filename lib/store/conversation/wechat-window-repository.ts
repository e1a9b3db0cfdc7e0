import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { epochSeconds, keys } from '#lib/store/keys.ts';

/** WeChat's rule for customer-service messages after a user writes: 5 messages within 48 hours. */
export const CUSTOMER_SERVICE_WINDOW = { hours: 48, messages: 5 } as const;

export type WindowSlot =
  | { result: 'taken'; openedAt: number }
  | { result: 'closed' }
  | { result: 'exhausted'; openedAt: number };

const HOUR_MS = 3_600_000;
const KEEP_DAYS = 7;

/**
 * The customer-service window of each WeChat user, one item in their address partition: when their
 * last message arrived (`openedAt`, epoch ms) and how many customer-service messages went since.
 * Each message the user sends opens a fresh window (WeChat grants 5 more for 48 h); counting is a
 * conditional update, so concurrent send workers cannot exceed 5 between them.
 */
export class WechatWindowRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  /** The user wrote at `at`: a new window. A late (retried, reordered) message never moves it back. */
  async opened(openId: string, at: Date): Promise<void> {
    const openedAt = at.getTime();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.wechatWindow(openId),
            entity: 'wechat-window',
            openedAt,
            sent: 0,
            ttl: epochSeconds(new Date(openedAt + KEEP_DAYS * 24 * HOUR_MS)),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR openedAt < :at',
          ExpressionAttributeValues: { ':at': openedAt },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('recording the WeChat window failed', { cause: error });
    }
  }

  /** Takes one of the window's messages, if the window is open at `now` and not used up. */
  async take(openId: string, now: Date): Promise<WindowSlot> {
    const cutoff = now.getTime() - CUSTOMER_SERVICE_WINDOW.hours * HOUR_MS;
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.wechatWindow(openId),
          UpdateExpression: 'ADD sent :one',
          ConditionExpression: 'attribute_exists(pk) AND openedAt > :cutoff AND sent < :max',
          ExpressionAttributeValues: {
            ':one': 1,
            ':cutoff': cutoff,
            ':max': CUSTOMER_SERVICE_WINDOW.messages,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { result: 'taken', openedAt: Number(out.Attributes?.openedAt) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const openedAt = Number(error.Item ? unmarshall(error.Item).openedAt : Number.NaN);
        if (!Number.isFinite(openedAt) || openedAt <= cutoff) return { result: 'closed' };
        return { result: 'exhausted', openedAt };
      }
      throw new DependencyError('counting the WeChat window failed', { cause: error });
    }
  }

  /** WeChat refused the message without sending it: the slot is given back (same window only). */
  async giveBack(openId: string, openedAt: number): Promise<void> {
    await this.#conditionalUpdate(openId, 'ADD sent :minus', 'openedAt = :openedAt AND sent > :zero', {
      ':minus': -1,
      ':openedAt': openedAt,
      ':zero': 0,
    });
  }

  /** WeChat says this window is over (45015) or used up (45047), whatever we counted. */
  async useUp(openId: string, openedAt: number): Promise<void> {
    await this.#conditionalUpdate(openId, 'SET sent = :max', 'openedAt = :openedAt', {
      ':max': CUSTOMER_SERVICE_WINDOW.messages,
      ':openedAt': openedAt,
    });
  }

  async #conditionalUpdate(
    openId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.wechatWindow(openId),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // The user wrote again meanwhile: a new window, which this does not concern.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('updating the WeChat window failed', { cause: error });
    }
  }
}
