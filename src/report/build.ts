/**
 * buildReportData: result records -> the report's data model (types.ts). Pure and deterministic:
 * the same records give the same data (builtAt aside), because every bootstrap is seeded from the
 * labels of what it estimates.
 */
import type { RunRecord, StrategyRun, TimelineEvent } from '../metrics/record.ts';
import { medianCI, pairedDiffCI, pairUp, type BootstrapOptions } from '../stats/bootstrap.ts';
import { quantileSorted, sortSamples } from '../stats/quantile.ts';
import { decimateMinMax } from './decimate.ts';
import { runRecordToCell } from './load.ts';
import { METRICS, METRIC_IDS, PAIRED_METRICS } from './metrics.ts';
import { orderStrategies, strategyColor, strategyDescription } from './strategies.ts';
import type {
  BarsChart,
  ChartData,
  LinesChart,
  MetricId,
  Observations,
  PairedCell,
  PairedTable,
  ParamValue,
  ReportData,
  RunSummaryExtras,
  ScenarioInfo,
  StrategyInfo,
  StrategyRow,
  StrategyTable,
  SweepCell,
  TimelineChart,
} from './types.ts';

export interface BuildOptions {
  title?: string;
  /** The strategy every other is compared with (default 'v4.14', else the first present). */
  baselineStrategy?: string;
  /** Where the records came from (file names), for the "what was run" section. */
  sources?: string[];
  /** Bootstrap resamples (default 2000) and confidence level (default 0.95). */
  resamples?: number;
  level?: number;
  /** Points per line chart before min/max decimation kicks in (about the chart's pixel width). */
  maxColumns?: number;
  /** ISO time to stamp as builtAt (tests pass a fixed one). */
  builtAt?: string;
}

/** A cell's pairing key. */
export const pairKey = (c: Pick<SweepCell, 'cellId' | 'replication'>) => `${c.cellId}#${c.replication}`;

const isRecord = (x: RunRecord | SweepCell): x is RunRecord => (x as RunRecord).schema === 'drainlab/run@1' && !('record' in x);

function scenarioName(r: RunRecord): string {
  const n = (r.scenario as Record<string, unknown>).name;
  return typeof n === 'string' && n !== '' ? n : 'unnamed';
}

/** Flattens nested params to dotted names with scalar values. */
export function flattenParams(params: SweepCell['params'], prefix = '', out: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  for (const [k, v] of Object.entries(params)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenParams(v as SweepCell['params'], name, out);
    else if (Array.isArray(v)) out[name] = JSON.stringify(v);
    else out[name] = v as ParamValue;
  }
  return out;
}

const finite = (v: number | undefined | null): v is number => typeof v === 'number' && Number.isFinite(v);
const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

interface Prepared {
  cells: SweepCell[];
  flat: Record<string, ParamValue>[];
  strategies: string[];
  /** One colour per strategy, the same in every chart. */
  colors: Map<string, string>;
  duplicates: number;
}

function prepare(inputs: ReadonlyArray<RunRecord | SweepCell>): Prepared {
  const seen = new Set<string>();
  const cells: SweepCell[] = [];
  let duplicates = 0;
  let runIndex = 0;
  for (const x of inputs) {
    const c = isRecord(x) ? runRecordToCell(x, runIndex++) : x;
    const k = pairKey(c);
    if (seen.has(k)) {
      duplicates++;
      continue;
    }
    seen.add(k);
    cells.push(c);
  }
  const names = new Set<string>();
  for (const c of cells) for (const r of c.record.runs) names.add(r.strategy);
  const strategies = orderStrategies(names);
  const colors = new Map(strategies.map((s, k) => [s, strategyColor(s, k)]));
  return { cells, flat: cells.map((c) => flattenParams(c.params)), strategies, colors, duplicates };
}

// ---------------------------------------------------------------------------------------------
// The strategy table

