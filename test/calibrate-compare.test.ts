// The comparison of model and measurement, with stub predictors: a jiffy of tolerance on re-check
// times, the exact result unless the pins went within a jiffy of a re-check point.
import { describe, expect, it } from 'vitest';
import { compareCases, type Predictor } from '../src/calibrate/compare.ts';
import { probeCases, type CalibrationCase, type RecheckCase } from '../src/calibrate/cases.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { fixtureText } from './support/calibrate-fixture.ts';
import { median } from '../src/stats/index.ts';

const opts = { kernel: '6.18.0', hz: 250 };
const cases = probeCases(parseProbeOutput(fixtureText()));
const byId = new Map(cases.map((c) => [c.id, c]));

/** A predictor that answers from a table keyed by the scenario's case id (walks: the median of the repetitions). */
const table = (f: (c: CalibrationCase) => { latencyMs: number; result: 'ok' | 'EBUSY' | 'EPERM' }): Predictor => async (s) => {
  const id = s.name.replace(/^calibration /, '');
  const c = byId.get(id);
  if (c) return f(c);
  const walks = cases.filter((x) => x.kind === 'walk' && `c/pages=${x.pages}` === id).map((x) => x.latencyMs);
  return { latencyMs: median(walks), result: 'ok' };
};
const echo = table((c) => ({ latencyMs: c.latencyMs, result: c.result === 'error' ? 'EPERM' : c.result }));

const recheck = (over: Partial<RecheckCase>): RecheckCase => ({
  id: 'a/test', kind: 'recheck', pages: 4, latencyMs: 35, result: 'ok', startPhaseMs: 1, delayMs: 20, releaseMs: 20, ...over,
});

