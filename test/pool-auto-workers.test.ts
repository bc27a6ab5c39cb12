// --workers auto (src/pool/auto-workers.ts): the worker count it picks never changes a record;
// a simulation advanced in slices (the probe) is the same run as one advanced at once; and the
// count follows the estimate (1 + one worker per payback, capped by cores and by the work units).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved, simulate, startSimulation } from '../src/sim/run.ts';
import { runResolvedAsync } from '../src/pool/run-scenario.ts';
import { estimateFromTrace, parseWorkers, probe, sweepWorkers, threadClock, workersFor, PROBE_SLICES, SPLIT_WITHOUT_PROBE_PAGES } from '../src/pool/auto-workers.ts';
import { Arena } from '../src/wasm/core.ts';
import { MAX_WORKERS } from '../src/shard/protocol.ts';
import { planArena } from '../src/wasm/layout.ts';
import { largeScenario } from '../bench/scenario-scaling.ts';

const strip = (r: { provenance: unknown }) => JSON.stringify({ ...r, provenance: undefined });
const arenaOf = (s: ReturnType<typeof presetScenario>) => Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));

describe('--workers auto', () => {
  it('counts one worker per payback of estimated work, capped by cores and units', () => {
    expect(workersFor(0, 100, 12, 8)).toBe(1);
    expect(workersFor(NaN, 100, 12, 8)).toBe(1);
    expect(workersFor(99, 100, 12, 8)).toBe(1);
    expect(workersFor(100, 100, 12, 8)).toBe(2);
    expect(workersFor(550, 100, 12, 8)).toBe(6);
    expect(workersFor(5000, 100, 12, 8)).toBe(8); // cores
    expect(workersFor(5000, 100, 3, 8)).toBe(3); // units (strategies, cells)
    expect(workersFor(5000, 100, 12, 1)).toBe(1);
  });

  it('weighs several sweeps on one warm pool together (a study): their cells add up', () => {
    // Cells of 4M pages and more count as large without a probe, so the count here is exact: one
    // cell alone never pays for a worker, a study of two one-cell sweeps pays for two.
    const big = resolveScenario({ name: 'big', cpus: 2, pages: 4 << 20, horizonMs: 1, strategies: ['v4.14'] });
    expect(sweepWorkers([{ first: big, cells: 1 }], 4).workers).toBe(1);
    expect(sweepWorkers([{ first: big, cells: 1 }, { first: big, cells: 1 }], 4).workers).toBe(2);
    expect(sweepWorkers([{ first: big, cells: 3 }, { first: big, cells: 4 }], 4).workers).toBe(4);
    expect(sweepWorkers([{ first: big, cells: 3 }, { first: big, cells: 4 }], 1).workers).toBe(1);
  });

  it('parses N or auto, and names the flag and the allowed values otherwise', () => {
    expect(parseWorkers('auto', 8)).toBe('auto');
    expect(parseWorkers('3', 8)).toBe(3);
    for (const bad of ['0', '9', '1.5', 'two', '']) expect(() => parseWorkers(bad, 8)).toThrow(/--workers: .*allowed: an integer in 1\.\.8, or auto/);
  });

  it('extrapolates from the slices after the first: a costly first slice counts once, not 64 times', () => {
    const cum = (first: number, per: number) => Array.from({ length: PROBE_SLICES }, (_, i) => first + per * i);
    // Slice 1 alone over the budget (time-0 work, cold code), then 2 ms a slice: the probe goes on
    // until its rate window holds a quarter of the budget (13 slices), then 166 + 50 x 2.
    const front = estimateFromTrace({ cpu: cum(140, 2), pass: cum(100, 0) }, 100);
    expect(front).toMatchObject({ slices: 14, finished: false, strategyMs: 266, passMs: 100 });
    // Steady from the start, 3 ms a slice: the window starts where half the budget was spent.
    const steady = estimateFromTrace({ cpu: cum(3, 3), pass: cum(1, 1) }, 100);
    expect(steady).toMatchObject({ slices: 34, finished: false, strategyMs: 192, passMs: 64 });
    // Under the budget: the whole horizon, measured.
    expect(estimateFromTrace({ cpu: cum(1, 1), pass: cum(0, 0) }, 100)).toMatchObject({ slices: 64, finished: true, strategyMs: 64 });
  });

  it.skipIf(process.platform !== 'linux')('reads this thread\'s CPU time (Linux: /proc/thread-self/schedstat)', () => {
    const clock = threadClock();
    expect(clock).toBeDefined();
    const t0 = clock!.read();
    const c0 = process.cpuUsage();
    let x = 0;
    // Work until this thread's clock has moved 20 ms (it ticks at HZ), or ~10 s of CPU if it never does.
    for (let i = 0; clock!.read() - t0 < 20 && i < 1e5; i++) for (let j = 0; j < 1e4; j++) x += Math.sqrt(x + j);
    expect(x).toBeGreaterThan(0);
    expect(clock!.read() - t0).toBeGreaterThanOrEqual(20);
    // and no more than the whole process used meanwhile (plus a tick)
    const proc = process.cpuUsage(c0);
    expect(clock!.read() - t0).toBeLessThanOrEqual((proc.user + proc.system) / 1000 + 10);
    clock!.close();
  });

  it('a run advanced in probe slices equals the run advanced at once', () => {
    const s = presetScenario('debate-2017');
    for (const name of ['v4.14', 'coalesced']) {
      const whole = simulate(s, name, arenaOf(s));
      const sim = startSimulation(s, name, arenaOf(s));
      const est = probe(sim, () => 0, 1); // a 1 ms budget: stops after a few slices
      // (the thread clock ticks at HZ: a run shorter than a tick may read 0 ms)
      expect(est.slices).toBeGreaterThan(0);
      expect(est.trace!.cpu.length).toBe(est.slices);
      for (let k = 1; k <= PROBE_SLICES; k += 7) sim.advance((k * sim.horizonNs) / PROBE_SLICES);
      expect(JSON.stringify(sim.finish())).toBe(JSON.stringify(whole));
    }
  });

  it('the default gives the record of one thread (small preset: no worker pays)', async () => {
    const s = presetScenario('fuse-selftest');
    const r = await runResolvedAsync(s);
    expect(r.provenance.workers).toBe(1);
    expect(strip(r)).toBe(strip(runResolved(s)));
  });

  // A file this large splits its range passes over every core from the start (no probe: its
  // first slice, the first write of every page, would run on one thread). ~70 MB of arena, untouched.
  it.skipIf(availableParallelism() < 2)('splits a file of SPLIT_WITHOUT_PROBE_PAGES pages without a probe', async () => {
    const s = resolveScenario({ name: 'big file', kernel: '4.14', hz: 250, cpus: 2, pages: SPLIT_WITHOUT_PROBE_PAGES, seed: 1, horizonMs: 2, strategies: ['v4.14'], script: [{ atMs: 0, cpu: 0, op: 'write', pages: '0-4095' }, { atMs: 1, cpu: 1, op: 'seal' }] });
    const r = await runResolvedAsync(s);
    expect(r.provenance.workers).toBe(Math.min(availableParallelism(), MAX_WORKERS));
    expect(strip(r)).toBe(strip(runResolved(s)));
  });

  // Forced to start workers after the probe (payback 0): they join while the main thread is in
  // the middle of strategy 0 (spread) or take over the range passes mid-run (split). Needs two cores.
  it.skipIf(availableParallelism() < 2)('workers started mid-run give the record of one thread (spread and split)', async () => {
    const spread = { ...presetScenario('concurrent-sealers'), strategies: ['v4.14', 'coalesced', 'remote-drain', 'lru-disable'] };
    const split = resolveScenario({ ...largeScenario(1 << 20, 64), strategies: ['v4.14'] });
    for (const s of [spread, split]) {
      const r = await runResolvedAsync(s, { payback: { spread: 0, split: 0 } });
      expect(r.provenance.workers).toBe(Math.min(availableParallelism(), spread === s ? 4 : 64));
      expect(strip(r)).toBe(strip(runResolved(s)));
    }
  });
});
