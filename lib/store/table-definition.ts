import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';

/**
 * The single table, described once: ensureTable (lib/store/ensure-table.ts: local, tests) and the CDK stateful stack both
 * build from this, so they cannot drift apart.
 */
export const TABLE_DESIGN = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds; DynamoDB deletes expired items lazily (within days), so readers still check. */
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
} as const;

/**
 * The due index: what the scheduler tick has to do, found by due time with no scan. Only items with
 * something due carry its keys (a sparse index): each contact's weekly schedule, a completed
 * check-in whose parents' update is still to go, and an alert's follow-ups (notify, escalate). Write-sharded: `dueShard` is `DUE#00`…`DUE#15` (16 by default; DUE_INDEX_SHARDS)
 * by a hash of the item's id, so a Saturday's thousands of invitations do not all land on one
 * partition; `dueKey` is the due time (ISO) and the item's id. A tick queries every shard for keys
 * up to now, in parallel: its cost follows what is due, not the size of the roster.
 */
export const DUE_INDEX = {
  name: 'due',
  partitionKey: { name: 'dueShard', type: 'S' },
  sortKey: { name: 'dueKey', type: 'S' },
  /** The tick reads what it needs to act from the index itself. */
  projection: 'ALL',
  /**
   * The default shard count (DUE_INDEX_SHARDS, lib/config/due-index.ts). Lowering it needs the tick
   * to go on reading the old shards (DUE_INDEX_READ_SHARDS), or their items would never be found.
   */
  shards: 16,
  /** The most shards configuration may ask for (and a tick unit's shard number is checked against). */
  maxShards: 100,
} as const;

/**
 * The reference index: what names a contact or a child outside their own partitions, found by Query
 * when they are erased (no table scan). Sparse: only items that carry `refPk` are in it: an outbound
 * message (`CONTACT#<recipient>`, or `CHILD#<child>` for a message about a child, the parents'
 * update), a link code and a broadcast's recipient item (`CONTACT#<id>`); `refSk` is the item's own
 * key, so the index alone says what to delete.
 */
export const REFS_INDEX = {
  name: 'refs',
  partitionKey: { name: 'refPk', type: 'S' },
  sortKey: { name: 'refSk', type: 'S' },
  /** The recipient, so a message about a child takes its reference in the recipient's partition along. */
  projection: 'INCLUDE',
  nonKeyAttributes: ['contactId'],
} as const;

export const TABLE_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: TABLE_DESIGN.partitionKey.name, KeyType: 'HASH' },
  { AttributeName: TABLE_DESIGN.sortKey.name, KeyType: 'RANGE' },
];

export const DUE_INDEX_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: DUE_INDEX.partitionKey.name, KeyType: 'HASH' },
  { AttributeName: DUE_INDEX.sortKey.name, KeyType: 'RANGE' },
];

export const REFS_INDEX_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: REFS_INDEX.partitionKey.name, KeyType: 'HASH' },
  { AttributeName: REFS_INDEX.sortKey.name, KeyType: 'RANGE' },
];

export const TABLE_ATTRIBUTE_DEFINITIONS: AttributeDefinition[] = [
  { AttributeName: TABLE_DESIGN.partitionKey.name, AttributeType: TABLE_DESIGN.partitionKey.type },
  { AttributeName: TABLE_DESIGN.sortKey.name, AttributeType: TABLE_DESIGN.sortKey.type },
  { AttributeName: DUE_INDEX.partitionKey.name, AttributeType: DUE_INDEX.partitionKey.type },
  { AttributeName: DUE_INDEX.sortKey.name, AttributeType: DUE_INDEX.sortKey.type },
  { AttributeName: REFS_INDEX.partitionKey.name, AttributeType: REFS_INDEX.partitionKey.type },
  { AttributeName: REFS_INDEX.sortKey.name, AttributeType: REFS_INDEX.sortKey.type },
];
