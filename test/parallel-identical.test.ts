// One scenario fanned out over W = 1, 2 and 4 threads gives byte-identical records (provenance
// aside): every split pass is set-only, clear-only or on owned pages (docs/architecture.md).
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved, type Claimed } from '../src/sim/run.ts';
import { runResolvedAsync } from '../src/pool/run-scenario.ts';
import { Arena, RangeOp } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { ATTACH_WAIT_PAGES, ShardPool } from '../src/shard/pool.ts';
import { workerEntry } from '../src/io/worker-entry.ts';
import { Piscina } from 'piscina';
import { largeScenario } from '../bench/scenario-scaling.ts';

const strip = (r: { provenance: unknown }) => JSON.stringify({ ...r, provenance: undefined });

describe('fan-out inside one scenario', () => {
  const cases = {
    'fadvise-storm (64 CPUs producing pages at once)': () => presetScenario('fadvise-storm'),
    'concurrent-sealers': () => presetScenario('concurrent-sealers'),
    '1M pages x 256 CPUs': () => resolveScenario(largeScenario(1 << 20, 256)),
  };
  // Through runResolvedAsync, as the CLI runs it: one strategy, the threads share one arena and
  // split its range passes (once the workers have attached); four strategies on a small file, the
  // main thread and the workers take whole strategy runs, each on its own arena.
  const mixes = { 'range shards': ['v4.14'], 'strategy fan-out': ['v4.14', 'coalesced', 'remote-drain', 'lru-disable'] };
  for (const [name, make] of Object.entries(cases)) {
    for (const [how, strategies] of Object.entries(mixes)) {
      it(`${name}, ${how}: W = 1, 2, 4 give the same record`, async () => {
        const s = make();
        const one = await runResolvedAsync(s, { workers: 1, strategies });
        for (const w of [2, 4]) {
          const r = await runResolvedAsync(s, { workers: w, strategies });
          expect(r.provenance.workers).toBe(w);
          expect(strip(r)).toBe(strip(one));
        }
      });
    }
  }

  // A large first pass (the first write of a large file, which first-touches the arena) waits for
  // the workers to attach and is split; its result is the same as in one thread. The wait is made
  // long here so that a slow worker start on a loaded host cannot turn the check around.
  it('a first pass of ATTACH_WAIT_PAGES or more waits for the workers and is split', async () => {
    const pages = ATTACH_WAIT_PAGES;
    const plan = planArena(1, pages, 2, 15);
    const alone = Arena.create(plan);
    alone.exec(RangeOp.AllocFresh, [1, 1, 0], 0, pages);
    const arena = Arena.create(plan);
    const pool = await ShardPool.start(arena, 2, 60_000);
    try {
      expect(pool.split).toBe(false); // the worker is still booting
      pool.run(RangeOp.CountPresent, [], 0, ATTACH_WAIT_PAGES - 64); // a smaller pass does not wait
      expect(pool.splitPasses).toBe(0);
      pool.run(RangeOp.AllocFresh, [1, 1, 0], 0, pages);
      expect(pool.splitPasses).toBe(1);
      expect(pool.run(RangeOp.CountPresent, [], 0, pages)).toBe(alone.exec(RangeOp.CountPresent, [], 0, pages));
      expect(pool.run(RangeOp.CountPresent, [], 0, pages)).toBe(pages);
    } finally {
      await pool.close();
    }
  });

  // The same two ways with the worker side forced to do its part (above, a fast main thread may
  // finish before a worker has booted).
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: range passes split from the first pass equal one thread`, async () => {
      const s = make();
      const one = runResolved(s, { strategies: ['v4.14', 'coalesced'] });
      for (const w of [2, 4]) {
        const arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
        const pool = await ShardPool.start(arena, w);
        await pool.ready();
        const r = runResolved(s, { strategies: ['v4.14', 'coalesced'] }, arena);
        await pool.close();
        expect(strip(r)).toBe(strip(one));
      }
    });
    it(`${name}: strategy runs claimed by worker threads only equal one thread`, async () => {
      const s = { ...make(), strategies: ['v4.14', 'no-drain', 'targeted', 'lru-disable'] };
      const one = runResolved(s);
      const pool = new Piscina({ ...workerEntry('strategy-worker'), minThreads: 2, maxThreads: 2 });
      const next = new Int32Array(new SharedArrayBuffer(4));
      const claimed = (await Promise.all([0, 1].map(() => pool.run({ scenario: s, next }) as Promise<Claimed[]>))).flat();
      await pool.destroy();
      expect(claimed.map((c) => c.index).sort()).toEqual([0, 1, 2, 3]);
      const runs = [];
      for (const c of claimed) runs[c.index] = c.run;
      expect(JSON.stringify(runs)).toBe(JSON.stringify(one.runs));
    });
  }
});
