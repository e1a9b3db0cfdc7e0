// The due index's write sharding (lib/store/table-definition.ts DUE_INDEX): how many shards new due
// items spread over, and how many shards the scheduler tick reads. Read by every function that writes
// a due item (all of them), from the environment the CDK gives each function.
import { DUE_INDEX } from '#lib/store/table-definition.ts';
import * as z from '#lib/zod.ts';
import { type Env, parseEnv } from './parse-env.ts';

export const dueIndexEnvSchema = z
  .object({
    DUE_INDEX_SHARDS: z
      ._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(DUE_INDEX.maxShards)), DUE_INDEX.shards)
      .check(
        z.describe(
          'Shards new due items are written to (DUE#00…); more spreads a large Saturday over more partitions and more tick units. Raise at any time; to lower, see DUE_INDEX_READ_SHARDS',
        ),
      ),
    DUE_INDEX_READ_SHARDS: z
      .optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(DUE_INDEX.maxShards)))
      .check(
        z.describe(
          'Shards the tick reads (default DUE_INDEX_SHARDS; never fewer). After lowering DUE_INDEX_SHARDS keep it at the old count until the higher shards are empty, or their items are never found',
        ),
      ),
  })
  .check(
    z.refine((e) => e.DUE_INDEX_READ_SHARDS === undefined || e.DUE_INDEX_READ_SHARDS >= e.DUE_INDEX_SHARDS, {
      message: 'must not be below DUE_INDEX_SHARDS: the tick would miss the shards it does not read',
      path: ['DUE_INDEX_READ_SHARDS'],
    }),
  );

export interface DueIndexShards {
  /** New due items go to shards 0…write-1. */
  write: number;
  /** The tick reads shards 0…read-1 (≥ write). */
  read: number;
}

let cached: { raw: string; shards: DueIndexShards } | undefined;

/**
 * The shard counts of this environment. Parsed once per distinct value (every due write asks), so a
 * bad value fails at the first write of a cold start, with the variable named.
 */
export function dueIndexShards(env: Env = process.env): DueIndexShards {
  const raw = `${env.DUE_INDEX_SHARDS ?? ''}/${env.DUE_INDEX_READ_SHARDS ?? ''}`;
  if (cached?.raw === raw) return cached.shards;
  const parsed = parseEnv(dueIndexEnvSchema, {
    DUE_INDEX_SHARDS: env.DUE_INDEX_SHARDS,
    DUE_INDEX_READ_SHARDS: env.DUE_INDEX_READ_SHARDS,
  });
  const shards = {
    write: parsed.DUE_INDEX_SHARDS,
    read: parsed.DUE_INDEX_READ_SHARDS ?? parsed.DUE_INDEX_SHARDS,
  };
  cached = { raw, shards };
  return shards;
}
