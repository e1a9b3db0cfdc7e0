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
import { type DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyError } from '#lib/errors.ts';
import { batchDeleteItems } from '#lib/store/batch-items.ts';
import { ifAbsent, retryOnVersionConflict } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { type ItemKey, keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import type { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import type { Contact } from '#lib/store/roster/roster-types.ts';
import { type ErasedKind, tombstoneItem } from '#lib/store/roster/tombstones.ts';

export interface ErasureOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  roster: RosterRepository;
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

/** Parts of the table the erasure's scan reads at once. */
const SCAN_SEGMENTS = 8;
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
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #roster: RosterRepository;

  constructor(opts: ErasureOptions) {
    this.#client = opts.client;
    this.#table = opts.tableName;
    this.#roster = opts.roster;
  }

  /** Erases the family (false if it is not in this centre). */
  async eraseFamily(
    centreId: string,
    familyId: string,
    by: string,
    at: Date,
  ): Promise<ErasureAudit | undefined> {
    const family = await this.#roster.getFamily(familyId);
    if (!family || family.centreId !== centreId) return undefined;
    const deleted: Record<string, number> = {};
    const childIds = new Set(family.children.map((c) => c.childId));
    // The tombstone first: from now on nothing can recreate the family, even if this erasure fails
    // half-way (it is then run again, and finds what is left).
    await this.#tombstone('family', familyId, at);

    // Its contacts first, while the family still exists (a contact write checks its families).
    const erasedContacts: string[] = [];
    for (const member of await this.#roster.listFamilyContacts(familyId)) {
      const contact = await this.#roster.getContact(member.contactId);
      if (!contact) continue;
      const others = contact.familyIds.filter((f) => f !== familyId);
      if (others.length === 0 && contact.role !== 'coordinator') {
        await this.#eraseContactData(contact, deleted, at);
        erasedContacts.push(contact.contactId);
      } else {
        await retryOnVersionConflict(async () => {
          const fresh = await this.#roster.getContact(contact.contactId);
          if (fresh)
            await this.#roster.putContact({
              ...fresh,
              familyIds: fresh.familyIds.filter((f) => f !== familyId),
            });
        });
      }
    }

    const gone: ItemKey[] = [];
    const count = (kind: string, items: Item[]) => {
      if (items.length === 0) return;
      deleted[kind] = (deleted[kind] ?? 0) + items.length;
      gone.push(...items.map(keyOf));
    };
    // A task or message that also names a child of another family (a carer answering for two
    // families) stays for that child, without this family's children.
    const rewrites: Rewrite[] = [];
    await this.#childData(
      centreId,
      childIds,
      count,
      (kind, rewrite) => {
        deleted[`${kind}-updated`] = (deleted[`${kind}-updated`] ?? 0) + 1;
        rewrites.push(rewrite);
      },
      { outbound: true, keepMessagesForOthers: false },
    );
    count('family', await this.#query(prefixes.familyPk(familyId)));
    gone.push(keys.centreFamily(centreId, familyId));
    for (const r of rewrites) await this.#rewrite(r);
    await this.#delete(gone);
    return this.#audit(centreId, 'erase-family', by, at, deleted);
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
    if (options.outbound) count('outbound', await this.#scanOutbound([...childIds], []));
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

  /** Erases the contact (undefined if it is not in this centre). */
  async eraseContact(
    centreId: string,
    contactId: string,
    by: string,
    at: Date,
  ): Promise<ErasureAudit | undefined> {
    const contact = await this.#roster.getContact(contactId);
    if (!contact || contact.centreId !== centreId) return undefined;
    const deleted: Record<string, number> = {};
    await this.#eraseContactData(contact, deleted, at);
    return this.#audit(centreId, 'erase-contact', by, at, deleted);
  }

  async #eraseContactData(contact: Contact, deleted: Record<string, number>, at: Date): Promise<void> {
    await this.#tombstone('contact', contact.contactId, at);
    const gone: ItemKey[] = [];
    const count = (kind: string, items: Item[]) => {
      if (items.length === 0) return;
      deleted[kind] = (deleted[kind] ?? 0) + items.length;
      gone.push(...items.map(keyOf));
    };
    for (const a of contact.addresses) {
      count('address', await this.#query(keys.contactView(a.channel, a.address).pk));
      count('loop-guard', await this.#query(`LOOPGUARD#${a.channel}:${a.address}`));
    }
    count('contact', await this.#query(keys.contactProfile(contact.contactId).pk));
    const links = [
      ...contact.familyIds.map((f) => keys.familyContact(f, contact.contactId)),
      keys.centreContact(contact.centreId, contact.contactId),
    ];
    gone.push(...links);
    const centreItems = await this.#query(prefixes.centrePk(contact.centreId));
    count(
      'message-for-child',
      centreItems.filter(
        (i) => String(i.sk).startsWith(prefixes.childMessage) && i.fromContactId === contact.contactId,
      ),
    );
    count(
      'task',
      centreItems.filter((i) => String(i.sk).startsWith(prefixes.task) && i.contactId === contact.contactId),
    );
    count(
      'task-follow-up',
      centreItems.filter(
        (i) => String(i.sk).startsWith(prefixes.taskFollowUp) && i.contactId === contact.contactId,
      ),
    );
    count(
      'alert-follow-up',
      centreItems.filter(
        (i) => String(i.sk).startsWith(prefixes.alertFollowUp) && i.raisedBy === contact.contactId,
      ),
    );
    count('outbound', await this.#scanOutbound([], [contact.contactId]));
    await this.#delete(gone);
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

  /** OUTBOUND# messages to these contacts or whose key names these children, and these contacts' link codes. */
  async #scanOutbound(childIds: string[], contactIds: string[]): Promise<Item[]> {
    if (childIds.length === 0 && contactIds.length === 0) return [];
    const values: Record<string, unknown> = { ':out': 'OUTBOUND#' };
    if (contactIds.length > 0) {
      values[':link'] = 'LINKCODE#';
      values[':broadcast'] = 'BROADCAST#';
    }
    const byContact = contactIds.map((id, i) => {
      values[`:c${i}`] = id;
      return `contactId = :c${i}`;
    });
    const byChild = childIds.map((id, i) => {
      values[`:k${i}`] = id;
      return `contains(pk, :k${i})`;
    });
    const outbound = [...byContact, ...byChild].join(' OR ');
    const filter =
      byContact.length > 0
        ? `(begins_with(pk, :out) AND (${outbound})) OR ((begins_with(pk, :link) OR begins_with(pk, :broadcast)) AND (${byContact.join(' OR ')}))`
        : `begins_with(pk, :out) AND (${outbound})`;
    // A parallel scan: the table is read in SCAN_SEGMENTS parts at once, since it runs in a request.
    const items: Item[] = [];
    await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const out = await this.#call(() =>
            this.#client.send(
              new ScanCommand({
                TableName: this.#table,
                FilterExpression: filter,
                ExpressionAttributeValues: values,
                ProjectionExpression: 'pk, sk',
                ConsistentRead: true,
                Segment: segment,
                TotalSegments: SCAN_SEGMENTS,
                ExclusiveStartKey: startKey,
              }),
            ),
          );
          items.push(...(out.Items ?? []));
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return items;
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
