/**
 * DIR/sweep.json checked in full before `--resume` or `merge` trusts a field of it: a null, wrongly
 * typed or out-of-range field (a shard count of 1e9, a negative cell count) is exit 2 naming the
 * file and the field, never a crash or unbounded work.
 */
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { MAX_SHARDS } from './shard.ts';
import type { SweepManifest } from './runner.ts';
import { MAX_SWEEP_CELLS } from './limits.ts';

const count = (max: number) => z.int().min(0).max(max);

const shardSchema = z
  .looseObject({ index: count(MAX_SHARDS - 1), count: z.int().min(1).max(MAX_SHARDS), source: z.string().optional() })
  .refine((s) => s.index < s.count, { error: 'shard.index must be below shard.count' });

export const manifestSchema = z.looseObject({
  schema: z.literal('drainlab/sweep-run@1'),
  configHash: z.string().regex(/^[0-9a-f]{64}$/, { error: 'a sha256 in hex (64 characters)' }),
  lab: z.looseObject({ version: z.string().max(100), gitCommit: z.string().optional(), wasmSha256: z.string().optional(), node: z.string().optional() }),
  shard: shardSchema.nullable(),
  sweep: z.looseObject({
    schema: z.literal('drainlab/sweep@1'),
    name: z.string().max(10_000),
    gridPoints: count(Number.MAX_SAFE_INTEGER),
    points: count(MAX_SWEEP_CELLS),
    cells: count(MAX_SWEEP_CELLS),
    replications: z.int().min(1),
  }),
  totals: z.looseObject({ cells: count(MAX_SWEEP_CELLS), shardCells: count(MAX_SWEEP_CELLS) }),
  startedAt: z.string().max(100),
  summary: z.unknown().optional(),
});

/** Checks a parsed sweep.json; every problem is a UsageError naming the file and the field. */
export function checkManifest(raw: unknown, path: string): SweepManifest {
  const r = manifestSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError(`${path}: not a drainlab sweep manifest: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  }
  return r.data as unknown as SweepManifest;
}
