// Tasks for a Centre's coordinators, stored like alerts (CENTRE#<id> / TASK#<task>): open until a
// coordinator closes them. The first kind: a carer missed two weekly check-ins in a row. Raising one
// also puts its escalation in the due index (TASKDUE#, a day on), like an alert's follow-ups.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { taskEscalationDueAt } from '#lib/domain/alert-escalation.ts';
import { DependencyError } from '#lib/errors.ts';
import { ifAbsent } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { type auditFields, parseItem, taskItemSchema } from '#lib/store/item-schemas.ts';
import { dueIndexKeys, keys, prefixes } from '#lib/store/keys.ts';
import * as z from '#lib/zod.ts';

export type CoordinatorTask = z.output<typeof taskItemSchema>;
/** A task as the tick raises it: its own fields, open, nothing done with it yet. */
export type NewTask = Omit<CoordinatorTask, keyof ReturnType<typeof auditFields>> & { raisedAt: string };

/** A task's escalation in the due index (the tick reads these rows). */
export const taskFollowUpRowSchema = z.lazy(() =>
  z.object({
    taskId: z.string(),
    centreId: z.string(),
    dueKey: z.string(),
  }),
);
export type TaskFollowUpRow = z.output<typeof taskFollowUpRowSchema>;

/** The due-index id of a task's escalation (it picks the shard). */
export const taskFollowUpId = (taskId: string): string => `task-escalate#${taskId}`;

export class CoordinatorTaskRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /**
   * Raises the task once per id, with its escalation a day on in the due index, in one write;
   * false when it exists already (a re-run of the same tick).
   */
  async raise(task: NewTask): Promise<boolean> {
    const dueAt = taskEscalationDueAt(task.raisedAt);
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: {
                  ...keys.centreTask(task.centreId, task.taskId),
                  entity: 'task',
                  ...task,
                  status: 'open',
                },
                ...ifAbsent(),
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: {
                  ...keys.taskFollowUp(task.centreId, task.taskId),
                  entity: 'task-follow-up',
                  taskId: task.taskId,
                  centreId: task.centreId,
                  // Whom it is about, so an erasure finds it with the task.
                  contactId: task.contactId,
                  childIds: task.childIds,
                  dueAt: dueAt.toISOString(),
                  ...dueIndexKeys(taskFollowUpId(task.taskId), dueAt),
                },
                ...ifAbsent(),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isNamed(error, 'TransactionCanceledException')) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      }
      throw new DependencyError('raising the task failed', { cause: error });
    }
  }

  /** A task as it stands now (consistent read), or undefined when it is gone (erased). */
  async get(centreId: string, taskId: string): Promise<CoordinatorTask | undefined> {
    try {
      const output = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: keys.centreTask(centreId, taskId),
          ConsistentRead: true,
        }),
      );
      return output.Item ? parseItem(taskItemSchema, output.Item, 'task') : undefined;
    } catch (error) {
      if (error instanceof DependencyError) throw error;
      throw new DependencyError('reading the task failed', { cause: error });
    }
  }

  /** The task was escalated to `told` coordinators (messages enqueued): recorded once, the first time stands. */
  async recordEscalated(centreId: string, taskId: string, now: Date, told: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.centreTask(centreId, taskId),
          UpdateExpression:
            'SET escalatedAt = if_not_exists(escalatedAt, :at), escalatedTo = if_not_exists(escalatedTo, :to)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': now.toISOString(), ':to': told },
        }),
      );
    } catch (error) {
      // Erased meanwhile: nothing to record on.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('recording the task escalation failed', { cause: error });
    }
  }

  /** The escalation is done: out of the due index (kept, so a re-run cannot redo it). */
  async clearFollowUp(row: TaskFollowUpRow, now: Date): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.taskFollowUp(row.centreId, row.taskId),
          UpdateExpression: 'REMOVE dueShard, dueKey SET doneAt = if_not_exists(doneAt, :at)',
          ConditionExpression: 'dueKey = :dueKey',
          ExpressionAttributeValues: { ':dueKey': row.dueKey, ':at': now.toISOString() },
        }),
      );
    } catch (error) {
      // Another tick cleared it first.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('clearing the task follow-up from the due index failed', { cause: error });
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
      const tasks = (output.Items ?? []).map((item) => parseItem(taskItemSchema, item, 'task'));
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

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
