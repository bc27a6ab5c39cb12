/**
 * buildReportData: result records -> the report's data model (types.ts). Pure and deterministic:
 * the same records give the same data (builtAt aside), because every bootstrap is seeded from the
 * labels of what it estimates. The jobs live in their own modules: prepare (dedup, params),
 * tables, paired statistics, findings, one module per chart (charts/), provenance.
 */
import type { RunRecord } from '../metrics/record.ts';
import { decimateMinMax } from './decimate.ts';
import { buildFindings } from './findings.ts';
import { byScenario, prepare, scenarioName, type Prepared } from './prepare.ts';
import type { ReportInputs } from './ingest.ts';
import { observations, observationsOf, pairedTable, type Boot } from './paired.ts';
import { questionOf } from './questions.ts';
import { strategyDescription } from './strategies.ts';
import { strategyTable } from './tables.ts';
import { latencyCdf } from './charts/latency-cdf.ts';
import { cpusPerSealVsCpus, ebusyVsPin, lockHoldVsCpus, p99VsCpus, spuriousVsPages, spuriousVsPin } from './charts/sweep-charts.ts';
import { disturbance } from './charts/disturbance.ts';
import { timeline } from './charts/timeline.ts';
import type { ChartData, ParamValue, ReportData, ScenarioInfo, ScenarioSection, StrategyInfo, SweepCell } from './types.ts';

export { pairKey, flattenParams } from './prepare.ts';
export { metricMap } from './paired.ts';

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

