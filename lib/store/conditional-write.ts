// The one conditional write of the store: an item is written only if it is still as it was read
// (its version), or only if it is absent, and a lost race is told apart from a failure. Repositories
// build their Put/Update/ConditionCheck items with these and never spell the conditions out.
import { VersionConflictError } from '#lib/errors.ts';

/** The attribute holding an item's version: 1 when created, +1 on every write. */
export const VERSION_ATTRIBUTE = 'version';

/**
 * What the writer read: `absent` (it creates the item), or the version it saw (0 for an item written
 * before items carried versions).
 */
export type Expected = 'absent' | number;

export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The item does not exist (a create, a dedupe marker, a tombstone check). */
export const ifAbsent = (): Condition => ({ ConditionExpression: 'attribute_not_exists(pk)' });

/** The item exists and is still at the version the writer read. */
export function ifVersion(expected: Expected): Condition {
  if (expected === 'absent') return ifAbsent();
  if (expected === 0) {
    return {
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ver) OR #ver = :ver)',
      ExpressionAttributeNames: { '#ver': VERSION_ATTRIBUTE },
      ExpressionAttributeValues: { ':ver': 0 },
    };
  }
  return {
    ConditionExpression: '#ver = :ver',
    ExpressionAttributeNames: { '#ver': VERSION_ATTRIBUTE },
    ExpressionAttributeValues: { ':ver': expected },
  };
}

/** The version a write after reading `expected` stores. */
export const nextVersion = (expected: Expected): number => (expected === 'absent' ? 1 : expected + 1);

/** The version of an item as read (undefined: absent; no version attribute: 0). */
export function versionOf(item: Record<string, unknown> | undefined): Expected {
  if (!item) return 'absent';
  return typeof item[VERSION_ATTRIBUTE] === 'number' ? (item[VERSION_ATTRIBUTE] as number) : 0;
}

/** A single conditional write (Put/Update/Delete) whose condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The cancellation code of each item of a cancelled transaction (`ConditionalCheckFailed`,
 * `TransactionConflict`, `None` …); empty when the error is not a cancelled transaction.
 */
export function cancellationCodes(error: unknown): (string | undefined)[] {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code);
}

/** Whether the item at `index` of a cancelled transaction failed its condition. */
export const failedCondition = (error: unknown, index: number): boolean =>
  cancellationCodes(error)[index] === 'ConditionalCheckFailed';

/**
 * Runs a read-modify-write again from a fresh read when another writer got there first (a
 * VersionConflictError), a few times; then the conflict goes to the caller (a 409 for the API).
 */
export async function retryOnVersionConflict<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= attempts) throw error;
    }
  }
}
