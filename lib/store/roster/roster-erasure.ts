// Erasure on request (PIPL): a family or a contact, and every item that holds their personal data.
// What goes, per key kind (lib/store/keys.ts):
//   contact: CONTACT#<id> (PROFILE, SCHEDULE and its due-index keys, PWEEK#*); every item of each of its
//     ADDR#<channel>#<address> partitions (projection, SESSION, MSG# log, UNPROCESSED#, UNREGISTERED,
//     CSWINDOW, LINKFAIL#*); LOOPGUARD#<address> counters; its family and centre links; the Centre's
//     messages for a child it sent (CHILDMSG#), tasks about it (TASK#) and their escalations
//     (TASKDUE#), follow-ups of alerts it raised (ALERTDUE#); its OUTBOUND# messages and LINKCODE#
//     codes, and the broadcasts' recipient items naming them (no index by contact: one filtered Scan,
//     acceptable for a rare request).
//   family: FAMILY#<id> (META, CHILD#*, links), the centre's link to it, CHILD#<child> check-ins,
//     the Centre's alerts (ALERT#<child>#…) and their follow-ups (ALERTDUE#<child>#…), messages for
//     the child and tasks naming its children (and their escalations, TASKDUE#),
//     OUTBOUND# messages whose key names a child (the parents' updates); its contacts that belong to no
//     other family are erased as above, the others just leave it (projections and schedules rewritten).
//   children taken off a family (the family stays): as for a family's children, except that a message,
//     task or task escalation that also names a child still on the roster (a sibling) is kept, rewritten
//     without the removed children (the coordinators keep an open task about the sibling).
// What stays: an audit item under the Centre (who, when, what kind, counts of items per kind), with no
// name, number or id of the erased person; and a tombstone per erased family and contact, keyed by a
// hash of its id (lib/store/roster/tombstones.ts), so that the id cannot be recreated.

import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyError } from '#lib/errors.ts';
import { batchDeleteItems } from '#lib/store/batch-items.ts';
import { ifAbsent, isConditionFailed, retryOnVersionConflict } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import type { JobRecord } from '#lib/store/jobs/job-repository.ts';
import { type ItemKey, keys, outboundReference, prefixes, referencedKey } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { Contact } from '#lib/store/roster/roster-types.ts';
import { type ErasedKind, tombstoneItem } from '#lib/store/roster/tombstones.ts';
import { REFS_INDEX } from '#lib/store/table-definition.ts';

export interface ErasureOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  roster: RosterRepository;
  /** Items one job step reads at most (ERASURE_STEP_ITEMS). */
  stepItems?: number;
}

export interface ErasureAudit {
  auditId: string;
  centreId: string;
  action: 'erase-family' | 'erase-contact' | 'remove-children';
  by: string;
  at: string;
  /** Items deleted, per kind: counts only; `<kind>-updated` counts items kept with the removed children taken out. */
  deleted: Record<string, number>;
}

type Item = Record<string, unknown>;

/** Items one step of an erasure job reads (and so at most deletes) by default. */
export const ERASURE_STEP_ITEMS = 100;

/**
 * Where the items to erase are: each part of the work list is found by key, by a partition Query or by
 * the reference index (REFS_INDEX); never by a scan. Plain data, kept in the job between steps.
 */
export type ErasureSource =
  /** A contact in another family too: it stays, without this family. */
  | { op: 'unlink'; contactId: string; familyId: string }
  /** Links deleted by key (not counted: they hold nothing but the two ids). */
  | { op: 'keys'; keys: ItemKey[] }
  | { op: 'partition'; kind: string; pk: string; skPrefix?: string; filter?: ErasureFilter }
  | { op: 'refs'; refPk: string };

/** Which items of a partition are erased: an attribute naming the person, or naming the children. */
export type ErasureFilter =
  | { attr: 'childId' | 'fromContactId' | 'contactId' | 'raisedBy'; values: string[] }
  /** Names one of the plan's children; `split`: one that also names another child is rewritten. */
  | { names: 'children' | 'childIds'; split: boolean };

