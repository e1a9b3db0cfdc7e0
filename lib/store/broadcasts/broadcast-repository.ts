// Broadcasts in the single table: the broadcast (BROADCAST#<id> / META, in the due index while it is
// due to fan out), one link per targeted Centre (to list them), one item per recipient (the report),
// and the Centre's membership links as the planner's source of recipients.

import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  BROADCAST_ROLES,
  BROADCAST_SOURCES,
  BROADCAST_STATUSES,
  type BroadcastCandidate,
  type BroadcastRecipient,
  type BroadcastStatus,
  broadcastMessageKey,
  CANCELLABLE,
} from '#lib/domain/broadcast.ts';
import { CHANNEL_NAMES, CHILD_CATEGORIES, CONTACT_ROLES, LANGUAGES } from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import { batchGetItems, batchPutItems } from '#lib/store/batch-items.ts';
import { ifAbsent } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import { dueIndexKeys, keys, prefixes, refAttributes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import { broadcastFields } from '#lib/store/roster/roster-repository.ts';
import { contactSchema, type Family, familySchema } from '#lib/store/roster/roster-types.ts';
import * as z from '#lib/zod.ts';

const hhmm = z.lazy(() => z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/)));

const exclusionsSchema = z.lazy(() =>
  z.object({
    optedOut: z.int(),
    invalidAddress: z.int(),
    noAddress: z.int(),
    noText: z.int(),
  }),
);

export const storedBroadcastSchema = z.lazy(() =>
  z.object({
    broadcastId: z.string(),
    centreIds: z.array(z.string()).check(z.minLength(1)),
    target: z.object({
      centreIds: z.array(z.string()),
      roles: z.array(z.enum(BROADCAST_ROLES)),
      categories: z.array(z.enum(CHILD_CATEGORIES)),
      languages: z.array(z.enum(LANGUAGES)),
    }),
    texts: z.partialRecord(z.enum(LANGUAGES), z.string()),
    status: z.enum(BROADCAST_STATUSES),
    /** `api`, or where a coordinator's GB message came from. */
    source: z.enum(BROADCAST_SOURCES),
    createdBy: z.string(),
    createdAt: z.string(),
    /** The preview shown when it was composed (figures may change until it is sent). */
    preview: z.record(z.string(), z.unknown()),
    approvedBy: z.optional(z.string()),
    approvedAt: z.optional(z.string()),
    sendAt: z.optional(z.string()),
    cancelledBy: z.optional(z.string()),
    cancelledAt: z.optional(z.string()),
    startedAt: z.optional(z.string()),
    finishedAt: z.optional(z.string()),
    /** Recipients whose message was enqueued so far, and those left out, as the fan-out found them. */
    planned: z._default(z.int(), 0),
    excluded: z.optional(exclusionsSchema),
    /** Where the fan-out goes on: the index of the Centre, and the Query key to start after. */
    cursor: z.optional(
      z.object({
        centre: z.int(),
        startKey: z.optional(z.record(z.string(), z.unknown())),
      }),
    ),
  }),
);
export type StoredBroadcast = z.output<typeof storedBroadcastSchema>;
export type NewBroadcast = Pick<
  StoredBroadcast,
  'broadcastId' | 'centreIds' | 'target' | 'texts' | 'source' | 'createdBy' | 'createdAt' | 'preview'
>;

/**
 * A Centre membership link as the roster writes it since broadcasts exist (`channel` always
 * written, possibly null). A link without `channel` is older: see `#legacyCandidates`.
 */
const candidateSchema = z.lazy(() =>
  z.object({
    contactId: z.string(),
    role: z.enum(CONTACT_ROLES),
    language: z.enum(LANGUAGES),
    optedOut: z._default(z.boolean(), false),
    categories: z._default(z.array(z.enum(CHILD_CATEGORIES)), []),
    channel: z.nullish(z.enum(CHANNEL_NAMES)),
    address: z.nullish(z.string()),
    invalid: z._default(z.boolean(), false),
    quietHours: z.nullish(z.object({ start: hhmm, end: hhmm })),
  }),
);
type CandidateFields = z.output<typeof candidateSchema>;

