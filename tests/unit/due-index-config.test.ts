import { describe, expect, it } from 'vitest';
import { dueIndexShards } from '#lib/config/due-index.ts';
import { ConfigError } from '#lib/errors.ts';
import { dueIndexKeys } from '#lib/store/keys.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';

describe('DUE_INDEX_SHARDS and DUE_INDEX_READ_SHARDS', () => {
  it('default to the table design’s 16, read as many as written', () => {
    expect(dueIndexShards({})).toEqual({ write: DUE_INDEX.shards, read: DUE_INDEX.shards });
    expect(dueIndexShards({ DUE_INDEX_SHARDS: '32' })).toEqual({ write: 32, read: 32 });
    expect(dueIndexShards({ DUE_INDEX_SHARDS: '16', DUE_INDEX_READ_SHARDS: '32' })).toEqual({
      write: 16,
      read: 32,
    });
  });

  it.each([
    [{ DUE_INDEX_SHARDS: '0' }, 'DUE_INDEX_SHARDS'],
    [{ DUE_INDEX_SHARDS: String(DUE_INDEX.maxShards + 1) }, 'DUE_INDEX_SHARDS'],
    [{ DUE_INDEX_SHARDS: 'sixteen' }, 'DUE_INDEX_SHARDS'],
    // Reading fewer shards than are written would leave items that no tick ever finds.
    [{ DUE_INDEX_SHARDS: '32', DUE_INDEX_READ_SHARDS: '16' }, 'DUE_INDEX_READ_SHARDS'],
  ])('refuses %o, naming %s', (env, name) => {
    expect(() => dueIndexShards(env)).toThrow(ConfigError);
    expect(() => dueIndexShards(env)).toThrow(name);
  });

  it('new due items spread over exactly the configured shards', () => {
    const saved = process.env.DUE_INDEX_SHARDS;
    try {
      for (const count of [1, 4, 16, 40]) {
        process.env.DUE_INDEX_SHARDS = String(count);
        const used = new Set(
          Array.from({ length: 2000 }, (_, i) => dueIndexKeys(`item-${i}`, new Date(0)).dueShard),
        );
        const expected = Array.from({ length: count }, (_, s) => `DUE#${String(s).padStart(2, '0')}`);
        expect([...used].sort()).toEqual(expected);
      }
    } finally {
      if (saved === undefined) delete process.env.DUE_INDEX_SHARDS;
      else process.env.DUE_INDEX_SHARDS = saved;
    }
  });
});
