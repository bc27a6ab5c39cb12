/**
 * Baselines: a saved report's per-replication observations, and the comparison of a new report
 * with one. `--fail-on METRIC:PCT` turns the comparison into a check (the CLI exits 1 on failure).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonInput, writeAtomic } from '../io/files.ts';
import { pairedDiffCI, pairUp, unpairedDiffCI, type PairedDifference } from '../stats/bootstrap.ts';
import { findMetric, fmtMetric, fmtMetricDiff, metric, metricNamesHelp, METRIC_LIST } from '../metrics/registry.ts';
import { metricMap } from './paired.ts';
import { reportErrors } from './errors.ts';
import { orderStrategies } from './strategies.ts';
import type { BaselineComparison, FailOnFailure, MetricChange, MetricId, Observations, ReportData } from './types.ts';

export const BASELINE_DIR = join('.drainlab', 'baselines');

/** What a baseline file holds: enough of a report to compare with, without its charts. */
export interface BaselineFile {
  schema: 'drainlab/baseline@1';
  name: string;
  savedAt: string;
  /** The report's builtAt. */
  builtAt: string;
  baselineStrategy: string;
  strategies: string[];
  inputs: ReportData['inputs'];
  /** The scenarios the baseline ran (names), and the lab version(s) that ran them: a comparison across either is refused unless forced. */
  scenarios: string[];
  labVersions: string[];
  observations: Observations;
}

/** The scenario names and lab versions of a report or baseline. */
export function identityOf(x: ReportData | BaselineFile): { scenarios: string[]; labVersions: string[] } {
  if ('schema' in x && x.schema === 'drainlab/baseline@1') return { scenarios: [...x.scenarios].sort(), labVersions: [...x.labVersions].sort() };
  const d = x as ReportData;
  return { scenarios: d.scenarios.map((s) => s.name).sort(), labVersions: [...(d.provenance.find((p) => p.field === 'drainlab')?.values ?? [])].sort() };
}

/**
 * Refuses (exit 2) to compare runs of other scenarios or another lab version: their differences
 * are not changes, and a "worse by 1499907 %" from comparing two unlike scenarios misleads.
 */
export function checkComparable(current: ReportData | BaselineFile, baseline: ReportData | BaselineFile, where: string): void {
  const a = identityOf(current);
  const b = identityOf(baseline);
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  if (b.scenarios.length && !same(a.scenarios, b.scenarios)) {
    throw reportErrors.badBaseline(where, `the baseline ran scenario(s) ${b.scenarios.join(', ')} but these results ran ${a.scenarios.join(', ')}; a difference between other scenarios is not a change (--force-baseline compares anyway)`);
  }
  if (b.labVersions.length && a.labVersions.length && !same(a.labVersions, b.labVersions)) {
    throw reportErrors.badBaseline(where, `the baseline was made by drainlab ${b.labVersions.join(', ')} but these results by ${a.labVersions.join(', ')}; the model may differ (--force-baseline compares anyway)`);
  }
}

const NAME_RE = /^[A-Za-z0-9._-]{1,100}$/;

/** Refuses a bad --save-baseline name before anything is read or written. */
export function checkBaselineName(name: string): void {
  if (!NAME_RE.test(name) || name === '.' || name === '..') throw reportErrors.badBaselineName(name);
}

/**
 * Saves `data` as baseline `name` under `<dir>/<name>.json` (dir: .drainlab/baselines relative to
 * the working directory unless given). Returns the path written.
 */
export async function saveBaseline(name: string, data: ReportData, dir: string = BASELINE_DIR): Promise<string> {
  checkBaselineName(name);
  const file: BaselineFile = {
    schema: 'drainlab/baseline@1',
    name,
    savedAt: new Date().toISOString(),
    builtAt: data.builtAt,
    baselineStrategy: data.baselineStrategy,
    strategies: data.strategies.map((s) => s.name),
    inputs: data.inputs,
    ...identityOf(data),
    observations: data.observations,
  };
  const path = join(dir, `${name}.json`);
  writeAtomic(path, JSON.stringify(file), '--save-baseline');
  return path;
}

