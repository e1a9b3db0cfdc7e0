import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelName } from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import { ifAbsent } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { epochSeconds, keys } from '#lib/store/keys.ts';

const DAY_MS = 86_400_000;

/**
 * The dedupe of messages that do not go through a conversation turn (WeChat events, linking, a
 * photo or a voice note): the same `MSG#<id>` item a turn writes, with the replies given and no
 * message text. A redelivery gets those replies again and changes nothing.
 */
export class HandledMessageRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlDays: number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; messageLogTtlDays: number }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#ttlDays = options.messageLogTtlDays;
  }

  /** The replies this message got, if it was handled before. */
  async recall(channel: ChannelName, address: string, messageId: string): Promise<string[] | undefined> {
    try {
      const out = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: keys.message(channel, address, messageId),
          ConsistentRead: true,
        }),
      );
      const replies: unknown = out.Item?.replies;
      return Array.isArray(replies) ? replies.map(String) : undefined;
    } catch (error) {
      throw new DependencyError('reading a handled message failed', { cause: error });
    }
  }

  /**
   * Records that the message was handled with these replies. If another delivery got there first,
   * its replies win and are returned, so every delivery answers the same.
   */
  async remember(
    channel: ChannelName,
    address: string,
    messageId: string,
    replies: string[],
    now: Date,
  ): Promise<string[]> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.message(channel, address, messageId),
            entity: 'message',
            channel,
            messageId,
            replies,
            committedAt: now.toISOString(),
            ttl: epochSeconds(new Date(now.getTime() + this.#ttlDays * DAY_MS)),
          },
          ...ifAbsent(),
        }),
      );
      return replies;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return (await this.recall(channel, address, messageId)) ?? replies;
      }
      throw new DependencyError('recording a handled message failed', { cause: error });
    }
  }
}
