// Issue 17: a loaded machine's run-queue waits (scenario `wakeups`), and the replay measuring them
// on a trace's drain_all calls outside the seals, so that the fast seals' latencies agree.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveScenario } from '../src/scenario/resolve.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { runResolved } from '../src/sim/run.ts';
import { analyze, readTrace } from '../src/trace/analyze.ts';
import { agreement, drainedByAnother, replayScenario } from '../src/trace/replay.ts';

const seal = (input: ScenarioInput) => runResolved(resolveScenario(input), { strategies: ['v4.16'] }).runs[0].seals[0];
// CPU 1 holds the memfd's page; CPU 0 seals at 5 ms.
const sc = (extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  kernel: '6.18', cpus: 2, pages: 4, hz: 250,
  script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0' }, { atMs: 5, cpu: 0, op: 'seal' }], ...extra,
});

describe('measured wake-ups', () => {
  it('replace the class rules: the kworker starts and the caller runs again after the drawn waits', () => {
    const quiet = seal(sc());
    const loaded = seal(sc({ wakeups: { kworker: { dist: 'fixed', ms: 0.5 }, caller: { dist: 'fixed', ms: 0.2 } } }));
    const l = (s: typeof quiet) => s.endMs - s.startMs;
    // the quiet rule: idle CPU 1's kworker at kworkerIdleWakeNs (20 us), the caller at flushWakeNs (3 us)
    expect(l(loaded) - l(quiet)).toBeCloseTo(0.5 - 0.02 + 0.2 - 0.003, 6);
    expect(seal(sc({ wakeups: { kworker: { dist: 'fixed', ms: 0.5 } } })).endMs - loaded.endMs).toBeCloseTo(0.003 - 0.2, 6);
  });

  it('per CPU: CPU j draws from entry j mod the list, replacing the pooled kworker waits', () => {
    const l = (w: ScenarioInput['wakeups']) => { const x = seal(sc({ wakeups: w })); return x.endMs - x.startMs; };
    const fixed = (ms: number) => ({ dist: 'fixed' as const, ms });
    // the seal's work goes to CPU 1 only
    expect(l({ kworkerPerCpu: [fixed(0.1), fixed(1)], kworker: fixed(5) }) - l({ kworkerPerCpu: [fixed(1), fixed(0.1)] })).toBeCloseTo(0.9, 6);
    expect(l({ kworkerPerCpu: [fixed(0.3)] }) - l({ kworker: fixed(0.3) })).toBeCloseTo(0, 9);
    expect(() => resolveScenario(sc({ wakeups: { kworkerPerCpu: [] } }))).toThrow(/wakeups\.kworkerPerCpu/);
  });

  it('the replay measures them per recorded CPU where it has enough (fixture: CPU 1 waits far longer than CPU 0)', () => {
    const a = analyze(readTrace(join(import.meta.dirname, 'fixtures', 'trace-6.18-small.jsonl.gz')), 'dwl-*');
    const w = replayScenario(a, {}).wakeups!;
    const per = w.kworkerPerCpu!;
    expect(per).toHaveLength(2);
    const med = (d: (typeof per)[number]) => (d.dist === 'empirical' ? d.samplesMs[Math.floor(d.samplesMs.length / 2)] : NaN);
    // CPU 0 has fewer than 20 own samples: the pooled ones; CPU 1 its own
    expect(per[0]).toEqual(w.kworker);
    expect(per[1].dist === 'empirical' && per[1].samplesMs.length).toBeGreaterThanOrEqual(20);
    expect(med(per[1])).toBeGreaterThan(0.5);
  });

  it('leave RT throttling alone: a kworker behind an RT spinner still waits for the throttle', () => {
    const s = seal(sc({ rtRuntimeShare: false, cpuClasses: [{ cpus: '1', class: 'rt' }], wakeups: { kworker: { dist: 'fixed', ms: 0.5 } } }));
    expect(s.endMs - s.startMs).toBeGreaterThan(900);
  });

  it('an empirical duration draws among its samples; an empty one is refused by name', () => {
    const s = seal(sc({ wakeups: { kworker: { dist: 'empirical', samplesMs: [0.25] } } }));
    expect(s.endMs - seal(sc()).endMs).toBeCloseTo(0.25 - 0.02, 6);
    expect(() => resolveScenario(sc({ wakeups: { kworker: { dist: 'empirical', samplesMs: [] } } }))).toThrow(/wakeups\.kworker\.samplesMs.*at least one sample/);
  });

  it('the replay measures them outside the seals and its fast seals come closer to the trace (fixture)', () => {
    const a = analyze(readTrace(join(import.meta.dirname, 'fixtures', 'trace-6.18-small.jsonl.gz')), 'dwl-*');
    const s = replayScenario(a, {});
    const outside = a.drainAlls.filter((d) => d.via !== 'seal').flatMap((d) => d.works.filter((w) => w.startNs >= w.queuedNs));
    expect(s.wakeups?.kworker).toMatchObject({ dist: 'empirical' });
    expect(s.wakeups!.kworker!.dist === 'empirical' && s.wakeups!.kworker!.samplesMs.length).toBe(outside.length);
    const fast = (scenario: typeof s) => agreement(a, runResolved({ ...scenario, strategies: ['v4.16'] }), 'v4.16')!.fast;
    const measured = fast(s);
    const classRules = fast({ ...s, wakeups: undefined });
    expect(measured.seals).toBeGreaterThan(10);
    expect(measured.ks.d).toBeLessThan(classRules.ks.d);
    expect(classRules.ks.p).toBeLessThan(0.01); // the class rules' fast seals are far too fast
    expect(measured.ks.p).toBeGreaterThan(0.01); // measured wake-ups: not rejected at 1 %
  });
});

