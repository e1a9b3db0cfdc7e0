// What erasure on request leaves of a family or contact: a tombstone saying that this id was erased,
// so that no `putFamily`, import or late webhook can bring it back. The key is a hash of the id (no
// name, number or id is kept in clear); the item holds only its kind and when.
import { createHash } from 'node:crypto';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ErasedError } from '#lib/errors.ts';
import { ifAbsent } from '#lib/store/conditional-write.ts';
import type { ItemKey } from '#lib/store/keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type ErasedKind = 'family' | 'contact';

export function tombstoneKey(kind: ErasedKind, id: string): ItemKey {
  const digest = createHash('sha256').update(`${kind}\u0000${id}`).digest('hex');
  return { pk: `TOMBSTONE#${digest}`, sk: 'TOMBSTONE' };
}

/** The tombstone itself, written before anything is deleted (a failed erasure is retried, never undone). */
export function tombstoneItem(kind: ErasedKind, id: string, at: Date): Record<string, unknown> {
  return { ...tombstoneKey(kind, id), entity: 'tombstone', kind, erasedAt: at.toISOString() };
}

/** In a write transaction: the id was never erased. */
export function notErased(tableName: string, kind: ErasedKind, id: string): TransactItem {
  return { ConditionCheck: { TableName: tableName, Key: tombstoneKey(kind, id), ...ifAbsent() } };
}

export function erasedError(kind: ErasedKind): ErasedError {
  return new ErasedError(`this ${kind} was erased on request and cannot be recreated with the same id`);
}