const toCandidate = (centreId: string, c: CandidateFields): BroadcastCandidate => ({
  contactId: c.contactId,
  centreId,
  role: c.role,
  language: c.language,
  optedOut: c.optedOut,
  categories: c.categories,
  address: c.channel && c.address ? { channel: c.channel, address: c.address } : undefined,
  invalid: c.invalid,
  quietHours: c.quietHours ?? undefined,
});

/** Tries of a broadcast update that fails only with TransactionConflictException. */
const MOVE_ATTEMPTS = 5;
const conflictBackoff = () => new Promise<void>((resolve) => setTimeout(resolve, 10 + Math.random() * 90));

/** Family partitions read at once for legacy links (a page may name hundreds). */
const FAMILY_READS_IN_FLIGHT = 8;

export type StatusCounts = Record<string, number>;

type Outcome = 'done' | 'not-found' | 'conflict';

export class BroadcastRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: [
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /** A new draft and its Centre links; false when the id exists (a retried create). */
  async create(b: NewBroadcast): Promise<boolean> {
    const meta = { ...keys.broadcast(b.broadcastId), entity: 'broadcast', ...b, status: 'draft', planned: 0 };
    const links = b.centreIds.map((centreId) => ({
      Put: {
        TableName: this.#table,
        Item: {
          ...keys.centreBroadcast(centreId, b.createdAt, b.broadcastId),
          entity: 'broadcast-link',
          broadcastId: b.broadcastId,
        },
      },
    }));
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: this.#table, Item: meta, ...ifAbsent() } }, ...links],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw new DependencyError('creating the broadcast failed', { cause: error });
    }
  }

  async get(broadcastId: string): Promise<StoredBroadcast | undefined> {
    const out = await this.#call('reading the broadcast', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: keys.broadcast(broadcastId), ConsistentRead: true }),
      ),
    );
    return out.Item ? parseItem(storedBroadcastSchema, out.Item, 'broadcast') : undefined;
  }

  /** A Centre's broadcasts, newest first (at most `limit`). */
  async listForCentre(centreId: string, limit: number): Promise<StoredBroadcast[]> {
    const out = await this.#call('listing broadcasts', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': prefixes.centrePk(centreId), ':prefix': prefixes.broadcast },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    const ids = (out.Items ?? []).map((i) => String(i.broadcastId));
    const metas = await batchGetItems(
      this.#client,
      this.#table,
      ids.map(keys.broadcast),
      'reading broadcasts',
    );
    const byId = new Map(metas.map((m) => [String(m.broadcastId), m]));
    return ids.flatMap((id) => {
      const item = byId.get(id);
      return item ? [parseItem(storedBroadcastSchema, item, 'broadcast')] : [];
    });
  }

  /** Approve a draft, to fan out at `sendAt` (enters the due index). */
  approve(broadcastId: string, by: string, at: Date, sendAt: Date): Promise<Outcome> {
    return this.#move(broadcastId, ['draft'], {
      set: {
        status: 'scheduled',
        approvedBy: by,
        approvedAt: at.toISOString(),
        sendAt: sendAt.toISOString(),
        ...dueIndexKeys(`broadcast#${broadcastId}`, sendAt),
      },
    });
  }

  /** Cancel; it leaves the due index, and messages the send worker has not claimed are not sent. */
  cancel(broadcastId: string, by: string, at: Date): Promise<Outcome> {
    return this.#move(broadcastId, CANCELLABLE, {
      set: { status: 'cancelled', cancelledBy: by, cancelledAt: at.toISOString() },
      remove: ['dueShard', 'dueKey', 'cursor'],
    });
  }

  /** Drop a draft nobody approved (never anything approved since). */
  discard(broadcastId: string, by: string, at: Date): Promise<Outcome> {
    return this.#move(broadcastId, ['draft'], {
      set: { status: 'cancelled', cancelledBy: by, cancelledAt: at.toISOString() },
    });
  }

  /** The fan-out begins (or goes on after a tick ran out of time). */
  startSending(broadcastId: string, at: Date): Promise<Outcome> {
    return this.#move(broadcastId, ['scheduled', 'sending'], {
      set: { status: 'sending' },
      setIfMissing: { startedAt: at.toISOString() },
    });
  }

  /** Progress after a page of recipients: a re-run starts after it. Conflict once cancelled. */
  saveProgress(
    broadcastId: string,
    progress: {
      cursor: NonNullable<StoredBroadcast['cursor']>;
      planned: number;
      excluded: StoredBroadcast['excluded'];
    },
  ): Promise<Outcome> {
    return this.#move(broadcastId, ['sending'], {
      set: { cursor: progress.cursor, planned: progress.planned, excluded: progress.excluded },
    });
  }

  /** Every recipient's message is enqueued: out of the due index. */
  finish(broadcastId: string, at: Date): Promise<Outcome> {
    return this.#move(broadcastId, ['sending'], {
      set: { status: 'sent', finishedAt: at.toISOString() },
      remove: ['dueShard', 'dueKey', 'cursor'],
    });
  }

  /** One page of a Centre's membership links, as broadcast candidates. */
  async candidates(
    centreId: string,
    startKey: Record<string, unknown> | undefined,
    limit: number,
  ): Promise<{ candidates: BroadcastCandidate[]; next: Record<string, unknown> | undefined }> {
    const out = await this.#call('reading the recipients', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': prefixes.centrePk(centreId), ':prefix': prefixes.contact },
          ExclusiveStartKey: startKey,
          Limit: limit,
        }),
      ),
    );
    const items = out.Items ?? [];
    const isLegacy = (item: Record<string, unknown>) => !('channel' in item);
    const legacy = await this.#legacyCandidates(centreId, items.filter(isLegacy));
    const candidates = items.flatMap((item): BroadcastCandidate[] => {
      if (!isLegacy(item)) return [toCandidate(centreId, parseItem(candidateSchema, item, 'centre member'))];
      const c = legacy.get(String(item.contactId));
      return c ? [c] : [];
    });
    return { candidates, next: out.LastEvaluatedKey };
  }

  /**
   * Links written before broadcasts existed carry only `{contactId, role, name}` (a turn that opted
   * out may have added `optedOut`/`language` since): their fields come from the contact's profile
   * (one BatchGetItem per page) and families, as the roster writes them now. A link whose profile is
   * gone, or says another Centre, is skipped.
   */
  async #legacyCandidates(
    centreId: string,
    links: readonly Record<string, unknown>[],
  ): Promise<Map<string, BroadcastCandidate>> {
    if (links.length === 0) return new Map();
    const profiles = await batchGetItems(
      this.#client,
      this.#table,
      links.map((l) => keys.contactProfile(String(l.contactId))),
      "reading the recipients' profiles",
    );
    const contacts = profiles
      .map((p) => parseItem(contactSchema, p, 'contact'))
      .filter((c) => c.centreId === centreId);
    const families = await this.#families([...new Set(contacts.flatMap((c) => c.familyIds))]);
    return new Map(
      contacts.map((c) => {
        const own = c.familyIds.flatMap((id) => families.get(id) ?? []);
        const fields = { contactId: c.contactId, role: c.role, ...broadcastFields(c, own) };
        return [c.contactId, toCandidate(centreId, fields)];
      }),
    );
  }

  /** Families with their children, read as `RosterRepository.getFamily` does (missing ones left out). */
  async #families(familyIds: readonly string[]): Promise<Map<string, Family>> {
    const found = new Map<string, Family>();
    let next = 0;
    const worker = async () => {
      for (let id = familyIds[next++]; id !== undefined; id = familyIds[next++]) {
        const items = await queryPartition(
          this.#client,
          this.#table,
          "reading the recipients' families",
          prefixes.familyPk(id),
        );
        const meta = items.find((i) => i.sk === 'META');
        if (!meta) continue;
        const children = items.filter((i) => String(i.sk).startsWith(prefixes.child));
        found.set(id, parseItem(familySchema, { ...meta, children }, 'family'));
      }
    };
    await Promise.all(Array.from({ length: Math.min(FAMILY_READS_IN_FLIGHT, familyIds.length) }, worker));
    return found;
  }

  /** Written before the messages are enqueued, so the report knows every recipient. */
  async putRecipients(broadcastId: string, recipients: readonly BroadcastRecipient[]): Promise<void> {
    await batchPutItems(
      this.#client,
      this.#table,
      recipients.map((r) => ({
        ...keys.broadcastRecipient(broadcastId, r.contactId),
        ...refAttributes(r, keys.broadcastRecipient(broadcastId, r.contactId)),
        entity: 'broadcast-recipient',
        contactId: r.contactId,
        centreId: r.centreId,
        language: r.language,
        channel: r.address.channel,
      })),
      'recording broadcast recipients',
    );
  }

  /** How many of the recipients' messages are in each outbound status (no message yet: `planned`). */
  async statusCounts(broadcastId: string): Promise<StatusCounts> {
    const counts: StatusCounts = {};
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.#call('reading the broadcast recipients', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': prefixes.broadcastPk(broadcastId),
              ':prefix': prefixes.broadcastRecipient,
            },
            ProjectionExpression: 'contactId',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const ids = (out.Items ?? []).map((i) => String(i.contactId));
      const messages = await batchGetItems(
        this.#client,
        this.#table,
        ids.map((id) => keys.outbound(broadcastMessageKey(broadcastId, id))),
        'reading broadcast messages',
        { attributes: ['status'] },
      );
      // A message WeChat could not carry went by SMS under `<key>#sms`: the copy's status is the outcome.
      const rerouted = messages
        .filter((m) => m.status === 'rerouted')
        .map((m) => ({ pk: `${m.pk}#sms`, sk: 'MESSAGE' }));
      const copies = await batchGetItems(this.#client, this.#table, rerouted, 'reading broadcast messages', {
        attributes: ['status'],
      });
      const copied = new Map(copies.map((c) => [String(c.pk), String(c.status)]));
      for (const m of messages) {
        const status = m.status === 'rerouted' ? (copied.get(`${m.pk}#sms`) ?? 'rerouted') : String(m.status);
        counts[status] = (counts[status] ?? 0) + 1;
      }
      const missing = ids.length - messages.length;
      if (missing > 0) counts.planned = (counts.planned ?? 0) + missing;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  async #move(
    broadcastId: string,
    from: readonly BroadcastStatus[],
    change: { set: Record<string, unknown>; setIfMissing?: Record<string, unknown>; remove?: string[] },
  ): Promise<Outcome> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    let n = 0;
    for (const [attribute, value] of Object.entries(change.set)) {
      names[`#s${n}`] = attribute;
      values[`:s${n}`] = value;
      sets.push(`#s${n} = :s${n}`);
      n++;
    }
    for (const [attribute, value] of Object.entries(change.setIfMissing ?? {})) {
      names[`#s${n}`] = attribute;
      values[`:s${n}`] = value;
      sets.push(`#s${n} = if_not_exists(#s${n}, :s${n})`);
      n++;
    }
    const removes = (change.remove ?? []).map((attribute, i) => {
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });
    const allowed = from.map((s, i) => {
      values[`:from${i}`] = s;
      return `:from${i}`;
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: keys.broadcast(broadcastId),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: `attribute_exists(pk) AND #status IN (${allowed.join(', ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'done';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return error.Item ? 'conflict' : 'not-found';
        // A claim's transaction was checking this item at that moment (the SDK does not retry it).
        if (error instanceof TransactionConflictException && attempt < MOVE_ATTEMPTS) {
          await conflictBackoff();
          continue;
        }
        throw new DependencyError('updating the broadcast failed', { cause: error });
      }
    }
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError(`${what} failed`, { cause: error });
    }
  }
}