function asBaseline(value: unknown, where: string): BaselineFile {
  const v = value as { schema?: unknown; name?: unknown; savedAt?: unknown; builtAt?: unknown; baselineStrategy?: unknown; inputs?: unknown; observations?: Partial<Observations> } | null;
  if (!v || typeof v !== 'object') throw reportErrors.badBaseline(where, 'not a JSON object');
  if (v.schema !== 'drainlab/baseline@1' && v.schema !== 'drainlab/report@1') {
    throw reportErrors.badBaseline(where, `schema is ${JSON.stringify(v.schema)}; expected "drainlab/baseline@1" (from --save-baseline) or "drainlab/report@1"`);
  }
  const o = v.observations;
  if (!o || !Array.isArray(o.keys) || !Array.isArray(o.strategy) || !o.metrics || typeof o.metrics !== 'object') throw reportErrors.badBaseline(where, 'field observations is missing or malformed');
  // Older baselines named metrics by their old ids (latencyP99): map every column to its registry name.
  const metrics: Observations['metrics'] = {};
  for (const [k, col] of Object.entries(o.metrics)) {
    const m = findMetric(k);
    if (m && !(m.name in metrics)) metrics[m.name] = col as (number | null)[];
  }
  const id = v.schema === 'drainlab/report@1' ? identityOf(v as unknown as ReportData) : {
    scenarios: Array.isArray((v as { scenarios?: unknown }).scenarios) ? ((v as { scenarios: unknown[] }).scenarios.filter((x) => typeof x === 'string') as string[]).sort() : [],
    labVersions: Array.isArray((v as { labVersions?: unknown }).labVersions) ? ((v as { labVersions: unknown[] }).labVersions.filter((x) => typeof x === 'string') as string[]).sort() : [],
  };
  return {
    schema: 'drainlab/baseline@1',
    name: typeof v.name === 'string' ? v.name : where,
    savedAt: typeof v.savedAt === 'string' ? v.savedAt : '',
    builtAt: typeof v.builtAt === 'string' ? v.builtAt : '',
    baselineStrategy: typeof v.baselineStrategy === 'string' ? v.baselineStrategy : '',
    strategies: orderStrategies(o.strategy),
    inputs: v.inputs as ReportData['inputs'],
    ...id,
    observations: { keys: o.keys, strategy: o.strategy, metrics },
  };
}

/**
 * Reads a baseline given as a path, or as a name saved under .drainlab/baselines/ (a path that
 * does not exist is tried as a name).
 */
export async function loadBaseline(nameOrPath: string, dir: string = BASELINE_DIR): Promise<BaselineFile> {
  const candidates = [nameOrPath];
  if (NAME_RE.test(nameOrPath)) candidates.push(join(dir, `${nameOrPath}.json`), join(dir, nameOrPath));
  const used = candidates.find((c) => existsSync(c));
  if (used === undefined) throw reportErrors.badBaseline(nameOrPath, `no such file, and no baseline of that name in ${dir}`);
  return asBaseline(readJsonInput(used, '--baseline'), used);
}

function pctOf(v: number, base: number): number {
  if (!Number.isFinite(v)) return NaN;
  if (base === 0) return v === 0 ? 0 : v > 0 ? Infinity : -Infinity;
  return (v / Math.abs(base)) * 100;
}
const orNull = (v: number) => (Number.isNaN(v) ? null : v);

const metricOf = metric;

export interface CompareOptions {
  resamples?: number;
  level?: number;
  /** Metrics to compare (default all). */
  metrics?: MetricId[];
}

/**
 * Per strategy and metric: current - baseline over the (cell, replication) keys both hold, as a
 * paired bootstrap CI; when they share no key (other seeds), an unpaired CI of the difference of
 * medians. Percentages are relative to the baseline's median.
 */
