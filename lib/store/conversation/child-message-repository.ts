// Parents' messages for their children (written by the conversation turn that received them, see
// DynamoConversationStore), listed for the Centre to read out or print, and marked delivered.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CHILD_CATEGORIES } from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import { keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import * as z from '#lib/zod.ts';

const childMessageSchema = z.lazy(() =>
  z.object({
    /** Received time # channel # inbound message id: unique, and the Centre's list is in time order. */
    messageKey: z.string(),
    centreId: z.string(),
    fromContactId: z.string(),
    fromName: z.string(),
    children: z.array(
      z.object({
        childId: z.string(),
        familyId: z.string(),
        name: z.string(),
        category: z.enum(CHILD_CATEGORIES),
      }),
    ),
    text: z.string(),
    truncated: z.boolean(),
    week: z.string(),
    receivedAt: z.string(),
    status: z.enum(['new', 'delivered']),
    deliveredAt: z.optional(z.string()),
    deliveredBy: z.optional(z.string()),
  }),
);
export type ChildMessage = z.output<typeof childMessageSchema>;

export class ChildMessageRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /** The Centre's messages for children, oldest first; `status` narrows to new or delivered. */
  async list(centreId: string, status?: ChildMessage['status']): Promise<ChildMessage[]> {
    const items = await queryPartition(
      this.#client,
      this.#table,
      'listing messages for children',
      prefixes.centrePk(centreId),
      prefixes.childMessage,
    );
    const messages = items.map((item) => parseItem(childMessageSchema, item, 'child message'));
    return status ? messages.filter((m) => m.status === status) : messages;
  }

  /** A coordinator passed it on; false when it was delivered already (or does not exist). */
  async markDelivered(centreId: string, messageKey: string, by: string, at: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.childMessage(centreId, messageKey),
          UpdateExpression: 'SET #status = :delivered, deliveredAt = :at, deliveredBy = :by',
          ConditionExpression: '#status = :new',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':delivered': 'delivered',
            ':new': 'new',
            ':at': at.toISOString(),
            ':by': by,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError('marking the message delivered failed', { cause: error });
    }
  }
}
