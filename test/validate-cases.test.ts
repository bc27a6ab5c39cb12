// docs/kernel-model.md section e, as tests: every case's expectations hold at HZ 1000 and 250.
import { describe, expect, it } from 'vitest';
import { check } from '../src/validate/cases.ts';
import { allValidationCases } from '../src/cli/validate.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved } from '../src/sim/run.ts';

describe('validation cases (docs/kernel-model.md E1, E2, A2 fill rule)', () => {
  for (const c of allValidationCases()) {
    it(`${c.id} HZ=${c.hz}: ${c.title}`, () => {
      const record = runResolved(resolveScenario(c.scenario));
      for (const e of c.expect) {
        const run = record.runs.find((r) => r.strategy === e.strategy)!;
        expect({ strategy: e.strategy, seal: e.seal, failures: check(e, run) }).toEqual({ strategy: e.strategy, seal: e.seal, failures: [] });
      }
      for (const run of record.runs) expect(run.summary.unsafe).toBe(0);
    });
  }
});
