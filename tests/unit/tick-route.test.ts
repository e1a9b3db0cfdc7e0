import { describe, expect, it } from 'vitest';
import { type PacedQueue, settle } from '#lib/local/tick-route.ts';

/** A queue that shrinks by one each time it is looked at, down to `floor`. */
function shrinking(start: number, floor: number, nextAt?: Date): PacedQueue {
  let size = start;
  return {
    size: () => {
      const now = size;
      size = Math.max(floor, size - 1);
      return now;
    },
    nextVisibleAt: () => nextAt,
  };
}

describe('the tick waits for the sends it started', () => {
  it('answers once the queue is empty: nothing pending', async () => {
    expect(await settle(shrinking(4, 0))).toEqual({ pending: 0, nextAt: undefined });
  });

  it('says how many are still held and when the next lands, once the queue stops moving', async () => {
    const morning = new Date('2026-12-06T00:00:00Z');
    expect(await settle(shrinking(5, 2, morning))).toEqual({ pending: 2, nextAt: morning.toISOString() });
  });
});
