/**
 * The report's data model. `buildReportData()` makes a `ReportData` from result records; everything
 * in it is plain JSON (no Maps, no typed arrays, no undefined-as-value), so it can be embedded in
 * the HTML, saved as a baseline and compared later. The browser side (report/*.js) reads only
 * `ReportData['charts']`; the tables are rendered on the Node side.
 */
import type { TimelineEvent } from '../metrics/record.ts';
import type { ParamValue, SweepCell } from '../metrics/cells.ts';
import type { Direction, Verdict } from '../stats/bootstrap.ts';
import type { Finding } from './findings-types.ts';

export type { Finding };

export type { ParamValue, SweepCell };

/**
 * Fields the report reads from a run summary beyond docs/result-record.md, when the simulator writes
 * them. Optional: the report falls back to what the contract guarantees.
 */
export interface RunSummaryExtras {
  /** Interruptions (drain work or IPIs) per CPU class, e.g. { idle: 3, busy: 1, rt: 0, isolated: 2 }. */
  disturbanceByClass?: Record<string, number>;
}

/** A metric's canonical name in the registry (src/metrics/registry.ts), e.g. 'latencyMs.p99'. */
export type MetricId = string;

/** Per (cell, replication, strategy) metric values: the raw material of paired CIs and baselines. */
export interface Observations {
  /** Pairing keys, `${cellId}#${replication}`, one per row. */
  keys: string[];
  /** Strategy of each row. */
  strategy: string[];
  /**
   * One column per metric; null where the metric has no value for that row (in memory a report's
   * own columns are Float64Arrays with NaN there, written to JSON as these arrays).
   */
  metrics: Record<MetricId, ArrayLike<number | null>>;
}

export interface StrategyInfo {
  name: string;
  color: string;
  /** The strategy's own `models` line (src/strategies/), when the name is known. */
  description: string;
}

/** A row of a strategy table (one scenario's runs, or all inputs pooled). */
export interface StrategyRow {
  strategy: string;
  /** Strategy runs (cell x replication) pooled into this row. */
  runs: number;
  seals: number;
  /** Seal latency over all seals of all runs (ms), interpolated quantiles. */
  latencyP50: number | null;
  latencyP99: number | null;
  latencyMax: number | null;
  ok: number;
  ebusy: number;
  eperm: number;
  spuriousEbusy: number;
  unsafe: number;
  /** Inode-lock hold per seal, p99 over all seals (ms). */
  lockHoldP99: number | null;
  cpusInterrupted: number;
  isolatedDisturbances: number;
  drainCpuMs: number;
  drainAllCalls: number;
  /** Seals still running at the horizon (not in `seals`, not in any statistic). */
  unfinished: number;
  /** Distinct lockdep cycles seen in any run, each as its lock chain. */
  lockdepCycles: string[][];
}

export interface StrategyTable {
  /** What was pooled, e.g. 'all inputs' or a scenario name. */
  scope: string;
  rows: StrategyRow[];
}

/** One scenario of the inputs, with the question it asks and its own tables (never pooled with others). */
export interface ScenarioSection {
  /** The scenario's name (record.scenario.name). */
  scenario: string;
  /** The question it asks (its preset's or study part's), or its description. */
  question: string;
  /** An HTML id for links. */
  anchor: string;
  table: StrategyTable;
  paired: PairedTable;
}

export interface PairedCell {
  metric: MetricId;
  /** Median of (strategy - baseline) over paired replications, with its bootstrap CI. */
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  pairs: number;
  verdict: Verdict;
  candidateMedian: number | null;
  baselineMedian: number | null;
}

export interface PairedTable {
  baseline: string;
  metrics: MetricId[];
  rows: { strategy: string; cells: PairedCell[] }[];
  level: number;
  resamples: number;
}

export interface AxisSpec {
  label: string;
  unit: string;
  log: boolean;
}

export interface LineSeries {
  label: string;
  color: string;
  /** Dashed line (e.g. the spurious part beside the total). */
  dash?: boolean;
  values: (number | null)[];
  /** CI band edges (same length as values), when the series is a median with a CI. */
  lo?: (number | null)[];
  hi?: (number | null)[];
}

interface ChartBase {
  id: string;
  title: string;
  /** The question the chart answers, shown under the title. */
  question: string;
  /** How the data was made (pooling, slicing, decimation). */
  note?: string;
}

export interface LinesChart extends ChartBase {
  kind: 'lines';
  x: AxisSpec;
  y: AxisSpec;
  xs: number[];
  series: LineSeries[];
  /** Draw points as well as lines (few x values). */
  points?: boolean;
  /** Vertical markers with a label, e.g. PAGEVEC_SIZE on a pages-per-CPU axis. */
  markers?: { x: number; label: string }[];
  /**
   * On a log y axis: where zeros are drawn (a value below every positive one), so a strategy that
   * never waits is not left out. Absent when no value is zero.
   */
  zeroFloor?: number;
  /** Other slices of a multi-parameter sweep (the other parameters held at other values); the chart shows a selector. */
  slices?: { label: string; xs: number[]; series: LineSeries[]; zeroFloor?: number }[];
  /** Label of the slice shown first (the chart's own xs/series). */
  sliceLabel?: string;
  /** Another chart drawn beside this one (same x), e.g. total and spurious EBUSY. */
  besideId?: string;
}