export interface ErasurePlan {
  /** The family or contact erased. */
  targetId: string;
  planned: boolean;
  childIds: string[];
  sources: ErasureSource[];
  /** The part of the work list the next step starts at, and where in it (a Query's LastEvaluatedKey). */
  index: number;
  cursor?: Record<string, unknown> | undefined;
  /**
   * What the step read and is deleting: counted and saved before it is deleted, so a step retried
   * after failing half-way deletes the rest without counting anything twice.
   */
  pending?: { deletes: ItemKey[]; rewrites: { key: ItemKey; kind: string }[] } | undefined;
}

export type ErasureJob = JobRecord<ErasurePlan>;
/**
 * An item kept with some attributes rewritten (the removed children taken out): `without` computes the
 * new values from the item as it is (undefined: nothing left, delete it), so a concurrent change can
 * be re-read and recomputed rather than overwritten.
 */
interface Rewrite {
  item: Item;
  without: (item: Item) => Record<string, unknown> | undefined;
}

export class RosterErasure {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: [
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    [`table/index/${REFS_INDEX.name}` as const]: ['dynamodb:Query'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #roster: RosterRepository;
  readonly #stepItems: number;

  constructor(opts: ErasureOptions) {
    this.#client = opts.client;
    this.#table = opts.tableName;
    this.#roster = opts.roster;
    this.#stepItems = opts.stepItems ?? ERASURE_STEP_ITEMS;
  }

  /**
   * One step of an erasure job: the first plans (reads the family or contact and lists where its items
   * are, tombstone first), the next each read at most `stepItems` items from the work list and delete
   * what is theirs, the last writes the audit entry and ends the job. `save` writes the job if nobody
   * else did meanwhile (undefined: another runner has it; this one stops).
   */
  async step(
    job: ErasureJob,
    save: (next: ErasureJob) => Promise<ErasureJob | undefined>,
    at: Date,
  ): Promise<ErasureJob | undefined> {
    const plan = job.plan;
    const updatedAt = at.toISOString();
    if (!plan) return job;
    if (!plan.planned) {
      const planned = await this.#plan(job, at);
      if (!planned)
        return save({
          ...job,
          status: 'not-found',
          plan: undefined,
          steps: job.steps + 1,
          updatedAt,
          finishedAt: updatedAt,
        });
      return save({
        ...job,
        plan: planned,
        total: planned.sources.length,
        done: 0,
        steps: job.steps + 1,
        updatedAt,
      });
    }
    if (plan.pending) {
      // A step that failed half-way: its items were counted already; delete what is left of them.
      await this.#apply(plan.pending, plan.childIds);
      return save({ ...job, plan: { ...plan, pending: undefined }, steps: job.steps + 1, updatedAt });
    }
    if (plan.index >= plan.sources.length) return this.#finish(job, save, updatedAt);

    const childIds = new Set(plan.childIds);
    const deletes: ItemKey[] = [];
    const rewrites: { key: ItemKey; kind: string }[] = [];
    const deleted = { ...job.deleted };
    const count = (kind: string) => {
      deleted[kind] = (deleted[kind] ?? 0) + 1;
    };
    let budget = this.#stepItems;
    let { index, cursor } = plan;
    while (index < plan.sources.length && budget > 0) {
      const source = plan.sources[index] as ErasureSource;
      if (source.op === 'unlink') {
        await this.#unlink(source.contactId, source.familyId);
        budget--;
      } else if (source.op === 'keys') {
        deletes.push(...source.keys);
        budget -= source.keys.length;
      } else {
        const page = await this.#page(source, budget, cursor);
        budget -= Math.max(1, page.items.length);
        for (const item of page.items) {
          if (source.op === 'refs') {
            const key = referencedKey(String(item.refSk));
            deletes.push(key);
            count(referencedKind(key));
            // A message about a child: its reference in the recipient's partition goes with it.
            if (source.refPk.startsWith(prefixes.child) && key.pk.startsWith('OUTBOUND#') && item.contactId)
              deletes.push(outboundReference(String(item.contactId), key.pk.slice('OUTBOUND#'.length)));
            continue;
          }
          const key = keyOf(item);
          const filter = source.filter;
          if (filter && 'attr' in filter) {
            if (!filter.values.includes(String(item[filter.attr]))) continue;
          } else if (filter) {
            if (!namesChildren(filter.names, item, childIds)) continue;
            if (filter.split && withoutChildren(source.kind, item, childIds)) {
              rewrites.push({ key, kind: source.kind });
              count(`${source.kind}-updated`);
              continue;
            }
          }
          deletes.push(key);
          if (key.sk.startsWith(prefixes.outboundReference)) {
            // The reference and the message about a child it points at.
            deletes.push(keys.outbound(key.sk.slice(prefixes.outboundReference.length)));
            count('outbound-ref');
          } else count(source.kind);
        }
        cursor = page.next;
        if (cursor) continue;
      }
      index++;
      cursor = undefined;
    }
    const pending = deletes.length > 0 || rewrites.length > 0 ? { deletes, rewrites } : undefined;
    const saved = await save({
      ...job,
      deleted,
      done: index,
      plan: { ...plan, index, cursor, pending },
      steps: job.steps + 1,
      updatedAt,
    });
    if (!saved?.plan || !pending) return saved;
    await this.#apply(pending, plan.childIds);
    return save({ ...saved, plan: { ...saved.plan, pending: undefined } });
  }

  async #plan(job: ErasureJob, at: Date): Promise<ErasurePlan | undefined> {
    const plan = job.plan as ErasurePlan;
    const { centreId } = job;
    const id = plan.targetId;
    if (job.kind === 'erase-contact') {
      const contact = await this.#roster.getContact(id);
      if (!contact || contact.centreId !== centreId) return undefined;
      // The tombstone first: from now on nothing can recreate the contact, whatever step fails.
      await this.#tombstone('contact', id, at);
      return { ...plan, planned: true, childIds: [], sources: contactSources(contact), index: 0 };
    }
    const family = await this.#roster.getFamily(id);
    if (!family || family.centreId !== centreId) return undefined;
    const childIds = family.children.map((c) => c.childId);
    const sources: ErasureSource[] = [];
    // Its contacts in another family stay (without it), first, while the family still exists (a
    // contact write checks its families); the others are erased with it.
    const erased: Contact[] = [];
    for (const member of await this.#roster.listFamilyContacts(id)) {
      const contact = await this.#roster.getContact(member.contactId);
      if (!contact) continue;
      if (contact.familyIds.every((f) => f === id) && contact.role !== 'coordinator') erased.push(contact);
      else sources.push({ op: 'unlink', contactId: contact.contactId, familyId: id });
    }
    const centrePk = prefixes.centrePk(centreId);
    for (const childId of childIds) {
      sources.push(
        { op: 'refs', refPk: prefixes.childPk(childId) },
        { op: 'partition', kind: 'checkin', pk: prefixes.childPk(childId) },
      );
    }
    if (childIds.length > 0) {
      const byChild = { attr: 'childId', values: childIds } as const;
      sources.push(
        { op: 'partition', kind: 'alert', pk: centrePk, skPrefix: prefixes.alert, filter: byChild },
        {
          op: 'partition',
          kind: 'alert-follow-up',
          pk: centrePk,
          skPrefix: prefixes.alertFollowUp,
          filter: byChild,
        },
        // An erasure request: the parent's free text may name the erased child, so it goes whole.
        {
          op: 'partition',
          kind: 'message-for-child',
          pk: centrePk,
          skPrefix: prefixes.childMessage,
          filter: { names: 'children', split: false },
        },
        // A task that also names a child of another family stays for that child, without these.
        {
          op: 'partition',
          kind: 'task',
          pk: centrePk,
          skPrefix: prefixes.task,
          filter: { names: 'childIds', split: true },
        },
        {
          op: 'partition',
          kind: 'task-follow-up',
          pk: centrePk,
          skPrefix: prefixes.taskFollowUp,
          filter: { names: 'childIds', split: true },
        },
      );
    }
    // The tombstones first: from now on nothing can recreate the family or its contacts.
    await this.#tombstone('family', id, at);
    for (const contact of erased) await this.#tombstone('contact', contact.contactId, at);
    for (const contact of erased) sources.push(...contactSources(contact));
    sources.push(
      { op: 'partition', kind: 'family', pk: prefixes.familyPk(id) },
      { op: 'keys', keys: [keys.centreFamily(centreId, id)] },
    );
    return { ...plan, planned: true, childIds, sources, index: 0 };
  }

  async #finish(
    job: ErasureJob,
    save: (next: ErasureJob) => Promise<ErasureJob | undefined>,
    at: string,
  ): Promise<ErasureJob | undefined> {
    // Keyed by the job: a finish retried after its audit was written writes no second one.
    const audit: ErasureAudit = {
      auditId: job.jobId,
      centreId: job.centreId,
      action: job.kind,
      by: job.by,
      at: job.createdAt,
      deleted: job.deleted,
    };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.centreAudit(job.centreId, audit.at, audit.auditId),
            entity: 'audit',
            ...audit,
            finishedAt: at,
          },
          ...ifAbsent(),
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw new DependencyError('erasing failed', { cause: error });
    }
    return save({
      ...job,
      status: 'done',
      plan: undefined,
      done: job.total,
      steps: job.steps + 1,
      updatedAt: at,
      finishedAt: at,
      auditId: audit.auditId,
    });
  }

  async #page(
    source: Extract<ErasureSource, { op: 'partition' | 'refs' }>,
    limit: number,
    startKey: Record<string, unknown> | undefined,
  ): Promise<{ items: Item[]; next: Record<string, unknown> | undefined }> {
    const query =
      source.op === 'refs'
        ? {
            IndexName: REFS_INDEX.name,
            KeyConditionExpression: '#ref = :ref',
            ExpressionAttributeNames: { '#ref': REFS_INDEX.partitionKey.name },
            ExpressionAttributeValues: { ':ref': source.refPk },
          }
        : {
            KeyConditionExpression: source.skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
            ExpressionAttributeValues: source.skPrefix
              ? { ':pk': source.pk, ':prefix': source.skPrefix }
              : { ':pk': source.pk },
            ConsistentRead: true,
          };
    const out = await this.#call(() =>
      this.#client.send(
        new QueryCommand({ TableName: this.#table, ...query, Limit: limit, ExclusiveStartKey: startKey }),
      ),
    );
    return { items: (out.Items ?? []) as Item[], next: out.LastEvaluatedKey };
  }

  async #apply(pending: NonNullable<ErasurePlan['pending']>, childIds: readonly string[]): Promise<void> {
    const ids = new Set(childIds);
    for (const r of pending.rewrites) {
      const out = await this.#call(() =>
        this.#client.send(new GetCommand({ TableName: this.#table, Key: r.key, ConsistentRead: true })),
      );
      if (out.Item)
        await this.#rewrite({ item: out.Item, without: (item) => withoutChildren(r.kind, item, ids) });
    }
    await this.#delete(pending.deletes);
  }

  async #unlink(contactId: string, familyId: string): Promise<void> {
    await retryOnVersionConflict(async () => {
      const fresh = await this.#roster.getContact(contactId);
      if (fresh?.familyIds.includes(familyId))
        await this.#roster.putContact({ ...fresh, familyIds: fresh.familyIds.filter((f) => f !== familyId) });
    });
  }

  /**
   * Children taken off a family's list: their check-ins, alerts, messages for them, tasks naming them
   * and the parents' updates about them go, as when the whole family is erased, except that a message,
   * task or escalation also naming a child who stays is rewritten without them; one audit entry says
   * how many of each. Idempotent: the family update calls it before writing the list without them, so a
   * retry after a failure (the child still listed) erases again.
   */
  async eraseChildren(
    centreId: string,
    childIds: readonly string[],
    by: string,
    at: Date,
  ): Promise<ErasureAudit | undefined> {
    if (childIds.length === 0) return undefined;
    const deleted = await this.#removeChildData(centreId, childIds, { outbound: true });
    return this.#audit(centreId, 'remove-children', by, at, deleted);
  }

  /**
   * After the family is written without them: what was written about these children while they
   * were being erased (a check-in answered meanwhile, a task the tick raised) goes too. Only their own
   * partitions and the Centre's; the outbound messages were found by the erasure itself.
   */
  async sweepRemovedChildren(centreId: string, childIds: readonly string[]): Promise<void> {
    if (childIds.length > 0) await this.#removeChildData(centreId, childIds, { outbound: false });
  }

  async #removeChildData(
    centreId: string,
    childIds: readonly string[],
    options: { outbound: boolean },
  ): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    const gone: ItemKey[] = [];
    const rewrites: Rewrite[] = [];
    await this.#childData(
      centreId,
      new Set(childIds),
      (kind, items) => {
        if (items.length === 0) return;
        deleted[kind] = (deleted[kind] ?? 0) + items.length;
        gone.push(...items.map(keyOf));
      },
      (kind, rewrite) => {
        deleted[`${kind}-updated`] = (deleted[`${kind}-updated`] ?? 0) + 1;
        rewrites.push(rewrite);
      },
      { outbound: options.outbound, keepMessagesForOthers: true },
    );
    for (const r of rewrites) await this.#rewrite(r);
    await this.#delete(gone);
    return deleted;
  }

  /**
   * Every item about these children: check-ins, alerts and follow-ups, messages, tasks, updates. A
   * message, task or escalation that also names another child (a sibling who stays, or a child of
   * another family) goes to `rewrite` without these children instead of to `count` (deleted).
   */
  async #childData(
    centreId: string,
    childIds: ReadonlySet<string>,
    count: (kind: string, items: Item[]) => void,
    rewrite: (kind: string, r: Rewrite) => void,
    options: { outbound: boolean; keepMessagesForOthers: boolean },
  ): Promise<void> {
    // The whole-table scan first, so the partitions are read as late as possible (a check-in written
    // meanwhile is still found; the family update sweeps once more after its write).
    if (options.outbound) {
      for (const childId of childIds) {
        const found = await this.#referenced(prefixes.childPk(childId));
        const isRef = (i: Item) => String(i.sk).startsWith(prefixes.outboundReference);
        count(
          'outbound',
          found.filter((i) => !isRef(i)),
        );
        count('outbound-ref', found.filter(isRef));
      }
    }
    for (const childId of childIds) count('checkin', await this.#query(prefixes.childPk(childId)));
    const centreItems = await this.#query(prefixes.centrePk(centreId));
    count(
      'alert',
      centreItems.filter((i) => String(i.sk).startsWith(prefixes.alert) && childIds.has(String(i.childId))),
    );
    count(
      'alert-follow-up',
      centreItems.filter(
        (i) => String(i.sk).startsWith(prefixes.alertFollowUp) && childIds.has(String(i.childId)),
      ),
    );
    const named = (prefix: string, ids: (i: Item) => unknown[] | undefined) =>
      centreItems.filter((i) => {
        if (!String(i.sk).startsWith(prefix)) return false;
        return (ids(i) ?? []).some((c) => childIds.has(String(c)));
      });
    const arrayOf = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
    // Deleted when it names no other child, else rewritten without them.
    const split = (kind: string, items: Item[], without: Rewrite['without']) => {
      const whole: Item[] = [];
      for (const item of items) {
        if (without(item)) rewrite(kind, { item, without });
        else whole.push(item);
      }
      count(kind, whole);
    };
    const stays = (c: unknown) => !childIds.has(String(c));
    const messages = named(prefixes.childMessage, (i) =>
      arrayOf(i.children)?.map((c) => (c as Item | null)?.childId),
    );
    if (options.keepMessagesForOthers) {
      split('message-for-child', messages, (i) => {
        const left = (arrayOf(i.children) ?? []).filter((c) => stays((c as Item | null)?.childId));
        return left.length > 0 ? { children: left } : undefined;
      });
      // An erasure request: the parent's free text may name the erased child, so it goes whole.
    } else count('message-for-child', messages);
    split(
      'task',
      named(prefixes.task, (i) => arrayOf(i.childIds)),
      (i) => {
        // childIds and childNames are parallel: keep the same positions of both.
        const ids = arrayOf(i.childIds) ?? [];
        const names = arrayOf(i.childNames) ?? [];
        const keep = ids.map((_, n) => n).filter((n) => stays(ids[n]));
        if (keep.length === 0) return undefined;
        return { childIds: keep.map((n) => ids[n]), childNames: keep.map((n) => names[n] ?? '') };
      },
    );
    split(
      'task-follow-up',
      named(prefixes.taskFollowUp, (i) => arrayOf(i.childIds)),
      (i) => {
        const left = (arrayOf(i.childIds) ?? []).filter(stays);
        return left.length > 0 ? { childIds: left } : undefined;
      },
    );
  }

  async #tombstone(kind: ErasedKind, id: string, at: Date): Promise<void> {
    await this.#call(() =>
      this.#client.send(new PutCommand({ TableName: this.#table, Item: tombstoneItem(kind, id, at) })),
    );
  }

  async #audit(
    centreId: string,
    action: ErasureAudit['action'],
    by: string,
    at: Date,
    deleted: Record<string, number>,
  ): Promise<ErasureAudit> {
    const audit: ErasureAudit = {
      auditId: randomUUID(),
      centreId,
      action,
      by,
      at: at.toISOString(),
      deleted,
    };
    await this.#call(() =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.centreAudit(centreId, audit.at, audit.auditId), entity: 'audit', ...audit },
          ...ifAbsent(),
        }),
      ),
    );
    return audit;
  }

  /** The items the reference index lists under `refPk` (their keys). */
  async #referenced(refPk: string): Promise<Item[]> {
    const found: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.#call(() =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: REFS_INDEX.name,
            KeyConditionExpression: '#ref = :ref',
            ExpressionAttributeNames: { '#ref': REFS_INDEX.partitionKey.name },
            ExpressionAttributeValues: { ':ref': refPk },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const i of out.Items ?? []) {
        const key = referencedKey(String(i.refSk));
        found.push({ ...key });
        if (key.pk.startsWith('OUTBOUND#') && i.contactId)
          found.push({ ...outboundReference(String(i.contactId), key.pk.slice('OUTBOUND#'.length)) });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /**
   * Rewrites the item without the removed children, on condition that what was read is still there:
   * two erasures at once (another child, another family) each take theirs out, and neither puts the
   * other's back. On a lost race it reads the item again and recomputes; erased meanwhile: nothing to do.
   */
  async #rewrite(r: Rewrite): Promise<void> {
    let item: Item | undefined = r.item;
    for (let attempt = 1; item; attempt++) {
      if (attempt > 5) throw new DependencyError('erasing failed: an item kept changing');
      const set = r.without(item);
      if (!set) {
        await this.#delete([keyOf(item)]);
        return;
      }
      const names = Object.keys(set);
      const values: Record<string, unknown> = {};
      const conditions = ['attribute_exists(pk)'];
      names.forEach((name, n) => {
        values[`:v${n}`] = set[name];
        if (item?.[name] === undefined) conditions.push(`attribute_not_exists(#a${n})`);
        else {
          values[`:o${n}`] = item[name];
          conditions.push(`#a${n} = :o${n}`);
        }
      });
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: keyOf(item),
            UpdateExpression: `SET ${names.map((_, n) => `#a${n} = :v${n}`).join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: Object.fromEntries(names.map((name, n) => [`#a${n}`, name])),
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw new DependencyError('erasing failed', { cause: error });
        }
        item = error.Item ? (unmarshall(error.Item) as Item) : undefined;
      }
    }
  }

  #query(pk: string): Promise<Item[]> {
    return queryPartition(this.#client, this.#table, 'reading what to erase', pk) as Promise<Item[]>;
  }

  async #delete(all: ItemKey[]): Promise<void> {
    const unique = [...new Map(all.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    await batchDeleteItems(this.#client, this.#table, unique, 'erasing');
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError('erasing failed', { cause: error });
    }
  }
}

