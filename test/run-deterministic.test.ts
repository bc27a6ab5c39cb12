// The same scenario and seed give byte-identical JSON, provenance aside (Standards: Deterministic).
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { runResolved } from '../src/sim/run.ts';

const withoutProvenance = (r: ReturnType<typeof runResolved>) => JSON.stringify({ ...r, provenance: undefined });

describe('determinism', () => {
  it('same scenario and seed -> byte-identical result record', () => {
    for (const name of ['debate-2017', 'fuse-selftest', 'rt-spinner']) {
      const a = withoutProvenance(runResolved(presetScenario(name)));
      const b = withoutProvenance(runResolved(presetScenario(name)));
      expect(a).toBe(b);
    }
  });

  it('a different seed changes a stochastic scenario', () => {
    const s = presetScenario('debate-2017');
    const w = { ...s, cpuClasses: [{ cpus: '1-7', class: 'busy' as const }] };
    expect(withoutProvenance(runResolved(w, { seed: 1 }))).not.toBe(withoutProvenance(runResolved(w, { seed: 2 })));
  });
});