const TABLE_COLUMNS: { key: keyof StrategyRow; better: 'lower' | 'higher' }[] = [
  { key: 'latencyP50', better: 'lower' },
  { key: 'latencyP99', better: 'lower' },
  { key: 'latencyMax', better: 'lower' },
  { key: 'ok', better: 'higher' },
  { key: 'ebusy', better: 'lower' },
  { key: 'spuriousEbusy', better: 'lower' },
  { key: 'unsafe', better: 'lower' },
  { key: 'lockHoldP99', better: 'lower' },
  { key: 'cpusInterrupted', better: 'lower' },
  { key: 'isolatedDisturbances', better: 'lower' },
  { key: 'drainCpuMs', better: 'lower' },
  { key: 'lockdepCycles', better: 'lower' },
];

function columnValue(row: StrategyRow, key: keyof StrategyRow): number | null {
  const v = row[key];
  if (key === 'lockdepCycles') return (v as string[][]).length;
  return typeof v === 'number' ? v : null;
}

function markBest(rows: StrategyRow[]): void {
  for (const { key, better } of TABLE_COLUMNS) {
    const vals = rows.map((r) => columnValue(r, key));
    const present = vals.filter((v): v is number => v !== null);
    if (present.length < 2) continue;
    const best = better === 'lower' ? Math.min(...present) : Math.max(...present);
    const worst = better === 'lower' ? Math.max(...present) : Math.min(...present);
    if (best === worst) continue; // all equal: nothing to point at
    const tol = Math.abs(best) * 1e-9;
    rows.forEach((r, i) => {
      const v = vals[i];
      if (v !== null && v !== undefined && Math.abs(v - best) <= tol) r.best.push(key);
    });
  }
}

function strategyTable(scope: string, cells: SweepCell[], strategies: string[]): StrategyTable {
  const rows: StrategyRow[] = [];
  for (const s of strategies) {
    const lat: number[] = [];
    const hold: number[] = [];
    const cycles = new Map<string, string[]>();
    const row: StrategyRow = {
      strategy: s, runs: 0, seals: 0, latencyP50: null, latencyP99: null, latencyMax: null,
      ok: 0, ebusy: 0, eperm: 0, spuriousEbusy: 0, unsafe: 0, lockHoldP99: null,
      cpusInterrupted: 0, isolatedDisturbances: 0, drainCpuMs: 0, drainAllCalls: 0, lockdepCycles: [], best: [],
    };
    let summaryMax = -Infinity;
    for (const c of cells) {
      for (const r of c.record.runs) {
        if (r.strategy !== s) continue;
        const m = r.summary;
        row.runs++;
        row.seals += m.seals;
        row.ok += m.ok;
        row.ebusy += m.ebusy;
        row.eperm += m.eperm;
        row.spuriousEbusy += m.spuriousEbusy;
        row.unsafe += m.unsafe;
        row.cpusInterrupted += m.cpusInterrupted;
        row.isolatedDisturbances += m.isolatedDisturbances;
        row.drainCpuMs += m.drainCpuMs;
        row.drainAllCalls += m.drainAllCalls;
        if (m.seals > 0) summaryMax = Math.max(summaryMax, m.latencyMs.max);
        for (const seal of r.seals) {
          lat.push(seal.endMs - seal.startMs);
          hold.push(seal.lockHoldMs);
        }
        for (const cyc of r.lockdep?.cycles ?? []) cycles.set(cyc.join(' -> '), cyc);
      }
    }
    if (lat.length > 0) {
      const sl = sortSamples(lat);
      row.latencyP50 = quantileSorted(sl, 0.5);
      row.latencyP99 = quantileSorted(sl, 0.99);
      row.latencyMax = sl[sl.length - 1]!;
      row.lockHoldP99 = quantileSorted(sortSamples(hold), 0.99);
    } else if (Number.isFinite(summaryMax)) {
      row.latencyMax = summaryMax; // records without per-seal lists: only the max pools exactly
    }
    row.lockdepCycles = [...cycles.values()];
    rows.push(row);
  }
  markBest(rows);
  return { scope, rows };
}