describe('compareCases', () => {
  it('a predictor that reproduces every measurement passes every row', async () => {
    const cmp = await compareCases(cases, echo, opts);
    expect(cmp.failed).toBe(0);
    expect(cmp.rows.length).toBeGreaterThan(50);
    expect(cmp.rows.every((r) => r.unit === 'ms' && r.errorMs === 0)).toBe(true);
    // walks are compared once per file size, on the median of the repetitions
    expect(cmp.rows.filter((r) => r.kind === 'walk').map((r) => r.case)).toEqual(['c/pages=1024', 'c/pages=4096', 'c/pages=16384', 'c/pages=65536', 'c/pages=262144']);
  });

  it('two jiffies off fails a re-check row; one jiffy passes', async () => {
    const c = recheck({});
    const two = await compareCases([c], async () => ({ latencyMs: 43, result: 'ok' }), opts);
    expect(two.rows[0]).toMatchObject({ pass: false, resultChecked: true, toleranceMs: 4 });
    const one = await compareCases([c], async () => ({ latencyMs: 38.9, result: 'ok' }), opts);
    expect(one.rows[0].pass).toBe(true);
  });

  it("one jiffy plus the measured slack's spread above its median: a tick-late wake-up passes whatever its slack, two ticks fail", async () => {
    // case a measured the slack at 38 us median, 130 us p90 (the lead's run A): spread 92 us
    const spread = { ...opts, slackSpreadNs: 130_000 - 38_000 };
    const c = recheck({ latencyMs: 39.06 }); // a wake-up one tick late, 60 us more slack than the model's
    const model = async () => ({ latencyMs: 35, result: 'ok' as const });
    expect((await compareCases([c], model, opts)).rows[0]).toMatchObject({ pass: false, toleranceMs: 4, why: 'off by more than one jiffy' });
    expect((await compareCases([c], model, spread)).rows[0]).toMatchObject({ pass: true, toleranceMs: 4.092 });
    // beyond the spread, either way, and two ticks off, it fails
    expect((await compareCases([recheck({ latencyMs: 39.1 })], model, spread)).rows[0]).toMatchObject({ pass: false, why: 'off by more than one jiffy and the slack spread' });
    expect((await compareCases([recheck({ latencyMs: 30.9 })], model, spread)).rows[0].pass).toBe(false);
    expect((await compareCases([recheck({ latencyMs: 30.95 })], model, spread)).rows[0].pass).toBe(true);
    expect((await compareCases([recheck({ latencyMs: 43 })], model, spread)).rows[0].pass).toBe(false);
  });

  it('EBUSY for ok fails when the pins went far from any re-check point', async () => {
    // seal 1 ms into a jiffy: re-checks at 0, 11, 35, 79, 163 ms; pins gone at 20 ms
    const cmp = await compareCases([recheck({})], async () => ({ latencyMs: 35, result: 'EBUSY' }), opts);
    expect(cmp.rows[0]).toMatchObject({ pass: false, why: 'result EBUSY, measured ok' });
  });

  it('within a jiffy of a re-check point either result and either re-check is accepted', async () => {
    // pins gone 1 ms before the last re-check (163 ms): ok there, or EBUSY there
    const c = recheck({ delayMs: 162, releaseMs: 162, latencyMs: 163.1, result: 'ok' });
    const ebusy = await compareCases([c], async () => ({ latencyMs: 163.05, result: 'EBUSY' }), opts);
    expect(ebusy.rows[0]).toMatchObject({ pass: true, resultChecked: false });
    // pins gone 0.5 ms after re-check 2 (35 ms): seen there (a race) or at re-check 3 (79 ms)
    const c2 = recheck({ delayMs: 35, releaseMs: 35.5, latencyMs: 35.1 });
    expect((await compareCases([c2], async () => ({ latencyMs: 79.1, result: 'ok' }), opts)).rows[0].pass).toBe(true);
    expect((await compareCases([c2], async () => ({ latencyMs: 163.1, result: 'ok' }), opts)).rows[0].pass).toBe(false);
  });

  it('drain rows: one jiffy and the same result; walk rows: 25% + 20 us', async () => {
    const drain: CalibrationCase = { id: 'b/rt/rep0/pre3', kind: 'drain', cpuClass: 'rt', pages: 8, latencyMs: 947, result: 'ok', parked: true, spinBeforeMs: 3, spinMaxMs: 2500 };
    expect((await compareCases([drain], async () => ({ latencyMs: 950.5, result: 'ok' }), opts)).rows[0].pass).toBe(true);
    expect((await compareCases([drain], async () => ({ latencyMs: 1947, result: 'ok' }), opts)).rows[0].pass).toBe(false);
    const walk: CalibrationCase = { id: 'c/pages=65536/rep0', kind: 'walk', pages: 65536, latencyMs: 1, result: 'ok' };
    expect((await compareCases([walk], async () => ({ latencyMs: 1.26, result: 'ok' }), opts)).rows[0].pass).toBe(true);
    expect((await compareCases([walk], async () => ({ latencyMs: 1.3, result: 'ok' }), opts)).rows[0].pass).toBe(false);
    expect((await compareCases([walk], async () => ({ latencyMs: 0.72, result: 'ok' }), opts)).rows[0].pass).toBe(false);
  });

  it('walk rows whose repetitions spread wider (two cache modes) accept the spread + 25% + 20 us, both ways', async () => {
    // The 64K-page walk of a live run: repetitions alternate between ~0.6 and ~2.1 ms; median 1.87.
    const reps = [2.27, 0.55, 1.87, 0.65, 2.47].map((latencyMs, i): CalibrationCase => ({ id: `c/pages=65536/rep${i}`, kind: 'walk', pages: 65536, latencyMs, result: 'ok' }));
    const at = async (ms: number) => (await compareCases(reps, async () => ({ latencyMs: ms, result: 'ok' }), opts)).rows[0];
    expect(await at(1.11)).toMatchObject({ measuredMs: 1.87, pass: true }); // what the two-regime fit predicted
    expect((await at(0.41)).pass).toBe(true); // 0.75 x 0.55 - 0.02 = 0.3925
    expect((await at(0.38)).pass).toBe(false);
    expect((await at(3.09)).pass).toBe(true); // 1.25 x 2.47 + 0.02 = 3.1075
    expect((await at(3.12)).pass).toBe(false);
  });

  it('rows carry what the report reads (case, predicted, measured, pass)', async () => {
    const cmp = await compareCases([recheck({})], async () => ({ latencyMs: 35.2, result: 'ok' }), opts);
    expect(Object.keys(cmp.rows[0])).toEqual(expect.arrayContaining(['case', 'predictedMs', 'measuredMs', 'pass', 'toleranceMs']));
    expect(cmp).toMatchObject({ schema: 'drainlab/calibration-compare@1', passed: 1, failed: 0 });
  });
});