export function compareToBaseline(current: ReportData | BaselineFile, baseline: ReportData | BaselineFile, opts: CompareOptions = {}): BaselineComparison {
  const cur = current.observations;
  const base = baseline.observations;
  const curStrategies = orderStrategies(cur.strategy);
  const baseStrategies = orderStrategies(base.strategy);
  const both = curStrategies.filter((s) => baseStrategies.includes(s));
  const metrics = opts.metrics ?? METRIC_LIST.map((m) => m.name).filter((n) => n in cur.metrics && n in base.metrics);
  const boot = { resamples: opts.resamples ?? 2000, level: opts.level ?? 0.95 };
  const changes: MetricChange[] = [];
  for (const s of both) {
    for (const metric of metrics) {
      const dir = metricOf(metric).direction;
      const a = metricMap(cur, s, metric);
      const b = metricMap(base, s, metric);
      const p = pairUp(a, b);
      const seed = `baseline|${s}|${metric}`;
      let d: PairedDifference;
      let paired = true;
      if (p.keys.length > 0) d = pairedDiffCI(p.candidate, p.baseline, dir, { ...boot, seed });
      else {
        paired = false;
        d = unpairedDiffCI([...a.values()], [...b.values()], dir, { ...boot, seed });
      }
      const bm = d.baselineMedian;
      changes.push({
        strategy: s,
        metric,
        direction: dir,
        baselineMedian: orNull(bm),
        currentMedian: orNull(d.candidateMedian),
        diff: orNull(d.estimate),
        diffLo: orNull(d.lo),
        diffHi: orNull(d.hi),
        pct: orNull(pctOf(d.estimate, bm)),
        pctLo: orNull(pctOf(d.lo, bm)),
        pctHi: orNull(pctOf(d.hi, bm)),
        pairs: paired ? d.n : 0,
        paired,
        verdict: d.verdict,
      } as MetricChange);
    }
  }
  const bname = 'name' in baseline && typeof baseline.name === 'string' ? baseline.name : 'baseline';
  const created = 'savedAt' in baseline && baseline.savedAt ? baseline.savedAt : baseline.builtAt || null;
  return {
    baselineName: bname,
    baselineCreatedAt: created,
    changes,
    onlyInBaseline: baseStrategies.filter((s) => !curStrategies.includes(s)),
    onlyInCurrent: curStrategies.filter((s) => !baseStrategies.includes(s)),
  };
}

export interface FailOnSpec {
  spec: string;
  metric: MetricId;
  strategy: string | null;
  pct: number;
}

/** Parses `METRIC:PCT` or `METRIC@STRATEGY:PCT` (PCT may end in %). Throws UsageError. */
export function parseFailOn(spec: string): FailOnSpec {
  const m = /^\s*([A-Za-z0-9_.]+)(?:@([^:]+))?\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(spec);
  if (!m) throw reportErrors.badFailOn(spec, 'not of the form METRIC:PCT', metricNamesHelp());
  const found = findMetric(m[1]!);
  if (!found) throw reportErrors.badFailOn(spec, `unknown metric ${JSON.stringify(m[1])}`, metricNamesHelp());
  const pct = Number(m[3]);
  if (!Number.isFinite(pct) || pct < 0) throw reportErrors.badFailOn(spec, 'PCT must be a number >= 0', metricNamesHelp());
  return { spec, metric: found.name, strategy: m[2] ?? null, pct };
}

/**
 * The --fail-on checks that fail: a metric fails when its change is significant in the bad
 * direction (the CI excludes zero: verdict 'worse') AND the point estimate is worse than the
 * baseline by more than PCT percent. Noise alone never fails a check; a small but real change
 * fails only beyond the allowed percentage.
 */
export function checkFailOn(specs: string | readonly string[], comparison: BaselineComparison): FailOnFailure[] {
  const list = (typeof specs === 'string' ? [specs] : [...specs]).map(parseFailOn);
  const failures: FailOnFailure[] = [];
  for (const f of list) {
    const rows = comparison.changes.filter((c) => c.metric === f.metric && (f.strategy === null || c.strategy === f.strategy));
    if (f.strategy !== null && rows.length === 0) {
      const known = [...new Set(comparison.changes.map((c) => c.strategy))].join(', ');
      throw reportErrors.badFailOn(f.spec, `strategy ${JSON.stringify(f.strategy)} is not in both the results and the baseline (present: ${known || 'none'})`, metricNamesHelp());
    }
    for (const c of rows) {
      if (c.verdict !== 'worse' || c.pct === null) continue;
      const worsePct = c.direction === 'lower' ? c.pct : -c.pct;
      if (worsePct > f.pct) {
        const m = metricOf(c.metric);
        const txt = Number.isFinite(worsePct) ? `${worsePct.toFixed(1)}%` : 'from zero';
        failures.push({
          spec: f.spec,
          strategy: c.strategy,
          metric: c.metric,
          pct: c.pct,
          limitPct: f.pct,
          message: `${c.strategy}: ${m.label} got worse by ${txt} (median ${fmtMetric(m, c.baselineMedian)} -> ${fmtMetric(m, c.currentMedian)}; ${Math.round(100 * 0.95)}% CI of the change ${fmtMetricDiff(m, c.diffLo)} .. ${fmtMetricDiff(m, c.diffHi)}); allowed ${f.pct}% (${f.spec})`,
        });
      }
    }
  }
  return failures;
}
