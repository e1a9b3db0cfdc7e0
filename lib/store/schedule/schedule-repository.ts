// The scheduler tick's reads and writes: what is due (the due index, per shard), everything one
// contact's step needs in one consistent BatchGetItem, the week's decision (with the session it
// opens) in one transaction, and the conditional moves of a schedule that make a re-run harmless.

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AlertFollowUp, AlertState } from '#lib/domain/alert-escalation.ts';
import type { AlertRecord, ChannelAddress, ContactView, Session } from '#lib/domain/model.ts';
import type { ScheduleState } from '#lib/domain/weekly-schedule.ts';
import { DependencyError } from '#lib/errors.ts';
import type { StoredSession } from '#lib/ports/conversation-store.ts';
import { batchGetItems } from '#lib/store/batch-items.ts';
import { ifVersion, nextVersion } from '#lib/store/conditional-write.ts';
import { SESSION_TTL_GRACE_DAYS } from '#lib/store/conversation/dynamo-conversation-store.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { alertItemFields, contactViewSchema, parseItem, sessionItemSchema } from '#lib/store/item-schemas.ts';
import {
  dueIndexKeys,
  dueKeyBound,
  dueShard,
  epochSeconds,
  type ItemKey,
  keys,
  prefixes,
} from '#lib/store/keys.ts';
import { type Child, type Contact, childSchema, contactSchema } from '#lib/store/roster/roster-types.ts';
import {
  type ScheduleItem,
  scheduleItemId,
  scheduleItemSchema,
  type WeekDecision,
} from '#lib/store/schedule/schedule-items.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';
import { type TaskFollowUpRow, taskFollowUpRowSchema } from '#lib/store/tasks/coordinator-task-repository.ts';
import { UpdateBuilder } from '#lib/store/update-expression.ts';
import * as z from '#lib/zod.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A row of the due index: a contact's schedule step, a completed check-in to tell parents about, or
 * an alert's follow-up (make sure coordinators were told; escalate).
 */
export type DueRow =
  | { kind: 'schedule'; item: ScheduleItem }
  | { kind: 'checkin'; childId: string; familyId: string; week: string; dueKey: string }
  | ({ kind: 'alert' } & AlertFollowUpRow)
  | ({ kind: 'task' } & TaskFollowUpRow)
  | { kind: 'broadcast'; broadcastId: string }
  | { kind: 'outbound'; key: string; dueKey: string }
  /** An inbound message kept after a failed turn, due for replay (its key; the replay reads it). */
  | { kind: 'replay'; pk: string; sk: string }
  | { kind: 'job'; centreId: string; jobId: string };

/** An alert's follow-up in the due index (written by the turn that raised the alert). */
export interface AlertFollowUpRow {
  step: AlertFollowUp;
  alertId: string;
  centreId: string;
  /** The contact whose answer raised it (the message names them and the child). */
  raisedBy: string;
  dueKey: string;
}

const alertFollowUpRowSchema = z.lazy(() =>
  z.object({
    step: z.enum(['notify', 'escalate']),
    alertId: z.string(),
    centreId: z.string(),
    raisedBy: z.string(),
    dueKey: z.string(),
  }),
);

const storedAlertSchema = z.lazy(() =>
  z.object({
    ...alertItemFields(),
    raisedAt: z.string(),
    status: z.string(),
    acknowledgedAt: z.optional(z.string()),
    escalatedAt: z.optional(z.string()),
  }),
);
/** An alert as stored, with the state its follow-ups look at. */
export type StoredAlert = AlertRecord & AlertState;

export type CheckinStatus = 'completed' | 'in-progress' | 'missed' | 'none';

/** One contact's week as the tick needs it, read in one request. */
export interface WeekSnapshot {
  schedule: ScheduleItem | undefined;
  view: ContactView | undefined;
  session: StoredSession | undefined;
  checkins: Map<string, CheckinStatus>;
  paused: boolean;
  /** Parents: their answer to "did you talk with your child this week?". */
  talked: boolean | undefined;
}

/** A family as the parents' update needs it: the children (with consent) and who the parents are. */
export interface FamilyForDigest {
  familyId: string;
  centreId: string;
  children: Child[];
  parentIds: string[];
}

export interface DecisionWrite {
  contactId: string;
  week: string;
  step: ScheduleItem['step'];
  decision: WeekDecision;
  stopHint: boolean;
  /** The session to open on the recipient's address, guarded by the version that was read. */
  session?: { address: ChannelAddress; session: Session; expectedVersion: number | undefined } | undefined;
}

