// What a Centre posts about its weeks: activities (title, date, short text), which the parents'
// weekly update lists, and pause weeks (Spring Festival, school holidays), in which the weekly
// rhythm rests. The coordinators' API (a later issue) writes through here.

import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { weekDates, weekOfDate } from '#lib/domain/weekly-schedule.ts';
import { DependencyError, ValidationError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import { keys, prefixes } from '#lib/store/keys.ts';
import * as z from '#lib/zod.ts';

const id = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'ids are 1-64 letters, digits, . _ -')),
);
const isoDate = z.lazy(() =>
  z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
    z.refine((d) => {
      try {
        weekOfDate(d);
        return true;
      } catch {
        return false;
      }
    }, 'no such day'),
  ),
);
const isoWeek = z.lazy(() =>
  z.string().check(z.regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week like 2026-W51')),
);

export const activityInputSchema = z.lazy(() =>
  z.object({
    centreId: id,
    activityId: z.optional(id),
    /** Said whole in the parents' update, never cut: keep it short (剪纸, 作业辅导). */
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(20)),
    date: isoDate,
    /** For the Centre's own listing; the SMS update has no room for it. */
    text: z._default(z.string().check(z.trim(), z.maxLength(200)), ''),
  }),
);
export type ActivityInput = z.input<typeof activityInputSchema>;

const activitySchema = z.lazy(() =>
  z.object({
    centreId: z.string(),
    activityId: z.string(),
    title: z.string(),
    date: z.string(),
    text: z.string(),
    createdAt: z.string(),
  }),
);
export type Activity = z.output<typeof activitySchema>;

export const pauseInputSchema = z.lazy(() =>
  z.object({
    centreId: id,
    week: isoWeek,
    /** Why, for the coordinators: 春节, 寒假 … */
    reason: z._default(z.string().check(z.trim(), z.maxLength(64)), ''),
  }),
);
const pauseSchema = z.lazy(() =>
  z.object({
    centreId: z.string(),
    week: z.string(),
    reason: z.string(),
    createdAt: z.string(),
  }),
);
export type PauseWeek = z.output<typeof pauseSchema>;

export class CentreCalendarRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  async postActivity(input: ActivityInput, now: Date = new Date()): Promise<Activity> {
    const parsed = validate(activityInputSchema, input, 'activity');
    const activity: Activity = {
      centreId: parsed.centreId,
      activityId: parsed.activityId ?? randomUUID(),
      title: parsed.title,
      date: parsed.date,
      text: parsed.text,
      createdAt: now.toISOString(),
    };
    await this.#call('posting the activity', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.centreActivity(activity.centreId, activity.date, activity.activityId),
            entity: 'activity',
            ...activity,
          },
        }),
      ),
    );
    return activity;
  }

  async removeActivity(centreId: string, date: string, activityId: string): Promise<void> {
    await this.#call('removing the activity', () =>
      this.#client.send(
        new DeleteCommand({ TableName: this.#table, Key: keys.centreActivity(centreId, date, activityId) }),
      ),
    );
  }

  /** The Centre's activities dated in an ISO week, in date order: one Query on a key range. */
  async activitiesOfWeek(centreId: string, week: string): Promise<Activity[]> {
    const { first, last } = weekDates(week);
    const output = await this.#call('listing activities', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': prefixes.centrePk(centreId),
            ':from': `${prefixes.activity}${first}`,
            ':to': `${prefixes.activity}${last}~`,
          },
        }),
      ),
    );
    return (output.Items ?? []).map((item) => parseItem(activitySchema, item, 'activity'));
  }

  async pauseWeek(input: z.input<typeof pauseInputSchema>, now: Date = new Date()): Promise<PauseWeek> {
    const parsed = validate(pauseInputSchema, input, 'pause week');
    const pause: PauseWeek = { ...parsed, createdAt: now.toISOString() };
    await this.#call('pausing the week', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.centrePause(pause.centreId, pause.week), entity: 'pause', ...pause },
        }),
      ),
    );
    return pause;
  }

  async resumeWeek(centreId: string, week: string): Promise<void> {
    await this.#call('resuming the week', () =>
      this.#client.send(new DeleteCommand({ TableName: this.#table, Key: keys.centrePause(centreId, week) })),
    );
  }

  async isPaused(centreId: string, week: string): Promise<boolean> {
    const output = await this.#call('reading a pause week', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: keys.centrePause(centreId, week),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item !== undefined;
  }

  async listPauseWeeks(centreId: string): Promise<PauseWeek[]> {
    const output = await this.#call('listing pause weeks', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': prefixes.centrePk(centreId), ':prefix': prefixes.pause },
        }),
      ),
    );
    return (output.Items ?? []).map((item) => parseItem(pauseSchema, item, 'pause week'));
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError(`${what} failed`, { cause: error });
    }
  }
}

function validate<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ValidationError(`invalid ${what} (${fields})`);
  }
  return parsed.data;
}