// ---------------------------------------------------------------------------------------------
// Observations and paired differences

function observations(cells: SweepCell[], strategies: string[]): Observations {
  const keys: string[] = [];
  const strategy: string[] = [];
  const metrics = Object.fromEntries(METRIC_IDS.map((id) => [id, [] as (number | null)[]])) as Observations['metrics'];
  const order = new Map(strategies.map((s, i) => [s, i]));
  for (const c of cells) {
    const runs = [...c.record.runs].sort((a, b) => order.get(a.strategy)! - order.get(b.strategy)!);
    for (const r of runs) {
      keys.push(pairKey(c));
      strategy.push(r.strategy);
      for (const id of METRIC_IDS) {
        const v = METRICS[id].of(r);
        metrics[id].push(finite(v) ? v : null);
      }
    }
  }
  return { keys, strategy, metrics };
}

/** key -> value of one metric for one strategy. */
export function metricMap(obs: Observations, strategy: string, metric: MetricId): Map<string, number> {
  const m = new Map<string, number>();
  const col = obs.metrics[metric];
  for (let i = 0; i < obs.keys.length; i++) {
    const v = col[i];
    if (obs.strategy[i] === strategy && v !== null && v !== undefined) m.set(obs.keys[i]!, v);
  }
  return m;
}

function pairedTable(obs: Observations, strategies: string[], baseline: string, boot: Required<Pick<BootstrapOptions, 'resamples' | 'level'>>): PairedTable {
  const rows: PairedTable['rows'] = [];
  for (const s of strategies) {
    if (s === baseline) continue;
    const cells: PairedCell[] = PAIRED_METRICS.map((metric) => {
      const p = pairUp(metricMap(obs, s, metric), metricMap(obs, baseline, metric));
      const d = pairedDiffCI(p.candidate, p.baseline, METRICS[metric].direction, { ...boot, seed: `paired|${s}|${baseline}|${metric}` });
      return {
        metric, estimate: orNull(d.estimate), lo: orNull(d.lo), hi: orNull(d.hi), pairs: d.n, verdict: d.verdict,
        candidateMedian: orNull(d.candidateMedian), baselineMedian: orNull(d.baselineMedian),
      };
    });
    rows.push({ strategy: s, cells });
  }
  return { baseline, metrics: PAIRED_METRICS, rows, level: boot.level, resamples: boot.resamples };
}

// ---------------------------------------------------------------------------------------------
// Charts

const fmtVal = (v: ParamValue) => (typeof v === 'string' ? v : JSON.stringify(v));

function latencyCdf(cells: SweepCell[], strategies: string[], colors: Map<string, string>, columns: number): ChartData {
  const base = { id: 'latency-cdf', title: 'Seal latency distribution (CDF)', question: 'How long does fcntl(F_ADD_SEALS, F_SEAL_WRITE) take with each strategy, over all seals?' };
  const per = new Map<string, number[]>(strategies.map((s) => [s, []]));
  for (const c of cells) for (const r of c.record.runs) for (const seal of r.seals) per.get(r.strategy)!.push(seal.endMs - seal.startMs);
  let lo = Infinity;
  let hi = -Infinity;
  let zeros = 0;
  for (const xs of per.values()) {
    for (const x of xs) {
      if (x > 0 && x < lo) lo = x;
      if (x > hi) hi = x;
      if (x <= 0) zeros++;
    }
  }
  if (!Number.isFinite(hi)) return { ...base, kind: 'missing', needs: 'seal records (runs[].seals) in the inputs' };
  if (!Number.isFinite(lo)) lo = 1e-3;
  if (hi <= lo) hi = lo * 10;
  // One x per pixel column on a log axis. A CDF is monotone, so its min and max within a column
  // are its values at the column's edges: evaluating at the edges is the min/max decimation.
  const n = columns;
  const xs = Array.from({ length: n }, (_, i) => lo * Math.pow(hi / lo, i / (n - 1)));
  xs[n - 1] = hi;
  const series = strategies.filter((s) => per.get(s)!.length > 0).map((s) => {
    const sorted = sortSamples(per.get(s)!);
    let j = 0;
    const values = xs.map((x) => {
      while (j < sorted.length && sorted[j]! <= x * (1 + 1e-12)) j++;
      return j / sorted.length;
    });
    return { label: `${s} (${sorted.length} seals)`, color: colors.get(s)!, values };
  });
  const chart: LinesChart = {
    ...base, kind: 'lines',
    x: { label: 'seal latency', unit: 'ms', log: true },
    y: { label: 'fraction of seals done', unit: 'fraction', log: false },
    xs, series,
    note: `All seals of all cells and replications pooled per strategy; a curve further left is faster, a curve that stays below 1 has a long tail.${zeros ? ` ${zeros} seals took 0 ms and are counted at the left edge.` : ''}`,
  };
  return chart;
}

