// The report takes its inputs one cell at a time and keeps a reduced form of each
// (src/report/ingest.ts, issue 18: a 1 GB cells.jsonl in bounded memory). These tests hold the
// reduced form to the whole cells on real simulator output: every metric of every run, the pooled
// seal quantiles, the provenance, and the cell the timeline chart picks for every baseline.
import { describe, expect, it } from 'vitest';
import { realCells } from './support/real-sweep.ts';
import { METRIC_LIST } from '../src/metrics/registry.ts';
import { quantileSorted, sortSamples } from '../src/stats/quantile.ts';
import { ReportInputs, timelineScore } from '../src/report/ingest.ts';
import { buildReportData } from '../src/report/build.ts';
import type { SweepCell } from '../src/report/types.ts';

const copy = (cs: SweepCell[]): SweepCell[] => JSON.parse(JSON.stringify(cs)) as SweepCell[];

describe('the report inputs, reduced cell by cell', () => {
  it('keeps every metric of every run, and no seal objects', () => {
    const cells = realCells();
    const inp = new ReportInputs();
    for (const c of copy(cells)) inp.add(c);
    expect(inp.size).toBe(cells.length);
    let runs = 0;
    cells.forEach((c, i) => {
      const slim = inp.cells[i]!;
      expect(slim.cellId).toBe(c.cellId);
      c.record.runs.forEach((r, j) => {
        const s = slim.record.runs[j]!;
        expect(s.strategy).toBe(r.strategy);
        expect(s.seals).toHaveLength(0);
        for (const m of METRIC_LIST) expect([m.name, s.summary && m.of(s)]).toEqual([m.name, m.of(r)]);
        expect(s.summary.disturbanceByClass).toEqual(r.summary.disturbanceByClass);
        runs++;
      });
    });
    expect(runs).toBeGreaterThan(100);
  });

  it('pools the seal latencies of each scenario and strategy exactly', () => {
    const cells = realCells();
    const inp = new ReportInputs();
    for (const c of copy(cells)) inp.add(c);
    const name = (c: SweepCell) => String((c.record.scenario as { name?: string }).name);
    for (const scen of [...new Set(cells.map(name)), undefined]) {
      const got = inp.samples(scen);
      for (const [s, sample] of got) {
        const lat = cells.filter((c) => scen === undefined || name(c) === scen).flatMap((c) => c.record.runs.filter((r) => r.strategy === s).flatMap((r) => r.seals.map((x) => x.endMs - x.startMs)));
        expect(sample.n).toBe(lat.length);
        if (lat.length) expect(quantileSorted(sortSamples(sample.latencies()), 0.99)).toBe(quantileSorted(sortSamples(lat), 0.99));
      }
    }
  });

  it('picks the same timeline cell as a scan over the whole cells, for every baseline, also when a strategy first appears late', () => {
    // Drop two strategies from the first half of the cells, so they appear only later.
    const cells = copy(realCells()).map((c, i) => (i < 15 ? { ...c, record: { ...c.record, runs: c.record.runs.filter((r) => r.strategy !== 'coalesced' && r.strategy !== 'no-drain') } } : c));
    const names = [...new Set(cells.flatMap((c) => c.record.runs.map((r) => r.strategy)))];
    expect(names.length).toBeGreaterThan(3);
    for (const baseline of names) {
      let best = -1;
      let want: SweepCell | undefined;
      for (const c of cells) {
        const s = timelineScore(c.record.runs, baseline);
        if (s > best) [best, want] = [s, c];
      }
      expect(want).toBeDefined();
      const inp = new ReportInputs();
      for (const c of copy(cells)) inp.add(c);
      inp.restoreTimelines(baseline);
      const kept = inp.cells.filter((c) => c.record.runs.some((r) => r.timeline?.length));
      expect(kept.map((c) => c.cellId)).toEqual([want!.cellId]);
      expect(kept[0]!.record.runs.map((r) => r.timeline)).toEqual(want!.record.runs.map((r) => r.timeline));
    }
  });

  it('gives the tables the quantiles of all seals of the whole cells, and the provenance of every record', () => {
    const cells = realCells();
    const data = buildReportData(copy(cells), { builtAt: 'x', resamples: 200 });
    const name = (c: SweepCell) => String((c.record.scenario as { name?: string }).name);
    const tables = [{ cs: cells, t: data.table }, ...data.scenarioSections.map((sec) => ({ cs: cells.filter((c) => name(c) === sec.scenario), t: sec.table }))];
    expect(tables.length).toBeGreaterThan(2);
    for (const { cs, t } of tables) {
      for (const row of t.rows) {
        const runs = cs.flatMap((c) => c.record.runs.filter((r) => r.strategy === row.strategy));
        const lat = runs.flatMap((r) => r.seals.map((x) => x.endMs - x.startMs));
        const hold = runs.flatMap((r) => r.seals.map((x) => x.lockHoldMs));
        expect(row.runs).toBe(runs.length);
        expect(row.latencyP50).toBe(lat.length ? quantileSorted(sortSamples(lat), 0.5) : null);
        expect(row.lockHoldP99).toBe(hold.length ? quantileSorted(sortSamples(hold), 0.99) : null);
      }
    }
    const versions = [...new Set(cells.map((c) => c.record.provenance.drainlab))];
    expect(data.provenance.find((p) => p.field === 'drainlab')?.values).toEqual(versions.sort());
  });
});
