/**
 * One seal, step by step. The chart data keeps every CPU that took part; the page shows the
 * sealing CPU and the busiest others, and folds the rest into one lane (with a control to unfold
 * them into a scrolling view), so a 1024-CPU drain stays readable.
 */
import type { TimelineEvent } from '../../metrics/record.ts';
import { fmtParam, flattenParams, scenarioName, type Prepared } from '../prepare.ts';
import { timelineScore } from '../ingest.ts';
import type { ChartData, SweepCell, TimelineChart } from '../types.ts';

/**
 * Pairs of instants that bound a span, drawn as one bar: how long the inode lock was held, how
 * long drain_all waited for its flush (names as src/sim emits them). Spans the record already has
 * (durMs) are left alone.
 */
const SPAN_PAIRS: [start: string, end: string, label: string][] = [
  ['inode-lock', 'inode-unlock', 'inode lock held'],
  ['drain-all', 'flushed', 'drain_all until flushed'],
];

function withDerivedSpans(events: readonly TimelineEvent[]): TimelineEvent[] {
  const out = events.map((e) => ({ ...e }));
  for (const [start, end, label] of SPAN_PAIRS) {
    for (let i = 0; i < events.length; i++) {
      const a = events[i]!;
      if (a.what !== start || (a.durMs ?? 0) > 0) continue;
      const b = events.slice(i + 1).find((e) => e.what === end && e.cpu === a.cpu);
      if (b) out.push({ atMs: a.atMs, cpu: a.cpu, what: label, durMs: b.atMs - a.atMs });
    }
  }
  return out.sort((x, y) => x.atMs - y.atMs);
}

export function timeline(prep: Prepared, baseline: string): ChartData {
  const base = { id: 'seal-timeline', title: 'One seal, step by step: which CPU did what, when', question: 'Where does the time of a slow seal go: lock, tag walk, drain_all, kworkers on other CPUs, sleeps and rechecks?' };
  const { cells, strategies, colors } = prep;
  let chosen: SweepCell | undefined;
  let bestSpan = -1;
  for (const c of cells) {
    const score = timelineScore(c.record.runs, baseline);
    if (score < 0) continue;
    if (score > bestSpan) {
      bestSpan = score;
      chosen = c;
    }
  }
  if (!chosen) return { ...base, kind: 'missing', needs: 'a run with StrategyRun.timeline (the first seal\'s steps)' };
  const MAX_EVENTS = 400;
  let cpus = 0;
  const timelines = strategies.flatMap((s) => {
    const r = chosen!.record.runs.find((x) => x.strategy === s);
    if (!r?.timeline?.length) return [];
    const events: TimelineEvent[] = withDerivedSpans(r.timeline.slice(0, MAX_EVENTS));
    for (const e of events) cpus = Math.max(cpus, e.cpu + 1);
    return [{ strategy: s, color: colors.get(s)!, events }];
  });
  const truncated = chosen.record.runs.some((r) => (r.timeline?.length ?? 0) >= MAX_EVENTS);
  const scCpus = (chosen.record.scenario as Record<string, unknown>).cpus;
  const params = Object.entries(flattenParams(chosen.params)).map(([k, v]) => `${k}=${fmtParam(v)}`).join(', ');
  const chart: TimelineChart = {
    ...base, kind: 'timeline', timelines,
    cpus: typeof scCpus === 'number' ? Math.max(cpus, Math.min(scCpus, 4096)) : cpus,
    source: `scenario ${scenarioName(chosen.record)}${params ? ` (${params})` : ''}, replication ${chosen.replication}: the run whose ${baseline} first seal involved the most CPUs, and of those took longest`,
    note: `Time is relative to the seal's fcntl call. Bars are spans (durations), dots are instants. Pick the strategy above the chart. The sealing CPU and the busiest other CPUs get a lane each; the rest are folded into one lane (unfold them with the checkbox). Drag to zoom into a time range.${truncated ? ` A timeline holds the seal's first ${MAX_EVENTS} steps only, so CPUs reached later are not shown.` : ''}`,
  };
  return chart;
}
