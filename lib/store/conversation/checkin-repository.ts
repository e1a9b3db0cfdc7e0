import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { WEEKLY_CHECKIN_ITEMS } from '#lib/domain/weekly-checkin-flow.ts';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem, storedAnswerSchema } from '#lib/store/item-schemas.ts';
import { ANSWER_ATTRIBUTE_PREFIX, keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import * as z from '#lib/zod.ts';

export type StoredAnswer = z.output<typeof storedAnswerSchema>;

const checkinItemSchema = z.lazy(() =>
  z.object({
    childId: z.string(),
    familyId: z.string(),
    centreId: z.optional(z.string()),
    week: z.string(),
    flowId: z.optional(z.string()),
    /** missed: not completed at the week's deadline (a late answer may still complete it after). */
    status: z.enum(['in-progress', 'completed', 'missed']),
    completedAt: z.optional(z.string()),
    missedAt: z.optional(z.string()),
    missedReason: z.optional(z.string()),
    /** When the parents' update about it was sent. */
    digestAt: z.optional(z.string()),
    /** When a later run (a correction, a message added) last changed it. */
    correctedAt: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const historyEntrySchema = z.lazy(() =>
  z.object({
    itemId: z.string(),
    status: z.string(),
    value: z.optional(z.union([z.number(), z.string(), z.boolean()])),
    raw: z.string(),
    answeredAt: z.string(),
    /** The contact who answered. */
    by: z.string(),
    /** The run (its session's start). */
    run: z.optional(z.string()),
    correction: z.optional(z.boolean()),
  }),
);
export type CheckinHistoryEntry = z.output<typeof historyEntrySchema>;

/**
 * One child's check-in for one ISO week, answers keyed by the flow's item id (the final ones), every
 * answer of every run in `history`, and every free text ever written for the Centre in `messages`.
 */
export type CheckinRecord = z.output<typeof checkinItemSchema> & {
  answers: Record<string, StoredAnswer>;
  history: CheckinHistoryEntry[];
  messages: string[];
};

export interface CheckinRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Reads the weekly check-ins that conversation turns write (DynamoConversationStore.commitTurn). */
export class CheckinRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:Query'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: CheckinRepositoryOptions) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  async getCheckin(childId: string, week: string): Promise<CheckinRecord | undefined> {
    try {
      const output = await this.#client.send(
        new GetCommand({ TableName: this.#table, Key: keys.checkin(childId, week), ConsistentRead: true }),
      );
      return output.Item ? toRecord(output.Item) : undefined;
    } catch (error) {
      if (error instanceof DependencyError) throw error;
      throw new DependencyError('reading the check-in failed', { cause: error });
    }
  }

  /** All of a child's check-ins, oldest week first (ISO week strings sort chronologically). */
  async listCheckins(childId: string): Promise<CheckinRecord[]> {
    const items = await queryPartition(
      this.#client,
      this.#table,
      'listing check-ins',
      prefixes.childPk(childId),
      prefixes.checkin,
    );
    return items.map(toRecord);
  }
}

function toRecord(item: Record<string, unknown>): CheckinRecord {
  const base = parseItem(checkinItemSchema, item, 'check-in');
  const answers: Record<string, StoredAnswer> = {};
  for (const [attribute, value] of Object.entries(item)) {
    if (!attribute.startsWith(ANSWER_ATTRIBUTE_PREFIX)) continue;
    answers[attribute.slice(ANSWER_ATTRIBUTE_PREFIX.length)] = parseItem(storedAnswerSchema, value, 'answer');
  }
  const history = parseItem(z.array(historyEntrySchema), item.history ?? [], 'check-in history');
  const messages = history
    .filter((h) => h.itemId === WEEKLY_CHECKIN_ITEMS.message && h.status === 'answered')
    .map((h) => (typeof h.value === 'string' ? h.value : h.raw));
  return { ...base, answers, history, messages };
}
