import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ALERT_FOLLOW_UPS, type AlertFollowUp, alertFollowUpDueAt } from '#lib/domain/alert-escalation.ts';
import type {
  AlertRecord,
  AnswerRecord,
  ChannelAddress,
  ChannelName,
  CompletedCheckin,
} from '#lib/domain/model.ts';
import { newOutboundMessage, STATUS_RANK } from '#lib/domain/outbound-message.ts';
import { DependencyError } from '#lib/errors.ts';
import type {
  CommitResult,
  ConversationStore,
  InboundMessage,
  TurnCommit,
  TurnSnapshot,
} from '#lib/ports/conversation-store.ts';
import { ifAbsent, ifVersion, nextVersion, VERSION_ATTRIBUTE } from '#lib/store/conditional-write.ts';
import { firstReplay, unprocessedLinkKey } from '#lib/store/conversation/unprocessed-repository.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import {
  contactViewSchema,
  messageItemSchema,
  parseItem,
  sessionItemSchema,
} from '#lib/store/item-schemas.ts';
import {
  answerAttribute,
  dueIndexKeys,
  epochSeconds,
  type ItemKey,
  keys,
  refAttributes,
} from '#lib/store/keys.ts';
import { UpdateBuilder } from '#lib/store/update-expression.ts';

export interface DynamoConversationStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long inbound messages (and their replies) are kept. */
  messageLogTtlDays: number;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const DAY_MS = 24 * 60 * 60 * 1000;
/** An unknown number gets the polite reply at most once per this interval. */
const UNREGISTERED_REPLY_INTERVAL_MS = DAY_MS;
const UNREGISTERED_TTL_DAYS = 2;
/**
 * An expired session is ignored by the engine; TTL only tidies it away. The margin keeps a
 * session the engine may still look at (late answers) well clear of deletion.
 */
export const SESSION_TTL_GRACE_DAYS = 7;
const BATCH_GET_MAX_ATTEMPTS = 5;
const MAX_REASON_LENGTH = 1000;
/** A done follow-up is kept this long after it was due (so a re-raised alert does not redo it). */
const FOLLOW_UP_TTL_DAYS = 30;

/** An alert's follow-up's id in the due index (`dueKey` = due time # id). */
export const alertFollowUpId = (step: AlertFollowUp, alertId: string): string => `alert-${step}#${alertId}`;

