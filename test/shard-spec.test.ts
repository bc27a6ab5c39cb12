// Shards: --shard i/N is 0-based, also from JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID with the
// count from --shards, DRAINLAB_SHARDS or SLURM_ARRAY_TASK_COUNT; the deal gives every shard
// floor or ceil of cells/N, is a partition, and is the same in every process.
import { describe, expect, it } from 'vitest';
import { resolveShard, ShardDealer } from '../src/sweep/shard.ts';

describe('shard spec', () => {
  it('parses --shard i/N (0-based) and --shard i --shards N', () => {
    expect(resolveShard('0/3', undefined, {})).toMatchObject({ index: 0, count: 3 });
    expect(resolveShard('2/3', undefined, {})).toMatchObject({ index: 2, count: 3 });
    expect(resolveShard('1', 4, {})).toMatchObject({ index: 1, count: 4 });
    expect(resolveShard(undefined, undefined, {})).toBeNull();
  });
  it('refuses out-of-range or malformed specs with the allowed values', () => {
    expect(() => resolveShard('3/3', undefined, {})).toThrow(/allowed: 0\.\.2 \(shard indices are 0-based\)/);
    expect(() => resolveShard('a/b', undefined, {})).toThrow(/--shard: got "a\/b"; allowed: i\/N/);
    expect(() => resolveShard('1', undefined, {})).toThrow(/shard count/);
    expect(() => resolveShard('1/3', 4, {})).toThrow(/disagrees/);
    expect(() => resolveShard(undefined, 3, {})).toThrow(/--shards: also give/);
  });
  it('reads Kubernetes Indexed Jobs and Slurm arrays from the environment', () => {
    expect(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '4', DRAINLAB_SHARDS: '8' })).toMatchObject({ index: 4, count: 8, source: 'JOB_COMPLETION_INDEX' });
    expect(resolveShard(undefined, 8, { JOB_COMPLETION_INDEX: '7' })).toMatchObject({ index: 7, count: 8 });
    expect(() => resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '4' })).toThrow(/DRAINLAB_SHARDS/);
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '5' })).toMatchObject({ index: 2, count: 5, source: 'SLURM_ARRAY_TASK_ID' });
    // --array=1-5: ids 1..5 become shards 0..4.
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '5' })).toMatchObject({ index: 4, count: 5 });
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '2' })).toBeNull();
    // The flag wins over the environment.
    expect(resolveShard('1/2', undefined, { JOB_COMPLETION_INDEX: '0', DRAINLAB_SHARDS: '2' })).toMatchObject({ index: 1, count: 2 });
  });
});

describe('deal', () => {
  it('is a balanced partition, the same for every dealer of the same sweep', () => {
    for (const [cells, n] of [[12, 3], [1000, 7], [10, 16], [5, 1]] as const) {
      const a = new ShardDealer(n, 'abc');
      const b = new ShardDealer(n, 'abc');
      const sizes = new Array<number>(n).fill(0);
      for (let o = 0; o < cells; o++) {
        const s = a.shardOf(o);
        expect(b.shardOf(o)).toBe(s);
        sizes[s]!++;
      }
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes.reduce((x, y) => x + y, 0)).toBe(cells);
    }
  });
  it('mixes: a parameter with N values is not dealt one value per shard', () => {
    const d = new ShardDealer(3, 'cfg');
    // 30 cells where the value is ordinal % 3; round-robin would give shard k only value k.
    const perShard = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (let o = 0; o < 30; o++) perShard[d.shardOf(o)]!.add(o % 3);
    for (const s of perShard) expect(s.size).toBeGreaterThan(1);
    // Another sweep (config hash) gets another deal.
    const other = new ShardDealer(3, 'other');
    const again = new ShardDealer(3, 'cfg');
    const deal = (x: ShardDealer) => Array.from({ length: 30 }, (_, o) => x.shardOf(o)).join('');
    expect(deal(other)).not.toBe(deal(again));
  });
});
