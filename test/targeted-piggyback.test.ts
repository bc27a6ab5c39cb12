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

describe('6.18: the generation is read before the local drain', () => {
  // __lru_add_drain_all (6.18): this_gen = smp_load_acquire(&lru_drain_gen), then lru_add_drain(),
  // then mutex_lock [T19]. A local drain of a non-empty batch takes 1 ms here (drainFixedNs).
  // Seal A on CPU 0 (its page in CPU 2's batch) drains CPU 0 locally at ~1 ms (until ~2 ms), tags
  // its page, and calls drain_all at ~2 ms, whose own local drain takes until ~3 ms (CPU 0 got a
  // page at 1.5 ms). B's drain_all from CPU 1 at 2.5 ms takes the mutex and makes a pass meanwhile:
  // A read the generation before it, so A returns on B's pass. B at 3.5 ms comes after A took the
  // mutex: A makes its own pass.
  const input = (bAt: number): ScenarioInput => ({
    kernel: '6.18', cpus: 3, files: 2, pages: 4, hz: 250, costs: { drainFixedNs: 1_000_000 },
    script: [
      { atMs: 0, cpu: 0, op: 'write', file: 1, pages: '0' },
      { atMs: 0, cpu: 2, op: 'write', file: 0, pages: '0' },
      { atMs: 1, cpu: 0, op: 'seal', file: 0 },
      { atMs: 1.5, cpu: 0, op: 'write', file: 1, pages: '1' },
      { atMs: bAt, cpu: 1, op: 'drainAll' },
    ],
  });
  const sealA = (bAt: number) => runResolved(resolveScenario(input(bAt)), { strategies: ['v4.16'] }).runs[0].seals[0];

  it('a pass that starts during the local drain lets the caller return on it', () => {
    expect(sealA(2.5)).toMatchObject({ result: 'ok', drainAllCalls: 1, drainPasses: 0 });
  });

  it('one that starts after the caller took the mutex does not', () => {
    expect(sealA(3.5)).toMatchObject({ result: 'ok', drainAllCalls: 1, drainPasses: 1 });
  });
});