interface Slice {
  param: string;
  /** Distinct x values, ascending, each with the cells at it. */
  xs: number[];
  cellsAt: Map<number, SweepCell[]>;
  /** What the other parameters were held at. */
  heldAt: string;
}

/**
 * Chooses the cells for a chart of a metric against one parameter. Other parameters (and the
 * scenario) are held fixed at the combination that covers the most distinct values of the
 * parameter, so a line never mixes, say, two pin durations while it walks along the CPU count.
 */
function sliceAlong(prep: Prepared, aliases: readonly string[], pattern: RegExp | null): Slice | undefined {
  const names = new Set<string>();
  for (const f of prep.flat) for (const k of Object.keys(f)) names.add(k);
  const numericDistinct = (name: string) => new Set(prep.flat.map((f) => f[name]).filter((v): v is number => typeof v === 'number')).size;
  const candidates = [...aliases.filter((a) => names.has(a)), ...(pattern ? [...names].filter((n) => pattern.test(n)).sort() : [])];
  const param = candidates.find((n) => numericDistinct(n) >= 2);
  if (!param) return undefined;
  const groups = new Map<string, { rest: string; cells: Map<number, SweepCell[]> }>();
  prep.cells.forEach((c, i) => {
    const f = prep.flat[i]!;
    const x = f[param];
    if (typeof x !== 'number') return;
    const restObj = Object.fromEntries(Object.entries(f).filter(([k]) => k !== param).sort(([a], [b]) => (a < b ? -1 : 1)));
    const key = `${scenarioName(c.record)}\u0000${JSON.stringify(restObj)}`;
    let g = groups.get(key);
    if (!g) {
      const restText = Object.entries(restObj).map(([k, v]) => `${k}=${fmtVal(v)}`).join(', ');
      g = { rest: `scenario ${scenarioName(c.record)}${restText ? `, ${restText}` : ''}`, cells: new Map() };
      groups.set(key, g);
    }
    const at = g.cells.get(x) ?? [];
    at.push(c);
    g.cells.set(x, at);
  });
  let best: { rest: string; cells: Map<number, SweepCell[]> } | undefined;
  let bestScore = [-1, -1];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const score = [g.cells.size, [...g.cells.values()].reduce((a, v) => a + v.length, 0)];
    if (score[0]! > bestScore[0]! || (score[0] === bestScore[0] && score[1]! > bestScore[1]!)) {
      best = g;
      bestScore = score;
    }
  }
  if (!best || best.cells.size < 2) return undefined;
  return { param, xs: [...best.cells.keys()].sort((a, b) => a - b), cellsAt: best.cells, heldAt: best.rest };
}

interface VsSpec {
  id: string;
  title: string;
  question: string;
  aliases: readonly string[];
  pattern: RegExp | null;
  needs: string;
  xLabel: string;
  xUnit: string;
  yLabel: string;
  yUnit: string;
  logY: boolean;
  /** The per-replication value. */
  value: (run: StrategyRun) => number | undefined;
}