export class ScheduleRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: [
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    [`table/index/${DUE_INDEX.name}` as const]: ['dynamodb:Query'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /**
   * One page of what is due at `now` on one shard of the due index, oldest first. The index is
   * eventually consistent: a row may show a step that was just done; the tick re-reads before acting.
   */
  async queryDue(
    shard: number,
    now: Date,
    options: { limit?: number; startKey?: Record<string, unknown> | undefined } = {},
  ): Promise<{ rows: DueRow[]; next: Record<string, unknown> | undefined }> {
    const output = await this.#call('querying the due index', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: DUE_INDEX.name,
          KeyConditionExpression: '#shard = :shard AND #due < :bound',
          ExpressionAttributeNames: { '#shard': DUE_INDEX.partitionKey.name, '#due': DUE_INDEX.sortKey.name },
          ExpressionAttributeValues: { ':shard': dueShard(shard), ':bound': dueKeyBound(now) },
          Limit: options.limit,
          ExclusiveStartKey: options.startKey,
        }),
      ),
    );
    const rows: DueRow[] = [];
    for (const item of output.Items ?? []) {
      if (item.entity === 'schedule')
        rows.push({ kind: 'schedule', item: parseItem(scheduleItemSchema, item, 'schedule') });
      else if (item.entity === 'broadcast' && typeof item.broadcastId === 'string')
        rows.push({ kind: 'broadcast', broadcastId: item.broadcastId });
      else if (item.entity === 'outbound' && typeof item.key === 'string')
        rows.push({ kind: 'outbound', key: item.key, dueKey: String(item.dueKey) });
      else if (item.entity === 'alert-follow-up')
        rows.push({ kind: 'alert', ...parseItem(alertFollowUpRowSchema, item, 'alert follow-up') });
      else if (item.entity === 'job' && typeof item.jobId === 'string')
        rows.push({ kind: 'job', centreId: String(item.centreId), jobId: item.jobId });
      else if (item.entity === 'unprocessed')
        rows.push({ kind: 'replay', pk: String(item.pk), sk: String(item.sk) });
      else if (item.entity === 'task-follow-up')
        rows.push({ kind: 'task', ...parseItem(taskFollowUpRowSchema, item, 'task follow-up') });
      else if (
        item.entity === 'checkin' &&
        typeof item.childId === 'string' &&
        typeof item.week === 'string'
      ) {
        rows.push({
          kind: 'checkin',
          childId: item.childId,
          familyId: String(item.familyId),
          week: item.week,
          dueKey: String(item.dueKey),
        });
      }
    }
    return { rows, next: output.LastEvaluatedKey };
  }

  /** The schedule, its contact's view and session, the children's check-ins and the pause, at once. */
  async loadWeek(item: ScheduleItem, week: string): Promise<WeekSnapshot> {
    const scheduleKey = keys.schedule(item.contactId);
    const to = item.channel && item.address ? { channel: item.channel, address: item.address } : undefined;
    const viewKey = to ? keys.contactView(to.channel, to.address) : undefined;
    const sessionKey = to ? keys.session(to.channel, to.address) : undefined;
    const checkinKeys = item.role === 'carer' ? item.children.map((c) => keys.checkin(c.childId, week)) : [];
    const pauseKey = keys.centrePause(item.centreId, week);
    const talkedKey = item.role === 'parent' ? keys.parentWeek(item.contactId, week) : undefined;
    const wanted = [scheduleKey, viewKey, sessionKey, ...checkinKeys, pauseKey, talkedKey].filter(
      (k): k is ItemKey => k !== undefined,
    );
    const items = await this.#batchGet(wanted);
    const find = (k: ItemKey | undefined) =>
      k === undefined ? undefined : items.find((i) => i.pk === k.pk && i.sk === k.sk);

    const checkins = new Map<string, CheckinStatus>();
    item.children.forEach(({ childId }, i) => {
      const found = find(checkinKeys[i]);
      const status = found?.status;
      checkins.set(
        childId,
        status === 'completed' || status === 'in-progress' || status === 'missed' ? status : 'none',
      );
    });
    const scheduleItem = find(scheduleKey);
    const viewItem = find(viewKey);
    const sessionItem = find(sessionKey);
    const viewParsed = viewItem ? parseItem(contactViewSchema, viewItem, 'contact view') : undefined;
    return {
      schedule: scheduleItem ? parseItem(scheduleItemSchema, scheduleItem, 'schedule') : undefined,
      // The address may have moved to another contact since the snapshot: then it is not theirs.
      view: viewParsed?.contactId === item.contactId ? viewParsed : undefined,
      session:
        sessionItem && viewParsed?.contactId === item.contactId
          ? parseItem(sessionItemSchema, sessionItem, 'session')
          : undefined,
      checkins,
      paused: find(pauseKey) !== undefined,
      talked: typeof find(talkedKey)?.talked === 'boolean' ? (find(talkedKey)?.talked as boolean) : undefined,
    };
  }

  /**
   * Records the week's decision once: the schedule's condition (still at this step and week, and
   * not decided yet) makes a second tick's attempt fail, and the session it opens and the stop
   * hint it says are written with it or not at all. 'decided' when this call made it; 'raced'
   * when another tick had decided or the session changed meanwhile (read again and go on).
   */
  async decide(write: DecisionWrite, now: Date): Promise<'decided' | 'raced'> {
    const at = now.toISOString();
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.#table,
          Key: keys.schedule(write.contactId),
          UpdateExpression:
            'SET decidedWeek = :week, decidedStep = :step, decision = :decision, decisionHint = :hint, updatedAt = :at',
          ConditionExpression:
            '#step = :step AND #week = :week AND (attribute_not_exists(decidedWeek) OR decidedWeek <> :week OR decidedStep <> :step)',
          ExpressionAttributeNames: { '#step': 'step', '#week': 'week' },
          ExpressionAttributeValues: {
            ':step': write.step,
            ':week': write.week,
            ':decision': write.decision,
            ':hint': write.stopHint,
            ':at': at,
          },
        },
      },
    ];
    if (write.session) {
      const { address, session, expectedVersion } = write.session;
      items.push({
        Put: {
          TableName: this.#table,
          Item: {
            ...keys.session(address.channel, address.address),
            entity: 'session',
            session,
            version: nextVersion(expectedVersion ?? 'absent'),
            updatedAt: at,
            ttl: epochSeconds(new Date(Date.parse(session.expiresAt) + SESSION_TTL_GRACE_DAYS * DAY_MS)),
          },
          // The same optimistic lock a conversation turn uses: a turn in between wins, we re-read.
          ...ifVersion(expectedVersion ?? 'absent'),
        },
      });
      if (write.stopHint) {
        items.push({
          Update: {
            TableName: this.#table,
            Key: keys.contactView(address.channel, address.address),
            UpdateExpression: 'SET stopHintWeek = :week',
            ConditionExpression: 'contactId = :contact',
            ExpressionAttributeValues: { ':week': write.week, ':contact': write.contactId },
          },
        });
      }
    }
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'decided';
    } catch (error) {
      if (isNamed(error, 'TransactionCanceledException')) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          return 'raced';
        }
      }
      throw new DependencyError('recording the week decision failed', { cause: error });
    }
  }

  /**
   * Moves a schedule from the step it was read at to the next one, only if no one moved it
   * meanwhile; false when someone had (another tick, or a roster change that re-planned it).
   */
  async advance(
    from: ScheduleItem,
    to: ScheduleState,
    now: Date,
    extra: { missedStreak?: number; lastMissedWeek?: string | undefined } = {},
  ): Promise<ScheduleItem | undefined> {
    const due = dueIndexKeys(scheduleItemId(from.contactId), to.dueAt);
    const u = new UpdateBuilder()
      .set('step', to.step)
      .set('week', to.week)
      .set('dueAt', to.dueAt.toISOString())
      .set('dueShard', due.dueShard)
      .set('dueKey', due.dueKey)
      .set('missedStreak', extra.missedStreak)
      .set('lastMissedWeek', extra.lastMissedWeek)
      .set('updatedAt', now.toISOString());
    // The due key names the step's time and the item: unchanged means no one moved it on.
    const condition = `${u.name('dueKey')} = ${u.value(from.dueKey)}`;
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.schedule(from.contactId),
          ...u.build(),
          ConditionExpression: condition,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parseItem(scheduleItemSchema, output.Attributes, 'schedule');
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyError('moving the schedule on failed', { cause: error });
    }
  }

  /**
   * Records a child's week as missed, unless it was completed meanwhile (the last answer may
   * arrive during the tick): true when it is now recorded as missed by this call or before.
   */
  async markMissed(
    child: { childId: string; familyId: string; centreId: string },
    week: string,
    reason: string,
    now: Date,
  ): Promise<boolean> {
    const at = now.toISOString();
    const u = new UpdateBuilder()
      .set('entity', 'checkin')
      .set('childId', child.childId)
      .set('familyId', child.familyId)
      .set('week', week)
      .setIfNotExists('centreId', child.centreId)
      .setIfNotExists('createdAt', at)
      .set('updatedAt', at)
      .set('status', 'missed')
      .setIfNotExists('missedAt', at)
      .setIfNotExists('missedReason', reason);
    const status = u.name('status');
    const condition = `attribute_not_exists(${status}) OR ${status} IN (${u.value('in-progress')}, ${u.value('missed')})`;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.checkin(child.childId, week),
          ...u.build(),
          ConditionExpression: condition,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError('recording a missed check-in failed', { cause: error });
    }
  }

  /** The parents' update for a completed check-in is done: out of the due index (if still this entry). */
  async clearCheckinDue(childId: string, week: string, dueKey: string, now: Date): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.checkin(childId, week),
          UpdateExpression: 'REMOVE dueShard, dueKey SET digestAt = if_not_exists(digestAt, :at)',
          ConditionExpression: 'dueKey = :dueKey',
          ExpressionAttributeValues: { ':dueKey': dueKey, ':at': now.toISOString() },
        }),
      );
    } catch (error) {
      // Completed again meanwhile (a restarted check-in): its new entry stays for the next tick.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('clearing the check-in from the due index failed', { cause: error });
    }
  }

  /** An alert as it stands now (consistent read), or undefined when it is gone (erased). */
  async getAlert(centreId: string, alertId: string): Promise<StoredAlert | undefined> {
    const output = await this.#call('reading the alert', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: keys.centreAlert(centreId, alertId),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item ? parseItem(storedAlertSchema, output.Item, 'alert') : undefined;
  }

  /** The alert was escalated to `told` coordinators (messages enqueued): recorded once, the first time stands. */
  async recordEscalated(centreId: string, alertId: string, now: Date, told: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.centreAlert(centreId, alertId),
          UpdateExpression:
            'SET escalatedAt = if_not_exists(escalatedAt, :at), escalatedTo = if_not_exists(escalatedTo, :to)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': now.toISOString(), ':to': told },
        }),
      );
    } catch (error) {
      // Erased meanwhile: nothing to record on.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('recording the escalation failed', { cause: error });
    }
  }

  /** An alert's follow-up is done: out of the due index (kept, so a re-raised alert cannot redo it). */
  async clearAlertFollowUp(row: AlertFollowUpRow, now: Date): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.alertFollowUp(row.centreId, row.alertId, row.step),
          UpdateExpression: 'REMOVE dueShard, dueKey SET doneAt = if_not_exists(doneAt, :at)',
          ConditionExpression: 'dueKey = :dueKey',
          ExpressionAttributeValues: { ':dueKey': row.dueKey, ':at': now.toISOString() },
        }),
      );
    } catch (error) {
      // Another tick cleared it first.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('clearing the alert follow-up from the due index failed', { cause: error });
    }
  }

  /** The family's children and parents, in one Query of its partition. */
  async familyForDigest(familyId: string): Promise<FamilyForDigest | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.#call('reading the family', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': prefixes.familyPk(familyId) },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    const meta = items.find((i) => i.sk === 'META');
    if (!meta) return undefined;
    return {
      familyId,
      centreId: String(meta.centreId),
      children: items
        .filter((i) => String(i.sk).startsWith(prefixes.child))
        .map((i) => parseItem(childSchema, i, 'child')),
      parentIds: items
        .filter((i) => String(i.sk).startsWith(prefixes.contact) && i.role === 'parent')
        .map((i) => String(i.contactId)),
    };
  }

  /** Contacts' profiles and schedules, in one request. */
  async contactsWithSchedules(
    contactIds: string[],
  ): Promise<{ contact: Contact; schedule: ScheduleItem | undefined }[]> {
    if (contactIds.length === 0) return [];
    const items = await this.#batchGet(
      contactIds.flatMap((id) => [keys.contactProfile(id), keys.schedule(id)]),
    );
    const find = (k: ItemKey) => items.find((i) => i.pk === k.pk && i.sk === k.sk);
    const out: { contact: Contact; schedule: ScheduleItem | undefined }[] = [];
    for (const id of contactIds) {
      const profile = find(keys.contactProfile(id));
      if (!profile) continue;
      const schedule = find(keys.schedule(id));
      out.push({
        contact: parseItem(contactSchema, profile, 'contact'),
        schedule: schedule ? parseItem(scheduleItemSchema, schedule, 'schedule') : undefined,
      });
    }
    return out;
  }

  #batchGet(wanted: ItemKey[]): Promise<Record<string, unknown>[]> {
    return batchGetItems(this.#client, this.#table, wanted, 'reading the week');
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError(`${what} failed`, { cause: error });
    }
  }
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