export class DynamoConversationStore implements ConversationStore {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: [
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #messageLogTtlDays: number;

  constructor(opts: DynamoConversationStoreOptions) {
    this.#client = opts.client;
    this.#table = opts.tableName;
    this.#messageLogTtlDays = opts.messageLogTtlDays;
  }

  /** One BatchGetItem (strongly consistent) of the contact projection, session and message marker. */
  async loadTurn(channel: ChannelName, address: string, messageId: string): Promise<TurnSnapshot> {
    const contactKey = keys.contactView(channel, address);
    const sessionKey = keys.session(channel, address);
    const messageKey = keys.message(channel, address, messageId);
    const items = await this.#batchGet([contactKey, sessionKey, messageKey]);
    const find = (k: ItemKey) => items.find((i) => i.pk === k.pk && i.sk === k.sk);

    const contactItem = find(contactKey);
    const sessionItem = find(sessionKey);
    const messageItem = find(messageKey);
    return {
      contact: contactItem ? parseItem(contactViewSchema, contactItem, 'contact view') : undefined,
      session: sessionItem ? parseItem(sessionItemSchema, sessionItem, 'session') : undefined,
      processed: messageItem ? parseItem(messageItemSchema, messageItem, 'message') : undefined,
    };
  }

  /**
   * One TransactWriteItems: message marker, session, check-ins, alerts (with their follow-ups in
   * the due index) and contact changes together.
   */
  async commitTurn(commit: TurnCommit): Promise<CommitResult> {
    return this.#commit(commit, true);
  }

  async #commit(commit: TurnCommit, withFollowUps: boolean): Promise<CommitResult> {
    const { inbound, now } = commit;
    const items: TransactItem[] = [];
    // Items whose failed condition means "someone changed what we read": re-read and retry.
    const conflictIndexes = new Set<number>();
    // Follow-ups put only if absent: a re-raised alert's exist already (or were done).
    const followUpIndexes = new Set<number>();

    const messageIndex = items.push(this.#messagePut(commit)) - 1;

    const sessionItem = this.#sessionWrite(commit);
    if (sessionItem) conflictIndexes.add(items.push(sessionItem) - 1);

    for (const update of this.#checkinUpdates(commit)) items.push(update);
    for (const update of this.#alertUpdates(commit.alerts, inbound.messageId, now)) items.push(update);
    if (withFollowUps) {
      for (const put of this.#alertFollowUps(commit)) followUpIndexes.add(items.push(put) - 1);
    }
    for (const update of this.#contactUpdates(commit)) conflictIndexes.add(items.push(update) - 1);
    for (const put of this.#replyLog(commit)) items.push(put);
    for (const put of this.#parentWrites(commit)) items.push(put);

    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      if (!isNamed(error, 'TransactionCanceledException')) {
        throw new DependencyError('committing the turn failed', { cause: error });
      }
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const code = (i: number) => reasons[i]?.Code;
      // The message was already committed: nothing else matters, the caller resends its replies.
      if (code(messageIndex) === 'ConditionalCheckFailed') return 'duplicate';
      if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'conflict';
      for (const i of conflictIndexes) if (code(i) === 'ConditionalCheckFailed') return 'conflict';
      // The alert was raised before (another message): its follow-ups stand; commit without them.
      if ([...followUpIndexes].some((i) => code(i) === 'ConditionalCheckFailed')) {
        return this.#commit(commit, false);
      }
      throw new DependencyError('committing the turn was cancelled', { cause: error });
    }
  }

  async recordUnregistered(inbound: InboundMessage, now: Date): Promise<boolean> {
    const key = keys.unregistered(inbound.channel, inbound.from);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...key,
            entity: 'unregistered',
            // ISO strings from toISOString() compare chronologically as strings.
            lastRepliedAt: now.toISOString(),
            lastMessageId: inbound.messageId,
            ttl: epochSeconds(new Date(now.getTime() + UNREGISTERED_TTL_DAYS * DAY_MS)),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR lastRepliedAt < :cutoff OR lastMessageId = :messageId',
          ExpressionAttributeValues: {
            ':cutoff': new Date(now.getTime() - UNREGISTERED_REPLY_INTERVAL_MS).toISOString(),
            ':messageId': inbound.messageId,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isNamed(error, 'ConditionalCheckFailedException')) return false;
      throw new DependencyError('recording an unregistered sender failed', { cause: error });
    }
  }

  async recordUnprocessed(inbound: InboundMessage, reason: string, now: Date): Promise<void> {
    // Whose Centre lists it (best effort: the read may fail for the same reason the turn did).
    const centreId = await this.#client
      .send(
        new GetCommand({
          TableName: this.#table,
          Key: keys.contactView(inbound.channel, inbound.from),
          ProjectionExpression: 'centreId',
        }),
      )
      .then((out) => (typeof out.Item?.centreId === 'string' ? out.Item.centreId : undefined))
      .catch(() => undefined);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.unprocessed(inbound.channel, inbound.from, inbound.messageId),
            entity: 'unprocessed',
            channel: inbound.channel,
            messageId: inbound.messageId,
            from: inbound.from,
            to: inbound.to,
            // Kept: it may be an answer that should be replayed once the fault is fixed.
            body: inbound.body,
            receivedAt: inbound.receivedAt,
            reason: reason.slice(0, MAX_REASON_LENGTH),
            recordedAt: now.toISOString(),
            ttl: this.#messageTtl(now),
            ...(centreId === undefined ? {} : { centreId }),
            // The scheduler tick replays it (lib/inbound/replay-unprocessed.ts).
            ...firstReplay(inbound, now),
          },
          ...ifAbsent(),
        }),
      );
    } catch (error) {
      // A redelivery of a message already kept: the first record stands.
      if (isNamed(error, 'ConditionalCheckFailedException')) return;
      throw new DependencyError('recording an unprocessed message failed', { cause: error });
    }
    if (centreId !== undefined) {
      await this.#client
        .send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...unprocessedLinkKey(centreId, inbound),
              entity: 'unprocessed-link',
              channel: inbound.channel,
              from: inbound.from,
              messageId: inbound.messageId,
              ttl: this.#messageTtl(now),
            },
          }),
        )
        .catch(() => undefined); // the message itself is kept and replayed; only the listing lacks it
    }
  }

  async #batchGet(wanted: ItemKey[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] = wanted.map((k) => ({ pk: k.pk, sk: k.sk }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > BATCH_GET_MAX_ATTEMPTS) {
        throw new DependencyError(`reading the turn left ${pending.length} keys unprocessed`);
      }
      if (attempt > 1) await sleep(20 * 2 ** attempt);
      let output: BatchGetCommandOutput;
      try {
        output = await this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } },
          }),
        );
      } catch (error) {
        throw new DependencyError('reading the turn failed', { cause: error });
      }
      found.push(...(output.Responses?.[this.#table] ?? []));
      pending = output.UnprocessedKeys?.[this.#table]?.Keys ?? [];
    }
    return found;
  }

  #messageTtl(now: Date): number {
    return epochSeconds(new Date(now.getTime() + this.#messageLogTtlDays * DAY_MS));
  }

  /**
   * The replies go back in the webhook's answer (TwiML), not through the send queue; they are
   * logged as outbound messages all the same, so the message log is complete.
   */
  #replyLog(commit: TurnCommit): TransactItem[] {
    const { inbound, contact, replies, now } = commit;
    return replies.map((body, i) => {
      const message = newOutboundMessage(
        {
          key: `reply#${inbound.channel}#${inbound.messageId}#${i}`,
          recipient: { contactId: contact.contactId, channel: inbound.channel, address: inbound.from },
          body,
          kind: 'reply',
        },
        now,
      );
      const at = now.toISOString();
      return {
        Put: {
          TableName: this.#table,
          Item: {
            ...keys.outbound(message.key),
            ...refAttributes(contact, keys.outbound(message.key)),
            entity: 'outbound',
            ...message,
            status: 'sent',
            statusRank: STATUS_RANK.sent,
            statusHistory: [
              ...message.statusHistory,
              { status: 'sent', at, detail: 'reply in the webhook answer' },
            ],
            inReplyTo: inbound.messageId,
            ttl: this.#messageTtl(now),
          },
        },
      };
    });
  }

  #messagePut(commit: TurnCommit): TransactItem {
    const { inbound, now } = commit;
    return {
      Put: {
        TableName: this.#table,
        Item: {
          ...keys.message(inbound.channel, inbound.from, inbound.messageId),
          entity: 'message',
          channel: inbound.channel,
          messageId: inbound.messageId,
          from: inbound.from,
          to: inbound.to,
          body: inbound.body,
          receivedAt: inbound.receivedAt,
          contactId: commit.contact.contactId,
          replies: commit.replies,
          committedAt: now.toISOString(),
          ttl: this.#messageTtl(now),
        },
        // Its existence marks the turn as done: the dedupe of redelivered webhooks.
        ...ifAbsent(),
      },
    };
  }

  #sessionWrite(commit: TurnCommit): TransactItem | undefined {
    const { inbound, expectedSessionVersion: expected } = commit;
    const key = keys.session(inbound.channel, inbound.from);
    const guard = ifVersion(expected ?? 'absent');

    if (commit.session) {
      const expiresAt = Date.parse(commit.session.expiresAt);
      return {
        Put: {
          TableName: this.#table,
          Item: {
            ...key,
            entity: 'session',
            session: commit.session,
            version: nextVersion(expected ?? 'absent'),
            updatedAt: commit.now.toISOString(),
            ttl: Number.isNaN(expiresAt)
              ? undefined
              : epochSeconds(new Date(expiresAt + SESSION_TTL_GRACE_DAYS * DAY_MS)),
          },
          ...guard,
        },
      };
    }
    if (expected !== undefined) return { Delete: { TableName: this.#table, Key: key, ...guard } };
    // No session before or after: still check none appeared meanwhile, so a concurrent message
    // that started a conversation is not ignored (costs no extra request).
    return { ConditionCheck: { TableName: this.#table, Key: key, ...guard } };
  }

  /** One update per child and week: a transaction may not touch an item twice. */
  #checkinUpdates(commit: TurnCommit): TransactItem[] {
    const groups = new Map<
      string,
      {
        first: AnswerRecord | CompletedCheckin;
        answers: Map<string, AnswerRecord>;
        completed?: CompletedCheckin;
      }
    >();
    const groupFor = (r: AnswerRecord | CompletedCheckin) => {
      const id = `${r.childId}\u0000${r.week}`;
      let group = groups.get(id);
      if (!group) {
        group = { first: r, answers: new Map() };
        groups.set(id, group);
      }
      return group;
    };
    // Same item twice in one turn: the later answer wins (paths may not overlap in one update).
    for (const a of commit.answers) groupFor(a).answers.set(a.itemId, a);
    for (const c of commit.completed) groupFor(c).completed = c;

    const now = commit.now.toISOString();
    return [...groups.values()].map(({ first, answers, completed }) => {
      const u = new UpdateBuilder()
        .set('entity', 'checkin')
        .set('childId', first.childId)
        .set('familyId', first.familyId)
        .set('week', first.week)
        .setIfNotExists('centreId', commit.contact.centreId)
        .setIfNotExists('flowId', first.flowId)
        .setIfNotExists('createdAt', now)
        .set('updatedAt', now);
      for (const a of answers.values()) {
        u.set(answerAttribute(a.itemId), {
          status: a.status,
          value: a.value,
          raw: a.raw,
          truncated: a.truncated,
          answeredAt: a.answeredAt,
        });
      }
      // Every answer of every run, in order, with who and which run: a correction or a message added
      // later never takes an earlier answer or free text away (the answer_ attributes are the final ones).
      u.append(
        'history',
        commit.answers
          .filter((a) => a.childId === first.childId && a.week === first.week)
          .map((a) => ({
            itemId: a.itemId,
            status: a.status,
            ...(a.value === undefined ? {} : { value: a.value }),
            raw: a.raw,
            answeredAt: a.answeredAt,
            by: commit.contact.contactId,
            ...(a.run === undefined ? {} : { run: a.run }),
            ...(a.correction ? { correction: true } : {}),
          })),
      );
      if ([...answers.values()].some((a) => a.correction)) u.set('correctedAt', now);
      if (completed?.correction) {
        // The week was answered before: its parents' update is due once only. If it went out already,
        // `correctedAt` after `digestAt` says the figures changed since.
        u.setIfNotExists('status', 'completed').setIfNotExists('completedAt', completed.completedAt);
      } else if (completed) {
        u.set('status', 'completed').set('completedAt', completed.completedAt);
        // The parents' update is now due: the scheduler tick finds it in the due index.
        const due = dueIndexKeys(`digest#${first.childId}#${first.week}`, commit.now);
        u.set('dueShard', due.dueShard).set('dueKey', due.dueKey);
      } else {
        // A late answer after completion must not reopen the check-in.
        u.setIfNotExists('status', 'in-progress');
      }
      return {
        Update: { TableName: this.#table, Key: keys.checkin(first.childId, first.week), ...u.build() },
      };
    });
  }

  /**
   * A parent's message for the child (one per inbound message: its id is in the key) and their
   * answer for the week. Both are plain puts: the turn's message marker makes them once.
   */
  #parentWrites(commit: TurnCommit): TransactItem[] {
    const { inbound, now } = commit;
    const items: TransactItem[] = [];
    for (const [i, m] of (commit.childMessages ?? []).entries()) {
      const id = `${m.receivedAt}#${inbound.channel}#${inbound.messageId}${i > 0 ? `#${i}` : ''}`;
      items.push({
        Put: {
          TableName: this.#table,
          Item: {
            ...keys.childMessage(m.centreId, id),
            entity: 'child-message',
            messageKey: id,
            ...m,
            channel: inbound.channel,
            status: 'new',
            createdAt: now.toISOString(),
          },
        },
      });
    }
    for (const a of commit.parentAnswers ?? []) {
      items.push({
        Put: {
          TableName: this.#table,
          Item: { ...keys.parentWeek(a.contactId, a.week), entity: 'parent-week', ...a },
        },
      });
    }
    return items;
  }

  /** Upserts without a condition: a re-raised alert keeps its status and first raisedAt. */
  #alertUpdates(alerts: AlertRecord[], messageId: string, now: Date): TransactItem[] {
    const byId = new Map<string, AlertRecord>();
    for (const a of alerts) if (!byId.has(a.alertId)) byId.set(a.alertId, a);
    return [...byId.values()].map((a) => {
      const u = new UpdateBuilder()
        .set('entity', 'alert')
        .setIfNotExists('alertId', a.alertId)
        .setIfNotExists('centreId', a.centreId)
        .setIfNotExists('childId', a.childId)
        .setIfNotExists('familyId', a.familyId)
        .setIfNotExists('week', a.week)
        .setIfNotExists('itemId', a.itemId)
        .setIfNotExists('reason', a.reason)
        .setIfNotExists('value', a.value)
        .setIfNotExists('raisedAt', a.raisedAt)
        .setIfNotExists('messageId', messageId)
        .setIfNotExists('status', 'open')
        .set('lastRaisedAt', now.toISOString());
      return {
        Update: { TableName: this.#table, Key: keys.centreAlert(a.centreId, a.alertId), ...u.build() },
      };
    });
  }

  /**
   * Each new alert's follow-ups for the scheduler tick, in the due index: make sure the
   * coordinators were told (the notification after the commit may never happen), and escalate
   * if no one has acknowledged it a day later. Put only if absent, so they are written once.
   */
  #alertFollowUps(commit: TurnCommit): TransactItem[] {
    const byId = new Map<string, AlertRecord>();
    for (const a of commit.alerts) if (!byId.has(a.alertId)) byId.set(a.alertId, a);
    return [...byId.values()].flatMap((a) =>
      ALERT_FOLLOW_UPS.map((step): TransactItem => {
        const dueAt = alertFollowUpDueAt(step, a.raisedAt);
        return {
          Put: {
            TableName: this.#table,
            Item: {
              ...keys.alertFollowUp(a.centreId, a.alertId, step),
              entity: 'alert-follow-up',
              step,
              alertId: a.alertId,
              centreId: a.centreId,
              // Erasure finds it by the child (a family) or the raiser (a contact).
              childId: a.childId,
              raisedBy: commit.contact.contactId,
              dueAt: dueAt.toISOString(),
              ...dueIndexKeys(alertFollowUpId(step, a.alertId), dueAt),
              ttl: epochSeconds(new Date(dueAt.getTime() + FOLLOW_UP_TTL_DAYS * DAY_MS)),
            },
            ...ifAbsent(),
          },
        };
      }),
    );
  }

  /**
   * optedOut/language go to the profile and to the projection of every address (each is read on
   * its own); stopHintWeek and lastIdleReplyAt belong to this address only. The updates require the item to exist and
   * belong to the contact, so a concurrent roster change (an address moved or removed) never leaves
   * a half-made projection: it cancels the turn as a conflict and the retry reads the new roster.
   */
  #contactUpdates(commit: TurnCommit): TransactItem[] {
    const { contactChanges: changes, contact, inbound } = commit;
    const shared =
      changes.optedOut !== undefined || changes.language !== undefined || changes.checkinForm !== undefined;
    const now = commit.now.toISOString();
    const out: TransactItem[] = [];

    const guarded = (key: ItemKey, u: UpdateBuilder): TransactItem => {
      const condition = `${u.name('contactId')} = ${u.value(contact.contactId)}`;
      return { Update: { TableName: this.#table, Key: key, ...u.build(), ConditionExpression: condition } };
    };
    const sharedChanges = (u: UpdateBuilder) =>
      u
        .set('optedOut', changes.optedOut)
        .set('language', changes.language)
        .set('checkinForm', changes.checkinForm)
        .set('updatedAt', now);

    if (shared) {
      // The person's own choice: stamped, and a new version of the profile, so that a roster write
      // that read the profile before it (an edit, an import) fails its condition instead of undoing it.
      const profile = sharedChanges(new UpdateBuilder()).increment(VERSION_ATTRIBUTE);
      if (changes.optedOut === true) profile.set('optedOutAt', now);
      out.push(guarded(keys.contactProfile(contact.contactId), profile));
      // The Centre's membership link carries them too: broadcasts are planned from it.
      out.push(
        guarded(keys.centreContact(contact.centreId, contact.contactId), sharedChanges(new UpdateBuilder())),
      );
    }

    const here: ChannelAddress = { channel: inbound.channel, address: inbound.from };
    const addresses = shared ? uniqueAddresses([here, ...contact.addresses]) : [];
    const perAddress =
      changes.stopHintWeek !== undefined ||
      changes.lastIdleReplyAt !== undefined ||
      changes.checkinDoneWeek !== undefined ||
      changes.stepStreakWeek !== undefined ||
      changes.oneMessageOffered !== undefined;
    if (!shared && perAddress) addresses.push(here);
    for (const a of addresses) {
      const u = shared ? sharedChanges(new UpdateBuilder()) : new UpdateBuilder().set('updatedAt', now);
      const isHere = a.channel === here.channel && a.address === here.address;
      if (isHere) {
        u.set('stopHintWeek', changes.stopHintWeek)
          .set('lastIdleReplyAt', changes.lastIdleReplyAt)
          .set('checkinDoneWeek', changes.checkinDoneWeek)
          .set('stepStreak', changes.stepStreak)
          .set('stepStreakWeek', changes.stepStreakWeek)
          .set('oneMessageOffered', changes.oneMessageOffered);
      }
      out.push(guarded(keys.contactView(a.channel, a.address), u));
    }
    return out;
  }
}

function uniqueAddresses(list: ChannelAddress[]): ChannelAddress[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const id = `${a.channel}#${a.address}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
