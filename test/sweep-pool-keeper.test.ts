// One set of warm workers for several sweeps (src/pool/cell-pool.ts PoolKeeper): a study's parts
// and a sensitivity run's two phases start their cell pool once, not once per sweep, and write
// what their own pools would. Cost: ~3-5 s (four short fuse-selftest sweeps at W = 2).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweep } from '../src/sweep/grid.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { CellPool, PoolKeeper } from '../src/pool/cell-pool.ts';

const root = mkdtempSync(join(tmpdir(), 'drainlab-keeper-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sweepA = Sweep.fromJson({ name: 'keeper-a', base: 'fuse-selftest', params: { cpus: [2, 3] }, replications: 3, strategies: ['v4.14'] });
const sweepB = Sweep.fromJson({ name: 'keeper-b', base: 'fuse-selftest', params: { cpus: [4, 5] }, replications: 3, strategies: ['v4.16'] });
const run = (sweep: Sweep, out: string, pools?: PoolKeeper) =>
  runSweep(sweep, { out: join(root, out), workers: 2, shard: null, resume: false, progress: false, log: () => {}, handleSignals: false, ...(pools ? { pools } : {}) });
const records = (out: string) =>
  readFileSync(join(root, out, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => {
    const c = JSON.parse(l);
    return JSON.stringify({ cellId: c.cellId, runs: c.record.runs });
  }).sort();

describe('PoolKeeper', () => {
  it('gives two sweeps one pool, left open between them, and the same cells as their own pools', async () => {
    const starts = vi.spyOn(CellPool, 'start');
    const pools = new PoolKeeper();
    try {
      expect((await run(sweepA, 'kept-a', pools)).ran).toBe(6);
      expect((await run(sweepB, 'kept-b', pools)).ran).toBe(6);
      expect(starts).toHaveBeenCalledTimes(1);
    } finally {
      await pools.close();
    }
    await run(sweepA, 'own-a');
    await run(sweepB, 'own-b');
    expect(starts).toHaveBeenCalledTimes(3); // without a keeper each sweep starts its own
    starts.mockRestore();
    expect(records('kept-a')).toEqual(records('own-a'));
    expect(records('kept-b')).toEqual(records('own-b'));
  });

  it('forgets a destroyed pool, and keeps one pool per worker count', async () => {
    const pools = new PoolKeeper();
    try {
      const a = await pools.start(2);
      expect(await pools.start(2)).toBe(a);
      const one = await pools.start(1);
      expect(one).not.toBe(a);
      expect(one.workers).toBe(1);
      await pools.destroy(a);
      const b = await pools.start(2);
      expect(b).not.toBe(a);
      expect(b.workers).toBe(2);
    } finally {
      await pools.close();
    }
  });
});