function versus(prep: Prepared, spec: VsSpec, boot: Required<Pick<BootstrapOptions, 'resamples' | 'level'>>): ChartData {
  const base = { id: spec.id, title: spec.title, question: spec.question };
  const slice = sliceAlong(prep, spec.aliases, spec.pattern);
  if (!slice) return { ...base, kind: 'missing', needs: spec.needs };
  const logX = slice.xs[0]! > 0 && slice.xs[slice.xs.length - 1]! / slice.xs[0]! >= 16;
  let dropped = 0;
  const series = prep.strategies.map((s) => {
    const values: (number | null)[] = [];
    const lo: (number | null)[] = [];
    const hi: (number | null)[] = [];
    for (const x of slice.xs) {
      const reps: number[] = [];
      for (const c of slice.cellsAt.get(x)!) {
        for (const r of c.record.runs) {
          if (r.strategy !== s) continue;
          const v = spec.value(r);
          if (finite(v)) reps.push(v);
        }
      }
      const ci = medianCI(reps, { ...boot, seed: `${spec.id}|${s}|${x}` });
      const fix = (v: number) => {
        if (!Number.isFinite(v)) return null;
        if (spec.logY && v <= 0) {
          dropped++;
          return null;
        }
        return v;
      };
      values.push(fix(ci.estimate));
      lo.push(fix(ci.lo));
      hi.push(fix(ci.hi));
    }
    return { label: s, color: prep.colors.get(s)!, values, lo, hi };
  }).filter((s) => s.values.some((v) => v !== null));
  const reps = Math.max(...[...slice.cellsAt.values()].map((v) => v.length));
  const chart: LinesChart = {
    ...base, kind: 'lines', points: true,
    x: { label: spec.xLabel, unit: spec.xUnit, log: logX },
    y: { label: spec.yLabel, unit: spec.yUnit, log: spec.logY },
    xs: slice.xs, series,
    note: `x = sweep parameter "${slice.param}"; held at ${slice.heldAt}. Line: median over replications (up to ${reps} per point); band: ${Math.round(boot.level * 100)}% bootstrap CI of that median.${dropped ? ` ${dropped} zero values cannot be drawn on the log axis and are left out.` : ''}`,
  };
  return chart;
}

const CLASS_ORDER = ['idle', 'busy', 'rt', 'isolated', 'non-isolated'];

function disturbance(cells: SweepCell[], strategies: string[], colors: Map<string, string>): ChartData {
  const base = { id: 'disturbance-by-class', title: 'Who gets disturbed: interruptions per seal, by CPU class', question: 'Which kinds of CPU does each strategy interrupt (drain work or IPIs), and how often per seal?' };
  const totals = new Map<string, Map<string, number>>();
  const seals = new Map<string, number>();
  let fromFallback = false;
  for (const c of cells) {
    for (const r of c.record.runs) {
      const t = totals.get(r.strategy) ?? new Map<string, number>();
      totals.set(r.strategy, t);
      seals.set(r.strategy, (seals.get(r.strategy) ?? 0) + r.summary.seals);
      const byClass = (r.summary as typeof r.summary & RunSummaryExtras).disturbanceByClass;
      if (byClass && typeof byClass === 'object') {
        for (const [k, v] of Object.entries(byClass)) if (finite(v)) t.set(k, (t.get(k) ?? 0) + v);
      } else {
        fromFallback = true;
        const iso = r.summary.isolatedDisturbances;
        t.set('isolated', (t.get('isolated') ?? 0) + iso);
        t.set('non-isolated', (t.get('non-isolated') ?? 0) + Math.max(0, r.summary.cpusInterrupted - iso));
      }
    }
  }
  const classes = new Set<string>();
  for (const t of totals.values()) for (const [k, v] of t) if (v > 0) classes.add(k);
  const groups = [...classes].sort((a, b) => {
    const ia = CLASS_ORDER.indexOf(a);
    const ib = CLASS_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1);
  });
  if (groups.length === 0) return { ...base, kind: 'missing', needs: 'runs that interrupt at least one CPU (summary.cpusInterrupted > 0)' };
  const series = strategies.map((s) => ({
    label: s,
    color: colors.get(s)!,
    values: groups.map((g) => {
      const n = seals.get(s) ?? 0;
      return n > 0 ? (totals.get(s)?.get(g) ?? 0) / n : null;
    }),
  }));
  const chart: BarsChart = {
    ...base, kind: 'bars', groups, series,
    x: { label: 'CPU class', unit: '', log: false },
    y: { label: 'interruptions per seal', unit: 'CPUs/seal', log: false },
    note: fromFallback
      ? 'The records carry no per-class counts (summary.disturbanceByClass), so CPUs are split into isolated (nohz_full) and all others, from summary.isolatedDisturbances and summary.cpusInterrupted.'
      : 'From summary.disturbanceByClass, summed over all runs and divided by the seals.',
  };
  return chart;
}

