/**
 * --fail-on and --baseline on real sweep output (test/support/real-sweep.ts); a regression is
 * injected by stretching every latency of a copy of the records.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.ts';
import { checkComparable, checkFailOn, compareToBaseline, parseFailOn } from '../src/report/baseline.ts';
import { buildReportData } from '../src/report/build.ts';
import type { SweepCell } from '../src/metrics/cells.ts';
import { realCells } from './support/real-sweep.ts';

const opts = { resamples: 400, builtAt: '2025-01-01T00:00:00Z' };
const cells = realCells().filter((c) => c.record.scenario.name === 'memfd hand-offs');
const base = buildReportData(cells, opts);

function slower(xs: SweepCell[], k: number): SweepCell[] {
  return xs.map((c) => {
    const copy = structuredClone(c);
    for (const r of copy.record.runs) {
      const l = r.summary.latencyMs;
      for (const key of ['p50', 'p90', 'p99', 'max', 'mean'] as const) l[key] *= k;
      for (const s of r.seals) s.endMs = s.startMs + (s.endMs - s.startMs) * k;
    }
    return copy;
  });
}

describe('--fail-on', () => {
  it('passes when nothing changed', () => {
    const same = buildReportData(cells, opts);
    const cmp = compareToBaseline(same, base, { resamples: 400 });
    expect(cmp.changes.length).toBeGreaterThan(0);
    expect(cmp.changes.every((c) => c.verdict === 'no difference' && c.paired)).toBe(true);
    expect(checkFailOn(['latencyMs.p99:5', 'spurious:0', 'lockHoldMs.p99@v4.14:1'], cmp)).toEqual([]);
  });

  it('fails on an injected 50% latency regression, only past the allowed percentage', () => {
    const cmp = compareToBaseline(buildReportData(slower(cells, 1.5), opts), base, { resamples: 400 });
    const p50 = cmp.changes.find((c) => c.strategy === 'v4.14' && c.metric === 'latencyMs.p50')!;
    expect(p50.verdict).toBe('worse');
    expect(p50.pct).toBeCloseTo(50, 0);
    const failures = checkFailOn(['latencyMs.p50:10'], cmp);
    expect(failures.map((f) => f.strategy).sort()).toEqual(['coalesced', 'drain-unlocked', 'local-first', 'no-drain', 'v4.14']);
    expect(failures[0]!.message).toMatch(/seal latency p50 got worse by 5\d\.\d%/);
    expect(checkFailOn(['latencyMs.p50:60'], cmp)).toEqual([]);
    // the old names still work, as aliases of the registry's
    expect(checkFailOn(['latencyP50@local-first:10%'], cmp).map((f) => f.strategy)).toEqual(['local-first']);
    expect(checkFailOn(['ebusy:0'], cmp)).toEqual([]);
  });

  it('rejects bad specs with a UsageError naming the allowed metrics', () => {
    for (const bad of ['latency', 'nope:5', 'latencyMs.p99:-3', 'latencyMs.p99:abc', ':5']) {
      expect(() => parseFailOn(bad)).toThrow(UsageError);
    }
    try {
      parseFailOn('nope:5');
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(/latencyMs\.p99, latencyMs\.max/);
    }
    expect(parseFailOn('p99:12.5%')).toMatchObject({ metric: 'latencyMs.p99', pct: 12.5, strategy: null });
    expect(parseFailOn('latencyMs.p99:10')).toMatchObject({ metric: 'latencyMs.p99', pct: 10 });
    const cmp = compareToBaseline(base, base, { resamples: 50 });
    expect(() => checkFailOn('p99@nosuch:5', cmp)).toThrow(/nosuch/);
  });
});

describe('--baseline', () => {
  it('refuses a baseline of other scenarios (exit 2), and accepts the same ones', () => {
    const other = buildReportData(realCells().filter((c) => c.record.scenario.name === 'debate-2017'), opts);
    expect(() => checkComparable(other, base, 'b.json')).toThrow(UsageError);
    expect(() => checkComparable(other, base, 'b.json')).toThrow(/scenario\(s\) memfd hand-offs .* debate-2017/);
    expect(() => checkComparable(buildReportData(slower(cells, 2), opts), base, 'b.json')).not.toThrow();
  });

  it('refuses a baseline of another lab version', () => {
    const older = buildReportData(cells.map((c) => ({ ...c, record: { ...c.record, provenance: { ...c.record.provenance, drainlab: '0.0.1' } } })), opts);
    expect(() => checkComparable(base, older, 'old.json')).toThrow(/drainlab 0\.0\.1/);
  });
});