const keyOf = (item: Item): ItemKey => ({ pk: String(item.pk), sk: String(item.sk) });

/** Where a contact's items are: its addresses' partitions, the references to it, the Centre's items. */
function contactSources(contact: Contact): ErasureSource[] {
  const centrePk = prefixes.centrePk(contact.centreId);
  const id = contact.contactId;
  return [
    ...contact.addresses.flatMap((a): ErasureSource[] => [
      { op: 'partition', kind: 'address', pk: keys.contactView(a.channel, a.address).pk },
      { op: 'partition', kind: 'loop-guard', pk: `LOOPGUARD#${a.channel}:${a.address}` },
    ]),
    { op: 'refs', refPk: `CONTACT#${id}` },
    {
      op: 'partition',
      kind: 'message-for-child',
      pk: centrePk,
      skPrefix: prefixes.childMessage,
      filter: { attr: 'fromContactId', values: [id] },
    },
    {
      op: 'partition',
      kind: 'task',
      pk: centrePk,
      skPrefix: prefixes.task,
      filter: { attr: 'contactId', values: [id] },
    },
    {
      op: 'partition',
      kind: 'task-follow-up',
      pk: centrePk,
      skPrefix: prefixes.taskFollowUp,
      filter: { attr: 'contactId', values: [id] },
    },
    {
      op: 'partition',
      kind: 'alert-follow-up',
      pk: centrePk,
      skPrefix: prefixes.alertFollowUp,
      filter: { attr: 'raisedBy', values: [id] },
    },
    {
      op: 'keys',
      keys: [
        ...contact.familyIds.map((f) => keys.familyContact(f, id)),
        keys.centreContact(contact.centreId, id),
      ],
    },
    // Last: its profile, schedule, parent's weeks and references to messages about a child.
    { op: 'partition', kind: 'contact', pk: prefixes.contactPk(id) },
  ];
}

