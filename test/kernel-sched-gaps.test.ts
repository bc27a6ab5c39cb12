// The model gaps real kernels exposed (issue 14): kernels 6.1 and 6.12, the multi-gen LRU,
// RT_RUNTIME_SHARE per kernel version, and the sealer's own wait behind a CFS hog.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved } from '../src/sim/run.ts';
import { KERNEL_CONSTANTS } from '../src/kernel/versions.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';

const run = (s: ScenarioInput) => runResolved(resolveScenario(s));

describe('kernel versions 6.1 and 6.12', () => {
  it('carry their batch sizes, drain_all variants and scheduler defaults', () => {
    expect(KERNEL_CONSTANTS['6.1']).toMatchObject({ pagevecSize: 15, rtRuntimeShare: false, eevdf: false, drainAll: { hotplugLock: false, piggyback: true, localFirst: false } });
    expect(KERNEL_CONSTANTS['6.12']).toMatchObject({ pagevecSize: 31, rtRuntimeShare: false, eevdf: true, drainAll: { hotplugLock: false, piggyback: true, localFirst: false } });
    expect(KERNEL_CONSTANTS['4.14'].rtRuntimeShare).toBe(true);
    expect(KERNEL_CONSTANTS['5.10'].rtRuntimeShare).toBe(false);
  });
  it('a scenario on 6.12 resolves with PAGEVEC_SIZE 31', () => {
    expect(resolveScenario({ kernel: '6.12' }).pagevecSize).toBe(31);
    expect(resolveScenario({ kernel: '6.1' }).pagevecSize).toBe(15);
  });
});

describe('mglru', () => {
  const reread = (kernel: '6.1' | '6.12', mglru?: boolean): ScenarioInput => ({
    kernel, cpus: 2, pages: 8, strategies: ['no-drain'], horizonMs: 500, ...(mglru === undefined ? {} : { mglru }),
    script: [
      { atMs: 0, cpu: 1, op: 'write', pages: '0-3' },
      { atMs: 0, cpu: 1, op: 'drain' },
      { atMs: 1, cpu: 1, op: 'read', pages: '0-3' },
      { atMs: 5, cpu: 0, op: 'seal' },
    ],
  });
  it('off (the default): re-read pages wait in the activate batch and no-drain fails spuriously', () => {
    const s = run(reread('6.1')).runs[0].seals[0];
    expect([s.result, s.spurious, s.tagged]).toEqual(['EBUSY', true, 4]);
  });
  it('on: nothing is parked, the seal tags nothing', () => {
    const s = run(reread('6.12', true)).runs[0].seals[0];
    expect([s.result, s.tagged, s.passes]).toEqual(['ok', 0, 0]);
  });
  it('leaves a scenario without the field recorded as before (no mglru key)', () => {
    expect('mglru' in run(reread('6.1')).scenario).toBe(false);
  });
  it('is refused before 6.1, naming the field and the allowed kernels', () => {
    expect(() => resolveScenario({ kernel: '5.10', mglru: true })).toThrow(/mglru: .*allowed kernels: 6\.1, 6\.9, 6\.12, 6\.18/);
    expect(() => resolveScenario({ kernel: '6.1', mglru: 'yes' })).toThrow(/mglru/);
  });
});

describe('RT_RUNTIME_SHARE', () => {
  const spinner = (kernel: '4.14' | '5.10', extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
    kernel, cpus: 2, pages: 4, strategies: ['v4.14'], horizonMs: 3000, cpuClasses: [{ cpus: '1', class: 'rt' }],
    script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 100, cpu: 0, op: 'seal' }], ...extra,
  });
  it('on 4.14 a lone spinner is never throttled: the seal does not return while it spins', () => {
    const r = run(spinner('4.14')).runs[0];
    expect([r.seals.length, r.summary.unfinished]).toEqual([0, 1]);
  });
  it('off (5.10, or overridden on 4.14): throttled at 950 ms', () => {
    for (const s of [spinner('5.10'), spinner('4.14', { rtRuntimeShare: false })]) {
      const seal = run(s).runs[0].seals[0];
      expect(seal.endMs).toBeCloseTo(950.02, 1);
    }
  });
  it('on 5.10 when overridden on: unbounded again', () => {
    expect(run(spinner('5.10', { rtRuntimeShare: true })).runs[0].summary.unfinished).toBe(1);
  });
  it('when every CPU runs a spinner there is nothing to borrow: throttled even with the feature on', () => {
    const seal = run(spinner('4.14', { cpuClasses: [{ cpus: '0-1', class: 'rt' }] })).runs[0].seals[0];
    expect(seal?.endMs).toBeCloseTo(950.02, 1);
  });
});

describe('the sealer woken on a busy CPU', () => {
  // 60 seals, each needing one sleep (a pin released before the first re-check).
  const busy = (kernel: '4.14' | '6.12', preempt: 'voluntary' | 'full', costs: Record<string, number> = {}): ScenarioInput => {
    const script: NonNullable<ScenarioInput['script']> = [];
    for (let i = 0; i < 60; i++) {
      const t = i * 40;
      script.push({ atMs: t, cpu: 1, op: 'fault', pages: '0-1', file: i }, { atMs: t, cpu: 1, op: 'pin', pages: '0-1', file: i, forMs: 5 });
      script.push({ atMs: t, cpu: 0, op: 'unmap', pages: '0-1', file: i }, { atMs: t, cpu: 0, op: 'seal', file: i });
    }
    return { kernel, hz: 250, cpus: 2, files: 60, pages: 2, strategies: ['v4.16'], horizonMs: 2500, preempt, costs, cpuClasses: [{ cpus: '0', class: 'busy' }], script };
  };
  const lateTicks = (s: ScenarioInput) => run(s).runs[0].seals.map((x) => Math.round((x.endMs - x.startMs - 12.06) / 4));
  it('CFS (4.14): never waits', () => {
    expect(new Set(lateTicks(busy('4.14', 'voluntary')))).toEqual(new Set([0]));
  });
  it('EEVDF (6.12), voluntary: about 1 in 6 wait one or two ticks; full: one tick only', () => {
    const v = lateTicks(busy('6.12', 'voluntary'));
    const late = v.filter((x) => x > 0).length;
    expect(late).toBeGreaterThanOrEqual(3);
    expect(late).toBeLessThanOrEqual(25);
    expect(new Set(lateTicks(busy('6.12', 'full', { sealerBusyPreemptProb: 0 })))).toEqual(new Set([1]));
    expect(new Set(lateTicks(busy('6.12', 'voluntary', { sealerBusyPreemptProb: 0 })))).toEqual(new Set([1, 2]));
    expect(new Set(lateTicks(busy('6.12', 'full', { sealerBusyPreemptProb: 1 })))).toEqual(new Set([0]));
  });
  it('an idle sealing CPU never waits', () => {
    const s = { ...busy('6.12', 'voluntary', { sealerBusyPreemptProb: 0 }), cpuClasses: [] };
    expect(new Set(lateTicks(s))).toEqual(new Set([0]));
  });
});
