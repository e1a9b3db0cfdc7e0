import { describe, expect, it } from 'vitest';
import { Gate } from '#lib/outbound/gate.ts';

/** A task that runs until released, counting how many run at once. */
function heldTasks() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const releases = new Map<number, () => void>();
  const task = (id: number) => async () => {
    running++;
    most = Math.max(most, running);
    started.push(id);
    await new Promise<void>((resolve) => releases.set(id, resolve));
    running--;
    return id;
  };
  const release = async (id: number) => {
    releases.get(id)?.();
    // Let the released task finish and the gate hand its place on.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { task, release, started, most: () => most };
}

describe('Gate', () => {
  it('runs at most `size` tasks at once, the others in the order they came', async () => {
    const gate = new Gate(2);
    const held = heldTasks();
    const results = [1, 2, 3, 4].map((id) => gate.run(held.task(id)));
    await Promise.resolve();
    expect(held.started).toEqual([1, 2]);
    await held.release(2);
    expect(held.started).toEqual([1, 2, 3]);
    await held.release(1);
    await held.release(3);
    await held.release(4);
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
    expect(held.most()).toBe(2);
  });

  it('hands a finishing task its place to the first waiter: a newcomer at that moment waits', async () => {
    // The newcomer comes at each point of the few turns between the first task's end and the waiter's start.
    for (let turns = 0; turns < 8; turns++) {
      const gate = new Gate(1);
      const held = heldTasks();
      const first = gate.run(held.task(1));
      const second = gate.run(held.task(2));
      await Promise.resolve();
      held.release(1);
      for (let i = 0; i < turns; i++) await Promise.resolve();
      const third = gate.run(held.task(3));
      for (let i = 0; i < 8; i++) await Promise.resolve();
      expect(held.started, `newcomer after ${turns} turns`).toEqual([1, 2]);
      await held.release(2);
      await held.release(3);
      expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
      expect(held.most()).toBe(1);
    }
  });

  it('frees the place of a task that throws', async () => {
    const gate = new Gate(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
