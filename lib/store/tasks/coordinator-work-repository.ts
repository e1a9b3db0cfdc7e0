// What the coordinators' API does with a Centre's alerts and tasks (CENTRE#<id> / ALERT#…, TASK#…):
// list them, acknowledge one with a note, close one with a note, each recording who and when. Alerts
// are written by conversation turns (DynamoConversationStore), tasks by the scheduler tick
// (CoordinatorTaskRepository); neither ever reopens an item, so the conditions below are the audit.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { alertItemFields, auditFields, parseItem, taskItemSchema } from '#lib/store/item-schemas.ts';
import { type ItemKey, keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import * as z from '#lib/zod.ts';

const alertItemSchema = z.lazy(() => z.object({ ...alertItemFields(), ...auditFields() }));

export type AlertWork = z.output<typeof alertItemSchema>;
export type TaskWork = z.output<typeof taskItemSchema>;
export type WorkKind = 'alert' | 'task';
/** not-found: no such item in that Centre; conflict: it is not open (or acknowledged already). */
export type WorkUpdate = 'done' | 'not-found' | 'conflict';

export class CoordinatorWorkRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  async listAlerts(centreId: string): Promise<AlertWork[]> {
    return (await this.#query(centreId, prefixes.alert)).map((i) => parseItem(alertItemSchema, i, 'alert'));
  }

  async listTasks(centreId: string): Promise<TaskWork[]> {
    return (await this.#query(centreId, prefixes.task)).map((i) => parseItem(taskItemSchema, i, 'task'));
  }

  /** Marks an open, unacknowledged item acknowledged by `by` with a note. */
  async acknowledge(kind: WorkKind, centreId: string, id: string, by: string, note: string, at: Date) {
    return this.#update(
      this.#key(kind, centreId, id),
      'SET acknowledgedAt = :at, acknowledgedBy = :by, acknowledgeNote = :note',
      '#status = :open AND attribute_not_exists(acknowledgedAt)',
      { ':at': at.toISOString(), ':by': by, ':note': note },
    );
  }

  /** Closes an open item (acknowledged or not), recording who, when and why. */
  async close(kind: WorkKind, centreId: string, id: string, by: string, note: string, at: Date) {
    return this.#update(
      this.#key(kind, centreId, id),
      'SET #status = :closed, closedAt = :at, closedBy = :by, closeNote = :note',
      '#status = :open',
      { ':at': at.toISOString(), ':by': by, ':note': note, ':closed': 'closed' },
    );
  }

  /** Whether the item exists (to tell a 404 from a 409 after a failed condition). */
  async exists(key: ItemKey): Promise<boolean> {
    try {
      const output = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: 'pk',
        }),
      );
      return output.Item !== undefined;
    } catch (error) {
      throw new DependencyError('reading the item failed', { cause: error });
    }
  }

  #key(kind: WorkKind, centreId: string, id: string): ItemKey {
    return kind === 'alert' ? keys.centreAlert(centreId, id) : keys.centreTask(centreId, id);
  }

  async #update(
    key: ItemKey,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<WorkUpdate> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':open': 'open' },
        }),
      );
      return 'done';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return (await this.exists(key)) ? 'conflict' : 'not-found';
      }
      throw new DependencyError('updating the alert or task failed', { cause: error });
    }
  }

  #query(centreId: string, prefix: string): Promise<Record<string, unknown>[]> {
    return queryPartition(
      this.#client,
      this.#table,
      'listing alerts or tasks',
      prefixes.centrePk(centreId),
      prefix,
    );
  }
}
