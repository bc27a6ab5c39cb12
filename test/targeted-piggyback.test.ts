// Issue 17: a drain_all caller may skip its own pass (the lru_drain_gen piggyback, v5.10+) only
// when a pass that started after its generation read covered the CPUs it needs. A targeted (S4b)
// pass covers its own caller's CPUs only, so it must not let others piggyback; a full pass does.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { runResolved } from '../src/sim/run.ts';

// CPU 1 runs an RT spinner (RT_RUNTIME_SHARE off): drain work there waits ~950 ms, so seal A's
// drain_all holds the mutex while B (at 1 ms) and C (at 2 ms) arrive, read the generation and wait.
// B gets the mutex first and makes a pass; C read the generation before B's pass started, so
// under the v5.10 rule C may return on it.
const base = (b: NonNullable<ScenarioInput['script']>[number]): ScenarioInput => ({
  kernel: '6.12', cpus: 6, files: 3, pages: 8, hz: 250, rtRuntimeShare: false,
  cpuClasses: [{ cpus: '1', class: 'rt' }],
  script: [
    { atMs: 0, cpu: 1, op: 'write', file: 0, pages: '0' },
    { atMs: 0, cpu: 2, op: 'write', file: 1, pages: '0' },
    { atMs: 0, cpu: 3, op: 'write', file: 2, pages: '0' },
    { atMs: 0, cpu: 0, op: 'seal', file: 0 },
    b,
    { atMs: 2, cpu: 5, op: 'seal', file: 2 },
  ],
});
const sealC = (input: ScenarioInput, strategy: string) => {
  const run = runResolved(resolveScenario(input), { strategies: [strategy] }).runs[0];
  return run.seals.find((x) => x.file === 2)!;
};
const bSeals = { atMs: 1, cpu: 4, op: 'seal', file: 1 } as const;
const bDrainsAll = { atMs: 1, cpu: 4, op: 'drainAll' } as const;

describe('targeted and the generation piggyback', () => {
  it("a caller never returns on another's targeted pass: it drains its own CPUs", () => {
    const s = sealC(base(bSeals), 'targeted');
    // B's targeted pass drained CPU 2 only; C needs CPU 3.
    expect(s).toMatchObject({ result: 'ok', spurious: false, drainPasses: 1, cpusInterrupted: 1 });
    expect(s.endMs - s.startMs).toBeGreaterThan(900); // it waited for the mutex behind the RT-bound pass
  });

  it("a targeted caller still returns on a full pass that started after it arrived", () => {
    // B is a background drain_all: a pass over every CPU that needs one, CPU 3 included.
    const s = sealC(base(bDrainsAll), 'targeted');
    expect(s).toMatchObject({ result: 'ok', drainAllCalls: 1, drainPasses: 0, cpusInterrupted: 0 });
  });

  it('the kernel strategy piggybacks as before (both passes are full ones)', () => {
    const s = sealC(base(bSeals), 'v4.16');
    expect(s).toMatchObject({ result: 'ok', drainPasses: 0 });
  });
});
