/**
 * The report's data model on real simulator output (test/support/real-sweep.ts): per-scenario
 * tables, paired statistics, findings built from them, and charts that read right.
 */
import { describe, expect, it } from 'vitest';
import { buildReportData } from '../src/report/build.ts';
import { realCells } from './support/real-sweep.ts';

const cells = realCells();
const data = buildReportData(cells, { builtAt: '2025-01-01T00:00:00Z', resamples: 400 });
const chart = (id: string) => data.charts.find((c) => c.id === id)!;

describe('report data model (real sweep output)', () => {
  it('has one table per scenario with exact counts, and a pooled table that marks no winner', () => {
    expect(data.scenarioSections.map((s) => s.scenario)).toEqual(['debate-2017', 'lockdep-2017', 'memfd hand-offs', 'memfd hand-offs with pins', 'pages parked per CPU']);
    for (const sc of data.scenarioSections) {
      const mine = cells.filter((c) => c.record.scenario.name === sc.scenario);
      for (const r of sc.table.rows) {
        const runs = mine.flatMap((c) => c.record.runs.filter((x) => x.strategy === r.strategy));
        expect(r.seals).toBe(runs.reduce((a, x) => a + x.summary.seals, 0));
        expect(r.spuriousEbusy).toBe(runs.reduce((a, x) => a + x.summary.spuriousEbusy, 0));
        expect(r.ok + r.ebusy + r.eperm).toBe(r.seals);
      }
      expect(sc.question.length).toBeGreaterThan(20);
    }
    expect(data.table.scope).toMatch(/pooled/);
    expect(Object.keys(data.table.rows[0]!)).not.toContain('best');
  });

  it('opens with the 2017 questions, each answered from paired statistics of its scenarios', () => {
    expect(data.findings.slice(0, 3).map((f) => f.id)).toEqual(['michal', 'david', 'upstream']);
    const michal = data.findings[0]!;
    // no-drain leaves 4 and 15 pages parked (15 mod 14 = 1) but none at 14: spurious EBUSY there and not at 14
    expect(michal.answer).toMatch(/^Yes\./);
    const at = (w: string) => michal.stats.find((s) => s.scenario === 'pages parked per CPU' && s.where === w)!;
    expect(at('writePages = 4').verdict).toBe('worse');
    expect(at('writePages = 15').verdict).toBe('worse');
    expect(at('writePages = 14').verdict).toBe('no difference');
    expect(michal.charts).toContain('spurious-vs-pages');
    for (const f of data.findings) {
      for (const s of f.stats) {
        expect(s.pairs).toBeGreaterThan(0);
        if (s.estimate !== null) expect(s.lo! <= s.estimate && s.estimate <= s.hi!).toBe(true);
        // each statistic belongs to one scenario: never pooled over unlike ones
        expect(data.scenarioSections.map((x) => x.scenario)).toContain(s.scenario);
      }
    }
    // the lockdep question: v4.16 drops the cpu hotplug lock and with it the 2017 cycle
    const up = data.findings[2]!;
    const cyc = up.stats.find((s) => s.strategy === 'v4.16' && s.metric === 'lockdepCycles');
    expect(cyc === undefined || cyc.scenario === 'lockdep-2017').toBe(true);
    expect(data.findings.filter((f) => f.id.startsWith('q-')).length).toBe(data.scenarioSections.length);
  });

  it('draws total and spurious EBUSY side by side, and marks PAGEVEC_SIZE', () => {
    const total = chart('ebusy-vs-pin');
    const spur = chart('spurious-vs-pin');
    if (total.kind !== 'lines' || spur.kind !== 'lines') throw new Error('pin charts');
    expect(total.besideId).toBe('spurious-vs-pin');
    expect(total.xs).toEqual([1, 100]);
    const pages = chart('spurious-vs-pages');
    if (pages.kind !== 'lines') throw new Error('pages chart');
    expect(pages.markers).toEqual([{ x: 14, label: 'PAGEVEC_SIZE 14' }]);
    expect(pages.note).toMatch(/saw-tooth/);
  });

  it('draws zeros on log axes at a floor, and normalises CPU classes per seal of that class', () => {
    const lock = chart('lockhold-vs-cpus');
    if (lock.kind !== 'lines') throw new Error('lock chart');
    const all = lock.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
    expect(all.every((v) => v > 0)).toBe(true);
    if (lock.zeroFloor !== undefined) expect(all).toContain(lock.zeroFloor);
    const bars = chart('disturbance-by-class');
    if (bars.kind !== 'bars') throw new Error('bars');
    expect(bars.y.log).toBe(true);
    expect(bars.groupNotes?.length).toBe(bars.groups.length);
  });

  it('shows the warnings the records carry (a load that was not stationary), once each', () => {
    const debate = cells.filter((c) => c.record.scenario.name === 'debate-2017');
    expect(buildReportData(debate, { resamples: 100 }).warnings).toEqual([]);
    const warned = debate.map((c, i) => (i < 2 ? { ...c, record: { ...c.record, warnings: ['the load fell by 80 % between the first and last third of the horizon'] } } : c));
    expect(buildReportData(warned, { resamples: 100 }).warnings).toEqual(['debate-2017 (2 of its records): the load fell by 80 % between the first and last third of the horizon']);
    // the study's own scenarios may warn (src/metrics/load.ts); each scenario is named once
    const names = data.warnings.map((w) => w.replace(/ \(.*$/, ''));
    expect(new Set(names).size).toBe(names.length);
  });

  it('is deterministic (bootstrap seeds come from labels)', () => {
    const again = buildReportData(cells, { builtAt: '2025-01-01T00:00:00Z', resamples: 400 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
  });

  it('drops duplicate (cell, replication) records and says so', () => {
    const d = buildReportData([...cells.slice(0, 3), cells[0]!], { resamples: 100 });
    expect(d.inputs.duplicatesDropped).toBe(1);
    expect(d.notes.join(' ')).toMatch(/duplicate/);
  });
});
