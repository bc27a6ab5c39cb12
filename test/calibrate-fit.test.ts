// Fitting costs: on the recorded 6.18 run the fitted figures are those of a HZ=250 kernel, and on
// synthetic runs each fit recovers exactly what was put in.
import { describe, expect, it } from 'vitest';
import { fitCalibration } from '../src/calibrate/fit.ts';
import { hostInfo } from '../src/calibrate/host.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { leastSquares } from '../src/calibrate/regress.ts';
import { fixtureText } from './support/calibrate-fixture.ts';
import { drain, recheck, run, trace, walk } from './support/calibrate-synth.ts';

const host = { kernel: '6.18.0', hz: 250, hzSource: 'config' as const, cpus: 2, model: 'm' };

describe('fit on the recorded 6.18 / HZ=250 run', () => {
  const rec = parseProbeOutput(fixtureText());
  const fit = fitCalibration(rec, hostInfo(rec, null));

  it('re-checks come one jiffy per sleep later than (HZ<<n)/200 alone', () => {
    const t = fit.derived.recheckTicks!;
    expect(t.formula).toEqual([0, 2, 7, 17, 37]);
    expect(t.wheel).toEqual([0, 3, 9, 20, 41]);
    expect(t.onWheel / t.total).toBeGreaterThan(0.75);
    expect(fit.costs.timerSlackNs).toBeGreaterThan(1_000);
    expect(fit.costs.timerSlackNs).toBeLessThan(1_000_000);
    const ebusy = rec.rechecks.filter((r) => r.result === 'EBUSY').map((r) => r.latencyNs / 1e6);
    expect(ebusy.length).toBeGreaterThan(0);
    for (const l of ebusy) expect(l).toBeGreaterThan(156); // 41 ticks less the start phase, not 148
  });

  it('the tag walk costs some ns per page', () => {
    expect(fit.costs.tagWalkNsPerPage).toBeGreaterThan(3);
    expect(fit.costs.tagWalkNsPerPage).toBeLessThan(60);
    expect(fit.derived.tagWalk!.r2).toBeGreaterThan(0.9);
  });

  it('kworker delays: idle tens of us, busy within a tick, RT after the throttling budget', () => {
    expect(fit.costs.kworkerIdleWakeNs).toBeGreaterThan(1_000);
    expect(fit.costs.kworkerIdleWakeNs).toBeLessThan(1_000_000);
    expect(fit.costs.kworkerBusyMaxNs).toBeGreaterThan(0);
    expect(fit.costs.kworkerBusyMaxNs).toBeLessThanOrEqual(4_400_000);
    expect(fit.derived.rt?.governs).toBe('rt-throttling');
    expect(Math.abs(fit.costs.rtRuntimeNs! - 950e6)).toBeLessThan(0.02 * 950e6);
    expect(fit.costs.rtPeriodNs).toBe(1e9);
  });

  it('says what it measured for every case', () => {
    for (const c of ['case a:', 'case b:', 'case c:', 'case d:', 'case b rt:']) expect(fit.notes.some((n) => n.startsWith(c))).toBe(true);
  });
});

describe('fit on synthetic runs', () => {
  it('least squares recovers an exact line', () => {
    const l = leastSquares([1024, 4096, 65536], [1024, 4096, 65536].map((p) => 2000 + 12 * p))!;
    expect(l.slope).toBeCloseTo(12, 9);
    expect(l.intercept).toBeCloseTo(2000, 6);
    expect(l.r2).toBeCloseTo(1, 12);
    expect(leastSquares([5, 5], [1, 2])).toBeUndefined();
  });

  it('tagWalkNsPerPage is the slope of latency on pages', () => {
    const f = fitCalibration(run({ walks: [1024, 4096, 16384].flatMap((p) => [walk(p, 1500 + 10 * p), walk(p, 1500 + 10 * p, 1)]) }), host);
    expect(f.costs.tagWalkNsPerPage).toBe(10);
  });

  it('timerSlackNs is how long after the waking tick the seal returns', () => {
    // seals 1 ms into a jiffy; pins gone before re-check 2 (tick 9): return 36 ms - 1 ms + 70 us
    const r = [0, 1, 2].map((i) => recheck(20, 35e6 + 70_000, 'ok', 1e6, i));
    const f = fitCalibration(run({ rechecks: r }), host);
    expect(f.costs.timerSlackNs).toBe(70_000);
    expect(f.derived.recheckTicks!.observed).toEqual({ 9: 3 });
  });

  it('idle kworker delay comes from the trace when there is one', () => {
    const d = [0, 1, 2].map((i) => drain('idle', i, 100_000 + i));
    const f = fitCalibration(run({ drains: d, traces: d.map((x, i) => trace(x, 40_000 + 1000 * i)) }), host);
    expect(f.costs.kworkerIdleWakeNs).toBe(41_000);
    expect(f.derived.kworkerIdle?.source).toBe('trace');
  });

  it('a busy CPU: immediate or at the next tick, so at most one tick', () => {
    // seal 0.5 ms into a jiffy; waiting kworkers run at the next tick, 3.5 ms later
    const d = [drain('busy', 0, 50_000), drain('busy', 1, 3.55e6), drain('busy', 2, 60_000)];
    const f = fitCalibration(run({ drains: d, traces: [trace(d[0], 20_000), trace(d[1], 3.5e6), trace(d[2], 25_000)] }), host);
    expect(f.costs.kworkerBusyMaxNs).toBe(4e6);
    expect(f.derived.kworkerBusy).toMatchObject({ immediate: 2, waited: 1, waitsEndingAtTick: 1 });
  });

  const rtRun = (runs: { pre: number; lead?: number; wait: number }[]) => {
    const d = runs.map((x, i) => drain('rt', i, x.wait + 50_000, { spinBeforeSealNs: x.pre, cfsLeadNs: x.lead ?? 0 }));
    return run({ drains: d, traces: d.map((x, i) => trace(x, runs[i].wait)) });
  };

  it('RT throttling: the kworker runs when the spinner has used the RT budget, whatever ran before', () => {
    const r = rtRun([{ pre: 3e6, wait: 947e6 }, { pre: 400e6, wait: 550e6 }, { pre: 3e6, lead: 325e6, wait: 947e6 }]);
    const f = fitCalibration(r, host);
    expect(f.derived.rt?.governs).toBe('rt-throttling');
    expect(f.costs.rtRuntimeNs).toBe(950e6);
    expect(f.costs.rtPeriodNs).toBe(1e9);
  });

  it('the dl-server: a constant wait from the kworker wakeup, or one a CFS lead-in moves', () => {
    const constant = fitCalibration(rtRun([{ pre: 3e6, wait: 950e6 }, { pre: 400e6, wait: 950e6 }]), host);
    expect(constant.derived.rt?.governs).toBe('dl-server');
    expect(constant.costs.rtRuntimeNs).toBeUndefined();
    const moved = fitCalibration(rtRun([{ pre: 3e6, wait: 947e6 }, { pre: 3e6, lead: 325e6, wait: 922e6 - 25e6 }]), host);
    expect(moved.derived.rt?.governs).toBe('dl-server');
  });

  it('leaves out seals whose pages had already left the remote batch', () => {
    const d = [drain('idle', 0, 100_000), drain('idle', 1, 9_000), drain('idle', 2, 110_000)];
    const f = fitCalibration(run({ drains: d }), host);
    expect(f.derived.drainLatency?.idle?.n).toBe(2);
    expect(f.notes.some((n) => n.includes('b/idle/rep1'))).toBe(true);
  });
});
