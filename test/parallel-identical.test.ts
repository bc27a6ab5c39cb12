// One scenario fanned out over W = 1, 2 and 4 threads gives byte-identical records (provenance
// aside): every split pass is set-only, clear-only or on owned pages (docs/architecture.md).
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved, type Claimed } from '../src/sim/run.ts';
import { runResolvedAsync } from '../src/pool/run-scenario.ts';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { ShardPool } from '../src/shard/pool.ts';
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
