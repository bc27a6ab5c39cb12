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
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: W = 1, 2, 4 give the same record`, async () => {
      const s = make();
      const [one, two, four] = await Promise.all([1, 2, 4].map((w) => runResolvedAsync(s, { workers: w, strategies: ['v4.14', 'coalesced', 'remote-drain', 'lru-disable'] })));
      expect(two.provenance.workers).toBe(2);
      expect(four.provenance.workers).toBe(4);
      expect(strip(two)).toBe(strip(one));
      expect(strip(four)).toBe(strip(one));
    });
  }
});
