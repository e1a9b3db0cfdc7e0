import { describe, expect, it } from 'vitest';
import { loadOnce } from '#lib/wiring/load-once.ts';

describe('loadOnce', () => {
  it('loads nothing until first called, then once for every caller', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    expect(loads).toBe(0);
    expect(await Promise.all([load(), load()])).toEqual([1, 1]);
    expect(await load()).toBe(1);
    expect(loads).toBe(1);
  });
});
