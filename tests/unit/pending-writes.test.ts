import { describe, expect, it } from 'vitest';
import { PendingWrites } from '#lib/outbound/pending-writes.ts';

/** A write that finishes when the test says. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PendingWrites', () => {
  it('settle waits for every write added, also one added while it waits', async () => {
    const errors: unknown[] = [];
    const writes = new PendingWrites((e) => errors.push(e));
    const first = deferred();
    const second = deferred();
    writes.add(first.promise);
    let settled = false;
    const settling = writes.settle().then(() => {
      settled = true;
    });
    writes.add(second.promise);
    first.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    second.resolve();
    await settling;
    expect(settled).toBe(true);
    expect(writes.size).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a failed write goes to onError and does not fail settle or the other writes', async () => {
    const errors: unknown[] = [];
    const writes = new PendingWrites((e) => errors.push(e));
    const failing = deferred();
    const ok = deferred();
    writes.add(failing.promise);
    writes.add(ok.promise);
    failing.reject(new Error('ProvisionedThroughputExceeded'));
    ok.resolve();
    await writes.settle();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('ProvisionedThroughputExceeded');
    expect(writes.size).toBe(0);
  });
});