/** The kind of an item the reference index points at, for the audit's counts. */
function referencedKind(key: ItemKey): string {
  if (key.pk.startsWith('OUTBOUND#')) return 'outbound';
  if (key.pk.startsWith('LINKCODE#')) return 'link-code';
  if (key.pk.startsWith(prefixes.broadcast)) return 'broadcast-recipient';
  return 'referenced';
}

const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function namesChildren(names: 'children' | 'childIds', item: Item, childIds: ReadonlySet<string>): boolean {
  const ids =
    names === 'children'
      ? arrayOf(item.children).map((c) => (c as Item | null)?.childId)
      : arrayOf(item.childIds);
  return ids.some((c) => childIds.has(String(c)));
}

/** What a message, task or escalation keeps without these children (undefined: nothing, it goes). */
function withoutChildren(kind: string, item: Item, childIds: ReadonlySet<string>): Item | undefined {
  const stays = (c: unknown) => !childIds.has(String(c));
  if (kind === 'message-for-child') {
    const left = arrayOf(item.children).filter((c) => stays((c as Item | null)?.childId));
    return left.length > 0 ? { children: left } : undefined;
  }
  if (kind === 'task') {
    // childIds and childNames are parallel: keep the same positions of both.
    const ids = arrayOf(item.childIds);
    const names = arrayOf(item.childNames);
    const keep = ids.map((_, n) => n).filter((n) => stays(ids[n]));
    if (keep.length === 0) return undefined;
    return { childIds: keep.map((n) => ids[n]), childNames: keep.map((n) => names[n] ?? '') };
  }
  const left = arrayOf(item.childIds).filter(stays);
  return left.length > 0 ? { childIds: left } : undefined;
}
