// Issue 17: the buffer-head LRU. From v5.15 (6.1+ here) lru_add_drain_all() queues work on a CPU
// whose bh LRU is not empty, and only that work empties it (a local lru_add_drain() leaves it):
// KernelConstants.bhLruDrain, Machine.bhLru, the bhLookup op and the bhLookups generator.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { runResolved } from '../src/sim/run.ts';

const seal = (input: ScenarioInput, strategy = 'v4.16') => runResolved(resolveScenario(input), { strategies: [strategy] }).runs[0].seals[0];
// CPU 1 holds the memfd's page; CPU 0 seals at 50 ms.
const sc = (kernel: ScenarioInput['kernel'], extra: Partial<ScenarioInput> = {}, first: ScenarioInput['script'] = []): ScenarioInput => ({
  kernel, cpus: 4, pages: 4, hz: 250, horizonMs: 400,
  script: [...first!, { atMs: 40, cpu: 1, op: 'write', pages: '0' }, { atMs: 50, cpu: 0, op: 'seal' }], ...extra,
});

describe('the buffer-head LRU', () => {
  it("6.1 and later queue drain work on a CPU whose bh LRU is not empty, the sealer's own included; 5.10 does not", () => {
    const bh = [{ atMs: 1, cpu: 0, op: 'bhLookup' as const }, { atMs: 1, cpu: 3, op: 'bhLookup' as const }];
    for (const k of ['6.1', '6.12', '6.18'] as const) expect(seal(sc(k, {}, bh))).toMatchObject({ result: 'ok', cpusInterrupted: 3 });
    for (const k of ['4.14', '5.10'] as const) expect(seal(sc(k, {}, bh), k === '4.14' ? 'v4.14' : 'v4.16')).toMatchObject({ result: 'ok', cpusInterrupted: 1 });
    expect(seal(sc('6.18'))).toMatchObject({ cpusInterrupted: 1 });
  });

  it('only drain work empties it: a local drain leaves it, a drain_all that reached the CPU empties it', () => {
    const bh = { atMs: 1, cpu: 0, op: 'bhLookup' as const };
    expect(seal(sc('6.18', {}, [bh, { atMs: 2, cpu: 0, op: 'drain' }])).cpusInterrupted).toBe(2);
    expect(seal(sc('6.18', {}, [bh, { atMs: 2, cpu: 2, op: 'drainAll' }])).cpusInterrupted).toBe(1);
  });

  it('it never decides a seal: with nothing of the file in a batch there is no drain_all at all', () => {
    const s = seal({ kernel: '6.18', cpus: 4, pages: 4, script: [{ atMs: 0, cpu: 0, op: 'bhLookup' }, { atMs: 0, cpu: 0, op: 'write', pages: '0' }, { atMs: 5, cpu: 0, op: 'seal' }] });
    expect(s).toMatchObject({ result: 'ok', drainAllCalls: 0, cpusInterrupted: 0 });
  });

  it('the bhLookups generator keeps bh LRUs filled, deterministically; absent, the resolved scenario has no such list', () => {
    const gen = sc('6.18', { workload: { bhLookups: [{ cpus: '0,2', ratePerMs: 1 }] } as ScenarioInput['workload'] });
    const a = seal(gen);
    expect(a.cpusInterrupted).toBe(3);
    expect(seal(gen)).toEqual(a);
    expect('bhLookups' in resolveScenario(sc('6.18')).workload).toBe(false);
  });

  it("a replayed seal with ownCpu does a bhLookup on its CPU just before it", () => {
    const replay = (ownCpu?: true): ScenarioInput => ({
      kernel: '6.18', cpus: 2, files: 3, pages: 64, hz: 250, horizonMs: 300,
      workload: { replay: { source: 'test', recordedCpus: 2, seals: [{ cpu: 0, atMs: 100, remoteCpus: [1], ...(ownCpu ? { ownCpu } : {}) }] } } as ScenarioInput['workload'],
    });
    expect(seal(replay(true))).toMatchObject({ result: 'ok', cpusInterrupted: 2 });
    expect(seal(replay())).toMatchObject({ result: 'ok', cpusInterrupted: 1 });
  });
});
