// Tasks for a Centre's coordinators, stored like alerts (CENTRE#<id> / TASK#<task>): open until a
// coordinator closes them. The first kind: a carer missed two weekly check-ins in a row.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DependencyError } from '#lib/errors.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import { keys, prefixes } from '#lib/store/keys.ts';

const taskSchema = z.object({
  taskId: z.string(),
  centreId: z.string(),
  kind: z.literal('missed-checkins'),
  contactId: z.string(),
  contactName: z.string(),
  childIds: z.array(z.string()),
  childNames: z.array(z.string()),
  /** The weeks missed in a row when the task was raised, oldest first. */
  weeks: z.array(z.string()),
  /** The carer had stopped messages (TD) when the task was raised. */
  optedOut: z.boolean(),
  status: z.enum(['open', 'closed']),
  raisedAt: z.string(),
  closedAt: z.string().optional(),
  closedBy: z.string().optional(),
});
export type CoordinatorTask = z.output<typeof taskSchema>;
export type NewTask = Omit<CoordinatorTask, 'status' | 'closedAt' | 'closedBy'>;

export class CoordinatorTaskRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /** Raises the task once per id; false when it exists already (a re-run of the same tick). */
  async raise(task: NewTask): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.centreTask(task.centreId, task.taskId), entity: 'task', ...task, status: 'open' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError('raising the task failed', { cause: error });
    }
  }

  async list(centreId: string, status?: CoordinatorTask['status']): Promise<CoordinatorTask[]> {
    try {
      const output = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': prefixes.centrePk(centreId), ':prefix': prefixes.task },
          ConsistentRead: true,
        }),
      );
      const tasks = (output.Items ?? []).map((item) => parseItem(taskSchema, item, 'task'));
      return status ? tasks.filter((t) => t.status === status) : tasks;
    } catch (error) {
      if (error instanceof DependencyError) throw error;
      throw new DependencyError('listing tasks failed', { cause: error });
    }
  }

  /** Closes an open task; false when it was not open (closed already, or no such task). */
  async close(centreId: string, taskId: string, by: string, at: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.centreTask(centreId, taskId),
          UpdateExpression: 'SET #status = :closed, closedAt = :at, closedBy = :by',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':closed': 'closed',
            ':open': 'open',
            ':at': at.toISOString(),
            ':by': by,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError('closing the task failed', { cause: error });
    }
  }
}