/**
 * Pairs of instants that bound a span, drawn as one bar: how long the inode lock was held, how
 * long drain_all waited for its flush. Spans the record already has (durMs) are left alone.
 */
const SPAN_PAIRS: [start: string, end: string, label: string][] = [
  ['inode-lock', 'inode-unlock', 'inode lock held'],
  ['lock', 'unlock', 'inode lock held'],
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

function timeline(cells: SweepCell[], strategies: string[], colors: Map<string, string>, baseline: string): ChartData {
  const base = { id: 'seal-timeline', title: 'One seal, step by step: which CPU did what, when', question: 'Where does the time of a slow seal go: lock, tag walk, drain_all, kworkers on other CPUs, sleeps and rechecks?' };
  let chosen: SweepCell | undefined;
  let bestSpan = -1;
  for (const c of cells) {
    const runs = c.record.runs.filter((r) => r.timeline && r.timeline.length > 0);
    if (runs.length === 0) continue;
    const ref = runs.find((r) => r.strategy === baseline) ?? runs[0]!;
    const ev = ref.timeline!;
    let a = Infinity;
    let b = -Infinity;
    for (const e of ev) {
      a = Math.min(a, e.atMs);
      b = Math.max(b, e.atMs + (e.durMs ?? 0));
    }
    // The most telling seal: the one that involved the most CPUs (up to 8: kworkers, IPIs), then
    // the slowest, then the one with the most strategies to switch between.
    const cpus = Math.min(8, new Set(ev.map((e) => e.cpu)).size);
    const score = cpus * 1e12 + (b - a) * 1e3 + runs.length;
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
  const scCpus = (chosen.record.scenario as Record<string, unknown>).cpus;
  const params = Object.entries(flattenParams(chosen.params)).map(([k, v]) => `${k}=${fmtVal(v)}`).join(', ');
  const chart: TimelineChart = {
    ...base, kind: 'timeline', timelines,
    cpus: typeof scCpus === 'number' ? Math.max(cpus, Math.min(scCpus, 4096)) : cpus,
    source: `scenario ${scenarioName(chosen.record)}${params ? ` (${params})` : ''}, replication ${chosen.replication}: the run whose ${baseline} first seal involved the most CPUs, and of those took longest`,
    note: 'Time is relative to the seal\'s fcntl call. Bars are spans (durations), dots are instants. Pick the strategy above the chart.',
  };
  return chart;
}

// ---------------------------------------------------------------------------------------------

export function buildReportData(inputs: ReadonlyArray<RunRecord | SweepCell>, opts: BuildOptions = {}): ReportData {
  const prep = prepare(inputs);
  const { cells, strategies } = prep;
  const boot = { resamples: opts.resamples ?? 2000, level: opts.level ?? 0.95 };
  const columns = opts.maxColumns ?? 600;
  const notes: string[] = [];
  const wanted = opts.baselineStrategy ?? 'v4.14';
  const baseline = strategies.includes(wanted) ? wanted : (strategies[0] ?? wanted);
  if (baseline !== wanted && strategies.length > 0) notes.push(`The baseline strategy ${wanted} is not in the inputs; differences are against ${baseline}.`);
  if (prep.duplicates > 0) notes.push(`${prep.duplicates} duplicate (cell, replication) records were dropped (the first of each was kept).`);

  const info: StrategyInfo[] = strategies.map((s) => ({ name: s, color: prep.colors.get(s)!, description: strategyDescription(s) }));

  // Scenarios
  const byScenario = new Map<string, SweepCell[]>();
  for (const c of cells) {
    const n = scenarioName(c.record);
    const list = byScenario.get(n) ?? [];
    list.push(c);
    byScenario.set(n, list);
  }
  const scenarios: ScenarioInfo[] = [...byScenario.entries()].map(([name, list]) => {
    const seeds = [...new Set(list.map((c) => (c.record.scenario as Record<string, unknown>).seed).filter((s): s is number => typeof s === 'number'))].sort((a, b) => a - b);
    return { name, config: list[0]!.record.scenario as Record<string, unknown>, cells: new Set(list.map((c) => c.cellId)).size, replications: list.length, seeds: seeds.slice(0, 64) };
  });

  // Params
  const paramValues = new Map<string, Set<string>>();
  for (const f of prep.flat) for (const [k, v] of Object.entries(f)) {
    const set = paramValues.get(k) ?? new Set<string>();
    set.add(JSON.stringify(v));
    paramValues.set(k, set);
  }
  const params = [...paramValues.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, set]) => {
    const values = [...set].map((s) => JSON.parse(s) as ParamValue);
    values.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
    return { name, values };
  });

  // Provenance
  const prov = new Map<string, Set<string>>();
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null || v === '') return;
    const set = prov.get(k) ?? new Set<string>();
    set.add(typeof v === 'string' ? v : JSON.stringify(v));
    prov.set(k, set);
  };
  let wall = 0;
  let first = '';
  let last = '';
  for (const c of cells) {
    const p = c.record.provenance ?? ({} as RunRecord['provenance']);
    add('drainlab', p.drainlab);
    add('gitCommit', p.gitCommit);
    add('wasmSha256', p.wasmSha256);
    add('node', p.node);
    if (p.host) add('host', `${p.host.model} (${p.host.cpus} CPUs)`);
    add('workers', p.workers);
    if (typeof p.wallMs === 'number') wall += p.wallMs;
    if (typeof p.startedAt === 'string') {
      if (!first || p.startedAt < first) first = p.startedAt;
      if (!last || p.startedAt > last) last = p.startedAt;
    }
  }
  const provenance = [...prov.entries()].map(([field, set]) => {
    const values = [...set].sort();
    return { field, values: values.length > 8 ? [...values.slice(0, 8), `... and ${values.length - 8} more`] : values };
  });
  if (first) provenance.push({ field: 'startedAt', values: [first === last ? first : `${first} .. ${last}`] });
  provenance.push({ field: 'simulator wall time (sum)', values: [`${(wall / 1000).toFixed(2)} s`] });

  const table = strategyTable('all inputs', cells, strategies);
  if (new Set(table.rows.map((r) => r.runs)).size > 1) notes.push('Not every strategy ran in every cell and replication; compare totals in the strategy table with care (the paired table uses only common replications).');
  const scenarioTables = byScenario.size > 1 ? [...byScenario.entries()].map(([n, list]) => strategyTable(n, list, strategies)) : [];
  const obs = observations(cells, strategies);
  const paired = pairedTable(obs, strategies, baseline, boot);

  const cpusAliases = ['cpus', 'nrCpus', 'cpuCount', 'scenario.cpus'];
  const charts: ChartData[] = [
    latencyCdf(cells, strategies, prep.colors, columns),
    versus(prep, {
      id: 'p99-vs-cpus', title: 'Tail latency vs machine size: seal latency p99 by CPU count',
      question: 'How does the slowest 1% of seals grow as the machine gets more CPUs?',
      aliases: cpusAliases, pattern: /^(.*\.)?cpus$/i, needs: 'a sweep over the parameter `cpus` (at least two values, in the sweep cells\' params)',
      xLabel: 'CPUs', xUnit: 'count', yLabel: 'seal latency p99', yUnit: 'ms', logY: true, value: (r) => METRICS.latencyP99.of(r),
    }, boot),
    versus(prep, {
      id: 'spurious-vs-pin', title: 'False failures vs pin duration: spurious EBUSY rate',
      question: 'How often does the seal fail with EBUSY although no real pin was left, as pins last longer?',
      aliases: ['pinMs', 'pinForMs', 'pinDurationMs', 'pinDuration', 'workload.pins.durationMs', 'workload.pins.forMs', 'workload.pins.meanMs'],
      pattern: /pin.*(ms|dur)/i, needs: 'a sweep over a pin-duration parameter (`pinMs`, `pinForMs`, `pinDurationMs` or `workload.pins.durationMs`)',
      xLabel: 'pin duration', xUnit: 'ms', yLabel: 'spurious EBUSY / seals', yUnit: 'fraction', logY: false,
      value: (r) => (r.summary.seals > 0 ? r.summary.spuriousEbusy / r.summary.seals : undefined),
    }, boot),
    versus(prep, {
      id: 'spurious-vs-pages', title: 'False failures vs pagevec load: spurious EBUSY rate by pages per CPU',
      question: 'Does parking more of the file\'s pages in per-CPU pagevecs make false EBUSY more likely?',
      aliases: ['pagesPerCpu', 'pagesPerCPU', 'workload.producers.pagesPerCpu', 'workload.lifecycles[0].writePages', 'pages'],
      pattern: /pages.*cpu|writePages/i, needs: 'a sweep over `pagesPerCpu` (or `pages`)',
      xLabel: 'pages per CPU', xUnit: 'pages', yLabel: 'spurious EBUSY / seals', yUnit: 'fraction', logY: false,
      value: (r) => (r.summary.seals > 0 ? r.summary.spuriousEbusy / r.summary.seals : undefined),
    }, boot),
    versus(prep, {
      id: 'lockhold-vs-cpus', title: 'Inode lock hold vs machine size: lock hold p99 by CPU count',
      question: 'How long do writers and other sealers wait behind the inode lock as the CPU count grows?',
      aliases: cpusAliases, pattern: /^(.*\.)?cpus$/i, needs: 'a sweep over the parameter `cpus` (at least two values)',
      xLabel: 'CPUs', xUnit: 'count', yLabel: 'inode lock hold p99', yUnit: 'ms', logY: true, value: (r) => METRICS.lockHoldP99.of(r),
    }, boot),
    disturbance(cells, strategies, prep.colors),
    timeline(cells, strategies, prep.colors, baseline),
  ];
  for (const ch of charts) {
    if (ch.kind !== 'lines' || ch.xs.length <= 2 * columns + 2) continue;
    const all = ch.series.flatMap((s) => [s.values, ...(s.lo ? [s.lo] : []), ...(s.hi ? [s.hi] : [])]);
    const d = decimateMinMax(ch.xs, all, columns, ch.x.log);
    ch.xs = d.xs;
    let i = 0;
    for (const s of ch.series) {
      s.values = d.ys[i++]!;
      if (s.lo) s.lo = d.ys[i++]!;
      if (s.hi) s.hi = d.ys[i++]!;
    }
  }

  return {
    schema: 'drainlab/report@1',
    title: opts.title ?? 'drainlab: memfd F_SEAL_WRITE and lru_add_drain_all() strategies',
    builtAt: opts.builtAt ?? new Date().toISOString(),
    inputs: {
      sources: opts.sources ?? [],
      records: cells.length,
      cells: new Set(cells.map((c) => c.cellId)).size,
      replications: cells.length,
      duplicatesDropped: prep.duplicates,
    },
    baselineStrategy: baseline,
    strategies: info,
    scenarios,
    params,
    provenance,
    table,
    scenarioTables,
    paired,
    charts,
    observations: obs,
    notes,
  };
}