describe('a seal that waited behind another caller\'s drain (no work of its own)', () => {
  const call = (t: number, works: { target: number; queuedNs: number; startNs: number; endNs: number }[], via: 'fadvise' | 'seal' = 'fadvise') =>
    ({ pid: 9, comm: 'dwl-fadv', cpu: 0, t, works, via, returnNs: -1 });
  const seal = (startNs: number, endNs: number) =>
    ({ pid: 7, comm: 'dwl-seal', cpu: 0, startNs, endNs, latencyNs: endNs - startNs, result: 'ok' as const, ret: 0, drainAlls: [] });
  const a = { drainAlls: [call(1000, [{ target: 1, queuedNs: 1000, startNs: 5000, endNs: 6000 }])] } as unknown as Parameters<typeof drainedByAnother>[0];

  it('gets the CPUs that pass still had to drain when it started, if it returned after them', () => {
    expect(drainedByAnother(a, seal(2000, 7000))).toEqual([1]);
    expect(drainedByAnother(a, seal(2000, 2010))).toEqual([]); // returned at once: nothing of it was waiting
    expect(drainedByAnother(a, seal(6500, 9000))).toEqual([]); // that work had already ended
    expect(drainedByAnother(a, seal(500, 9000))).toEqual([]); // the other call came later
    expect(drainedByAnother(a, seal(5500, 9000))).toEqual([]); // its kworker had already moved the batch
  });
});

describe("another caller's drain_all replayed with its recorded kworker delays", () => {
  const replay = (startDelaysMs?: (number | null)[]): ScenarioInput => ({
    kernel: '6.18', cpus: 2, files: 3, pages: 64, hz: 250, horizonMs: 300,
    workload: {
      replay: {
        source: 'test', recordedCpus: 2,
        drainAll: [{ cpu: 0, atMs: 100, ...(startDelaysMs ? { startDelaysMs } : {}) }],
        seals: [{ cpu: 0, atMs: 100.5, remoteCpus: [1] }],
      },
    } as ScenarioInput['workload'],
  });
  const one = (input: ScenarioInput) => runResolved(resolveScenario(input), { strategies: ['v4.16'] }).runs[0];

  it('its work waits as recorded, and the seal behind it finds its page drained', () => {
    const run = one(replay([null, 2]));
    // the recorded call queued work on CPU 1: a page of CPU 1's stream makes it need a drain
    expect(run.summary.background?.cpusInterrupted).toBe(1);
    const s = run.seals[0];
    expect(s).toMatchObject({ result: 'ok', drainAllCalls: 1, cpusInterrupted: 0 });
    expect(s.mutexWaitMs).toBeGreaterThan(1.4); // behind the other pass, whose work started 2 ms after its queue
    expect(s.endMs - s.startMs).toBeLessThan(2);
  });

  it('without them the other pass is over at once and the seal drains CPU 1 itself', () => {
    const s = one(replay()).seals[0];
    expect(s).toMatchObject({ result: 'ok', cpusInterrupted: 1 });
    expect(s.endMs - s.startMs).toBeLessThan(0.1);
  });
});