/** An HTML id for a scenario name. */
export const scenarioAnchor = (name: string) => `scenario-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

function charts(prep: Prepared, baseline: string, boot: Boot, columns: number): ChartData[] {
  const out: ChartData[] = [
    latencyCdf(prep, columns),
    spuriousVsPages(prep, boot),
    ebusyVsPin(prep, boot),
    spuriousVsPin(prep, boot),
    p99VsCpus(prep, boot),
    cpusPerSealVsCpus(prep, boot),
    lockHoldVsCpus(prep, boot),
    disturbance(prep),
    timeline(prep, baseline),
  ];
  for (const ch of out) {
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
  return out;
}

/**
 * Warnings the records carry (RunRecord.warnings, e.g. a load that was not stationary over the
 * horizon; a record without them falls back to its runs' load.warning), each once, with the
 * scenarios it was seen in.
 */
function warningsOf(cells: readonly SweepCell[]): string[] {
  const by = new Map<string, { texts: Set<string>; records: number }>();
  for (const c of cells) {
    const texts = c.record.warnings ?? c.record.runs.flatMap((r) => (r.load?.warning ? [`${r.strategy}: ${r.load.warning}`] : []));
    if (texts.length === 0) continue;
    const name = scenarioName(c.record);
    const g = by.get(name) ?? { texts: new Set<string>(), records: 0 };
    g.records++;
    for (const t of texts) g.texts.add(t);
    by.set(name, g);
  }
  return [...by.entries()].map(([name, g]) => {
    const [first, ...rest] = [...g.texts];
    return `${name} (${g.records} of its records): ${first}${rest.length ? ` (and ${rest.length} similar warning${rest.length === 1 ? '' : 's'})` : ''}`;
  });
}

/**
 * The report's data from its inputs: records or cells in an array, or a `ReportInputs` filled one
 * cell at a time (what `drainlab report` does, so a 1 GB cells.jsonl is never all in memory).
 */
export function buildReportData(inputs: ReadonlyArray<RunRecord | SweepCell> | ReportInputs, opts: BuildOptions = {}): ReportData {
  const prep = prepare(inputs);
  const { cells, strategies } = prep;
  const boot: Boot = { resamples: opts.resamples ?? 2000, level: opts.level ?? 0.95 };
  const columns = opts.maxColumns ?? 600;
  const notes: string[] = [];
  const wanted = opts.baselineStrategy ?? 'v4.14';
  const baseline = strategies.includes(wanted) ? wanted : (strategies[0] ?? wanted);
  if (baseline !== wanted && strategies.length > 0) notes.push(`The baseline strategy ${wanted} is not in the inputs; differences are against ${baseline}.`);
  prep.inputs.restoreTimelines(baseline);
  if (prep.duplicates > 0) notes.push(`${prep.duplicates} duplicate (cell, replication) records were dropped (the first of each was kept).`);

  // A user strategy (--strategy-file) is shown with its file and version (sha256 of its sources).
  const plugins = new Map<string, { file: string; sha256: string; api: number }>();
  for (const c of cells) for (const r of c.record.runs) if (r.plugin && !plugins.has(r.strategy)) plugins.set(r.strategy, r.plugin);
  const describe = (s: string) => {
    const p = plugins.get(s);
    return p ? `user strategy ${p.file} (sha256 ${p.sha256}, strategy API v${p.api})` : strategyDescription(s);
  };
  const info: StrategyInfo[] = strategies.map((s) => ({ name: s, color: prep.colors.get(s)!, description: describe(s) }));
  const groups = byScenario(cells);
  const scenarios: ScenarioInfo[] = [...groups.entries()].map(([name, list]) => {
    const seeds = [...new Set(list.map((c) => (c.record.scenario as Record<string, unknown>).seed).filter((s): s is number => typeof s === 'number'))].sort((a, b) => a - b);
    return { name, config: list[0]!.record.scenario as Record<string, unknown>, cells: new Set(list.map((c) => c.pointId ?? c.cellId)).size, replications: list.length, seeds: seeds.slice(0, 64) };
  });

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

  const scenarioSections: ScenarioSection[] = [...groups.entries()].map(([name, list]) => {
    const desc = (list[0]!.record.scenario as { description?: string }).description;
    return {
      scenario: name, question: questionOf(name, desc).question, anchor: scenarioAnchor(name),
      table: strategyTable(name, list, strategies, prep.inputs.samples(name)),
      paired: pairedTable(observationsOf(list, strategies), strategies, baseline, boot, `${name}|`),
    };
  });
  const table = strategyTable(groups.size > 1 ? `all ${groups.size} scenarios pooled` : [...groups.keys()][0] ?? 'all inputs', cells, strategies, prep.inputs.samples());
  if (new Set(table.rows.map((r) => r.runs)).size > 1) notes.push('Not every strategy ran in every cell and replication; the paired tables use only common replications.');
  // One scenario: its cells are all the cells, in the same order, so its rows are the report's.
  const obs = groups.size === 1 ? observationsOf([...groups.values()][0]!, strategies) : observations(cells, strategies);
  const paired = pairedTable(obs, strategies, baseline, boot);
  const chartList = charts(prep, baseline, boot, columns);
  const drawn = new Set(chartList.filter((c) => c.kind !== 'missing').map((c) => c.id));
  const findings = buildFindings(scenarioSections.map((s) => ({ name: s.scenario, anchor: s.anchor, cells: groups.get(s.scenario)! })), strategies, 'v4.14', boot, drawn);
  const unfinished = table.rows.reduce((n, r) => n + r.unfinished, 0);
  if (unfinished > 0) notes.push(`${unfinished} seal(s) were still running at the horizon: they are counted in the "unfinished" column and left out of every latency statistic.`);

  return {
    schema: 'drainlab/report@1',
    title: opts.title ?? 'drainlab: memfd F_SEAL_WRITE and lru_add_drain_all() strategies',
    builtAt: opts.builtAt ?? new Date().toISOString(),
    inputs: {
      sources: opts.sources ?? [],
      records: cells.length,
      cells: new Set(cells.map((c) => c.pointId ?? c.cellId)).size,
      replications: cells.length,
      duplicatesDropped: prep.duplicates,
    },
    baselineStrategy: baseline,
    strategies: info,
    scenarios,
    params,
    provenance: prep.inputs.provenance.result(),
    findings,
    scenarioSections,
    table,
    paired,
    warnings: warningsOf(cells),
    charts: chartList,
    observations: obs,
    notes,
  };
}