export interface BarsChart extends ChartBase {
  kind: 'bars';
  /** Category labels along x. */
  groups: string[];
  y: AxisSpec;
  x: AxisSpec;
  series: { label: string; color: string; values: (number | null)[] }[];
  /** Under each group label, e.g. 'per 120 seals with an rt CPU'. */
  groupNotes?: string[];
}

export interface TimelineChart extends ChartBase {
  kind: 'timeline';
  /** One timeline per strategy, all from the same (cell, replication). */
  timelines: { strategy: string; color: string; events: TimelineEvent[] }[];
  /** Where the timelines come from, e.g. 'fuse-selftest, cpus=4, replication 0'. */
  source: string;
  cpus: number;
}

export interface MissingChart extends ChartBase {
  kind: 'missing';
  /** What the chart needs, e.g. 'a sweep over `cpus`'. */
  needs: string;
}

export type ChartData = LinesChart | BarsChart | TimelineChart | MissingChart;

export interface ScenarioInfo {
  name: string;
  /** The resolved scenario of the first replication (seed aside, the cell's replications share it). */
  config: Record<string, unknown>;
  cells: number;
  replications: number;
  seeds: number[];
}

export interface CalibrationRow {
  case: string;
  /** null when the file holds measurements only (no model comparison). */
  predicted: number | null;
  measured: number;
  /** predicted - measured, in `unit`. */
  error: number | null;
  /** Allowed |error|, in `unit`. */
  tolerance: number | null;
  pass: boolean | null;
  unit: string;
}

export interface CalibrationSection {
  source: string;
  kernel: string | null;
  rows: CalibrationRow[];
}

export interface BenchRow {
  suite: string;
  task: string;
  /** Latency per operation (ms). */
  latencyP50: number | null;
  latencyMean: number | null;
  latencyP99: number | null;
  /** Operations per second. */
  throughput: number | null;
  samples: number | null;
  /** Relative margin of error (%). */
  rme: number | null;
}

export interface BenchSection {
  sources: string[];
  rows: BenchRow[];
}

export interface MetricChange {
  strategy: string;
  metric: MetricId;
  direction: Direction;
  baselineMedian: number | null;
  currentMedian: number | null;
  /** Median of current - baseline over paired (cell, replication) keys, with CI. */
  diff: number | null;
  diffLo: number | null;
  diffHi: number | null;
  /** The same as a percentage of the baseline median (±Infinity when the baseline is 0). */
  pct: number | null;
  pctLo: number | null;
  pctHi: number | null;
  /** Paired (cell, replication) keys used; 0 when the runs shared none and the CI is unpaired. */
  pairs: number;
  /** false: no common keys, the CI compares the two medians as independent samples. */
  paired: boolean;
  verdict: Verdict;
}

export interface BaselineComparison {
  baselineName: string;
  baselineCreatedAt: string | null;
  changes: MetricChange[];
  /** Strategies in only one of the two. */
  onlyInBaseline: string[];
  onlyInCurrent: string[];
}

export interface FailOnFailure {
  spec: string;
  strategy: string;
  metric: MetricId;
  pct: number | null;
  limitPct: number;
  message: string;
}

export interface ReportData {
  schema: 'drainlab/report@1';
  title: string;
  /** When the report data was built (ISO-8601); the only non-deterministic field. */
  builtAt: string;
  inputs: {
    sources: string[];
    records: number;
    cells: number;
    replications: number;
    duplicatesDropped: number;
  };
  baselineStrategy: string;
  strategies: StrategyInfo[];
  scenarios: ScenarioInfo[];
  /** Grid parameters seen in the inputs and their distinct values. */
  params: { name: string; values: ParamValue[] }[];
  /** Distinct provenance values per field. */
  provenance: { field: string; values: string[] }[];
  /** The answers, one per question the scenarios pose; the 2017 thread's first. */
  findings: Finding[];
  /** One section per scenario: its question, its table, its paired differences. */
  scenarioSections: ScenarioSection[];
  /** All inputs pooled (says so; marks no winners). */
  table: StrategyTable;
  /** Paired differences over all inputs (each pair is one cell and seed, so pairs never mix scenarios). */
  paired: PairedTable;
  /** Warnings the records carry (e.g. a load that was not stationary over the horizon). */
  warnings: string[];
  charts: ChartData[];
  observations: Observations;
  calibration?: CalibrationSection;
  bench?: BenchSection;
  /** drainlab sensitivity's result (report --sensitivity FILE). */
  sensitivity?: import('../sweep/sensitivity.ts').SensitivityResult;
  baselineComparison?: BaselineComparison;
  failOn?: { specs: string[]; failures: FailOnFailure[] };
  notes: string[];
}
