import { describe, expect, it } from 'vitest';
import { buildReportData } from '../src/report/build.ts';
import { makeRecord, makeSweepCells } from './fixtures/records.ts';

const cells = makeSweepCells({ replications: 4 });
const data = buildReportData(cells, { builtAt: '2025-01-01T00:00:00Z', resamples: 500 });

describe('report data model', () => {
  it('has one strategy row per strategy, baseline first, with exact counts', () => {
    expect(data.table.rows.map((r) => r.strategy)).toEqual(['v4.14', 'no-drain', 'v4.16', 'local-first']);
    const seals = cells.reduce((a, c) => a + c.record.runs[0]!.summary.seals, 0);
    for (const r of data.table.rows) {
      expect(r.seals).toBe(seals);
      expect(r.ok + r.ebusy + r.eperm).toBe(r.seals);
      expect(Number.isInteger(r.spuriousEbusy)).toBe(true);
    }
    const noDrain = data.table.rows.find((r) => r.strategy === 'no-drain')!;
    const expected = cells.reduce((a, c) => a + c.record.runs.find((x) => x.strategy === 'no-drain')!.summary.spuriousEbusy, 0);
    expect(noDrain.spuriousEbusy).toBe(expected);
    expect(data.table.rows[0]!.lockdepCycles).toEqual([['cpu_hotplug_lock', 'devtmpfs_lock', 'i_rwsem']]);
  });

  it('marks the best value of each column', () => {
    const best = (key: string) => data.table.rows.filter((r) => r.best.includes(key)).map((r) => r.strategy);
    expect(best('cpusInterrupted')).toEqual(['no-drain']);
    const p50s = data.table.rows.map((r) => r.latencyP50!);
    expect(best('latencyP50')).toEqual([data.table.rows[p50s.indexOf(Math.min(...p50s))]!.strategy]);
    // every strategy has 0 unsafe seals: nothing to single out
    expect(best('unsafe')).toEqual([]);
  });

  it('compares each strategy with v4.14 on paired replications', () => {
    expect(data.paired.baseline).toBe('v4.14');
    const row = (s: string) => data.paired.rows.find((r) => r.strategy === s)!;
    const cell = (s: string, m: string) => row(s).cells.find((c) => c.metric === m)!;
    expect(cell('no-drain', 'spuriousEbusy').verdict).toBe('worse');
    expect(cell('no-drain', 'cpusInterrupted').verdict).toBe('better');
    expect(cell('local-first', 'latencyP50').verdict).toBe('better');
    expect(cell('local-first', 'latencyP50').pairs).toBe(cells.length);
    for (const r of data.paired.rows) for (const c of r.cells) if (c.estimate !== null) expect(c.lo! <= c.estimate && c.estimate <= c.hi!).toBe(true);
  });

  it('draws every chart from a sweep over cpus, pinMs and pagesPerCpu', () => {
    const kinds = Object.fromEntries(data.charts.map((c) => [c.id, c.kind]));
    expect(kinds).toEqual({
      'latency-cdf': 'lines', 'p99-vs-cpus': 'lines', 'spurious-vs-pin': 'lines', 'spurious-vs-pages': 'lines',
      'lockhold-vs-cpus': 'lines', 'disturbance-by-class': 'bars', 'seal-timeline': 'timeline',
    });
    const p99 = data.charts.find((c) => c.id === 'p99-vs-cpus')!;
    if (p99.kind !== 'lines') throw new Error('p99 chart');
    expect(p99.xs).toEqual([4, 16, 64, 256]);
    expect(p99.x.log && p99.y.log).toBe(true);
    for (const s of p99.series) expect(s.lo && s.hi).toBeTruthy();
    const cdf = data.charts[0]!;
    if (cdf.kind !== 'lines') throw new Error('cdf');
    for (const s of cdf.series) {
      expect(s.values.at(-1)).toBe(1);
      for (let i = 1; i < s.values.length; i++) expect(s.values[i]!).toBeGreaterThanOrEqual(s.values[i - 1]!);
    }
    const bars = data.charts.find((c) => c.id === 'disturbance-by-class')!;
    if (bars.kind !== 'bars') throw new Error('bars');
    expect(bars.groups).toEqual(['idle', 'busy', 'rt', 'isolated']);
  });

  it('is deterministic (bootstrap seeds come from labels)', () => {
    const again = buildReportData(cells, { builtAt: '2025-01-01T00:00:00Z', resamples: 500 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('says which parameter a chart needs when one run has none, and falls back without class counts', () => {
    const rec = makeRecord({ name: 'one', strategies: ['v4.14', 'no-drain'], cpus: 8, pinMs: 100, pagesPerCpu: 4, seed: 1, sealsPerRun: 6, classBreakdown: false, latencyScale: 1 });
    const d = buildReportData([rec], { resamples: 200 });
    const byId = Object.fromEntries(d.charts.map((c) => [c.id, c]));
    expect(byId['p99-vs-cpus']!.kind).toBe('missing');
    expect(byId['p99-vs-cpus']!.kind === 'missing' && byId['p99-vs-cpus']!.needs).toMatch(/cpus/);
    expect(byId['spurious-vs-pin']!.kind === 'missing' && byId['spurious-vs-pin']!.needs).toMatch(/pinMs/);
    expect(byId['latency-cdf']!.kind).toBe('lines');
    const bars = byId['disturbance-by-class']!;
    if (bars.kind === 'bars') expect(bars.groups.every((g) => g === 'isolated' || g === 'non-isolated')).toBe(true);
    expect(d.inputs.records).toBe(1);
  });

  it('drops duplicate (cell, replication) records and says so', () => {
    const d = buildReportData([...cells.slice(0, 3), cells[0]!], { resamples: 100 });
    expect(d.inputs.records).toBe(3);
    expect(d.inputs.duplicatesDropped).toBe(1);
    expect(d.notes.join(' ')).toMatch(/duplicate/);
  });

  it('holds other sweep parameters fixed along a chart', () => {
    const star = makeSweepCells({ grid: 'star', replications: 2 });
    const d = buildReportData(star, { resamples: 100 });
    const pin = d.charts.find((c) => c.id === 'spurious-vs-pin')!;
    if (pin.kind !== 'lines') throw new Error('pin chart');
    expect(pin.xs).toEqual([10, 100, 1000]);
    expect(pin.note).toMatch(/cpus=16/);
    expect(pin.note).toMatch(/pagesPerCpu=8/);
  });
});
