// One scenario fanned out over W = 1, 2 and 4 threads gives byte-identical records (provenance
// aside): every split pass is set-only, clear-only or on owned pages (docs/architecture.md).
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolvedAsync } from '../src/sim/run.ts';
import { largeScenario } from '../bench/scenario-scaling.ts';

const strip = (r: { provenance: unknown }) => JSON.stringify({ ...r, provenance: undefined });

describe('fan-out inside one scenario', () => {
  const cases = {
    'fadvise-storm (64 CPUs producing pages at once)': () => presetScenario('fadvise-storm'),
    'concurrent-sealers': () => presetScenario('concurrent-sealers'),
    '1M pages x 256 CPUs': () => resolveScenario(largeScenario(1 << 20, 256)),
  };
  // One strategy: the threads share one arena and split its range passes. Four strategies: each
  // thread simulates whole strategy runs on its own arena.
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
});
