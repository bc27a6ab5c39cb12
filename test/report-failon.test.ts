import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.ts';
import { checkFailOn, compareToBaseline, parseFailOn } from '../src/report/baseline.ts';
import { buildReportData } from '../src/report/build.ts';
import { makeSweepCells } from './fixtures/records.ts';

const opts = { resamples: 400, builtAt: '2025-01-01T00:00:00Z' };
const base = buildReportData(makeSweepCells({ replications: 4, cpus: [4, 64], pinMs: [100], pagesPerCpu: [8] }), opts);

describe('--fail-on', () => {
  it('passes when nothing changed', () => {
    const same = buildReportData(makeSweepCells({ replications: 4, cpus: [4, 64], pinMs: [100], pagesPerCpu: [8] }), opts);
    const cmp = compareToBaseline(same, base, { resamples: 400 });
    expect(cmp.changes.length).toBeGreaterThan(0);
    expect(cmp.changes.every((c) => c.verdict === 'no difference' && c.paired)).toBe(true);
    expect(checkFailOn(['latencyP99:5', 'spurious:0', 'lockHoldP99@v4.14:1'], cmp)).toEqual([]);
  });

  it('fails on an injected 50% latency regression, only past the allowed percentage', () => {
    const slower = buildReportData(makeSweepCells({ replications: 4, cpus: [4, 64], pinMs: [100], pagesPerCpu: [8], latencyScale: 1.5 }), opts);
    const cmp = compareToBaseline(slower, base, { resamples: 400 });
    const p50 = cmp.changes.find((c) => c.strategy === 'v4.14' && c.metric === 'latencyP50')!;
    expect(p50.verdict).toBe('worse');
    expect(p50.pct).toBeCloseTo(50, 0);
    const failures = checkFailOn(['latencyP50:10'], cmp);
    expect(failures.map((f) => f.strategy).sort()).toEqual(['local-first', 'no-drain', 'v4.14', 'v4.16']);
    expect(failures[0]!.message).toMatch(/seal latency p50 got worse by 5\d\.\d%/);
    expect(checkFailOn(['latencyP50:60'], cmp)).toEqual([]);
    expect(checkFailOn(['p50@v4.16:10%'], cmp).map((f) => f.strategy)).toEqual(['v4.16']);
    // counters did not change: no failure on them
    expect(checkFailOn(['ebusy:0'], cmp)).toEqual([]);
  });

  it('compares unpaired when the two share no (cell, replication)', () => {
    const other = buildReportData(makeSweepCells({ name: 'renamed', replications: 4, cpus: [4, 64], pinMs: [100], pagesPerCpu: [8], seed: 7, latencyScale: 10 }), opts);
    const cmp = compareToBaseline(other, base, { resamples: 400 });
    const c = cmp.changes.find((x) => x.strategy === 'v4.14' && x.metric === 'latencyP50')!;
    expect(c.paired).toBe(false);
    expect(c.verdict).toBe('worse');
  });

  it('rejects bad specs with a UsageError naming the allowed metrics', () => {
    for (const bad of ['latency', 'nope:5', 'latencyP99:-3', 'latencyP99:abc', ':5']) {
      expect(() => parseFailOn(bad)).toThrow(UsageError);
    }
    try {
      parseFailOn('nope:5');
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(/latencyP99/);
    }
    expect(parseFailOn('p99:12.5%')).toMatchObject({ metric: 'latencyP99', pct: 12.5, strategy: null });
    const cmp = compareToBaseline(base, base, { resamples: 50 });
    expect(() => checkFailOn('p99@nosuch:5', cmp)).toThrow(/nosuch/);
  });
});
