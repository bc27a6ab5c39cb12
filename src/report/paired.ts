/**
 * Paired statistics: per (cell, replication) metric values of every strategy run, and the median
 * of (strategy - baseline strategy) over the pairs with its bootstrap CI. Both sides of a pair
 * ran the same scenario with the same seed (common random numbers), so the scenario's noise
 * cancels in each difference. Every bootstrap is seeded from the labels of what it estimates.
 */
import { METRIC_LIST, metric } from '../metrics/registry.ts';
import { pairedDiffCI, pairUp, type BootstrapOptions } from '../stats/bootstrap.ts';
import { pairKey } from './prepare.ts';
import type { MetricId, Observations, PairedCell, PairedTable, SweepCell } from './types.ts';

export type Boot = Required<Pick<BootstrapOptions, 'resamples' | 'level'>>;

/** Metrics of the paired-difference tables, in column order (registry names). */
export const PAIRED_METRICS: MetricId[] = [
  'latencyMs.p50', 'latencyMs.p99', 'lockHoldMs.p99', 'ebusy', 'spuriousEbusy', 'cpusInterrupted', 'isolatedDisturbances', 'drainCpuMs',
];

const finite = (v: number | undefined | null): v is number => typeof v === 'number' && Number.isFinite(v);
export const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * One metric's values, one per row: 8 bytes a row (a JS array of numbers and nulls took ~16), NaN
 * where the metric has no value. JSON.stringify writes it as the array of numbers and nulls it
 * stands for, so the report's JSON and saved baselines are unchanged.
 */
export class MetricColumn extends Float64Array {
  toJSON(): (number | null)[] {
    return Array.from(this, (v) => (Number.isNaN(v) ? null : v));
  }
}

/** Every registry metric of every strategy run, one row per (cell, replication, strategy). */
export function observations(cells: readonly SweepCell[], strategies: readonly string[]): Observations {
  let rows = 0;
  for (const c of cells) rows += c.record.runs.length;
  const keys: string[] = [];
  const strategy: string[] = [];
  const cols = METRIC_LIST.map(() => new MetricColumn(rows));
  const metrics: Observations['metrics'] = Object.fromEntries(METRIC_LIST.map((m, i) => [m.name, cols[i]!]));
  const order = new Map(strategies.map((s, i) => [s, i]));
  let row = 0;
  for (const c of cells) {
    const runs = [...c.record.runs].sort((a, b) => order.get(a.strategy)! - order.get(b.strategy)!);
    const key = pairKey(c);
    for (const r0 of runs) {
      // The summary once per run (the report's inputs keep it in columns and rebuild it on access).
      const r = { ...r0, strategy: r0.strategy, summary: r0.summary, lockdep: r0.lockdep };
      keys.push(key);
      strategy.push(r.strategy);
      for (let i = 0; i < METRIC_LIST.length; i++) {
        const v = METRIC_LIST[i]!.of(r);
        cols[i]![row] = finite(v) ? v : NaN;
      }
      row++;
    }
  }
  return { keys, strategy, metrics };
}

const CACHE = new WeakMap<readonly SweepCell[], { strategies: readonly string[]; obs: Observations }>();

/**
 * observations(), once per list of cells (and list of strategies): a scenario's table, its findings
 * and, when the inputs hold one scenario, the whole report read the same rows instead of each
 * making its own copy (a copy is ~0.8 KB a cell of three runs). Callers must not change the list.
 */
export function observationsOf(cells: readonly SweepCell[], strategies: readonly string[]): Observations {
  const hit = CACHE.get(cells);
  if (hit && hit.strategies === strategies) return hit.obs;
  const obs = observations(cells, strategies);
  CACHE.set(cells, { strategies, obs });
  return obs;
}

/** key -> value of one metric for one strategy. */
export function metricMap(obs: Observations, strategy: string, name: MetricId): Map<string, number> {
  const m = new Map<string, number>();
  const col = obs.metrics[name];
  if (!col) return m;
  for (let i = 0; i < obs.keys.length; i++) {
    const v = col[i];
    if (obs.strategy[i] === strategy && v !== null && v !== undefined && !Number.isNaN(v)) m.set(obs.keys[i]!, v);
  }
  return m;
}

/** One paired cell: strategy - baseline for one metric over the keys both hold. `label` seeds the bootstrap. */
export function pairedCell(obs: Observations, s: string, baseline: string, name: MetricId, boot: Boot, label = ''): PairedCell {
  const p = pairUp(metricMap(obs, s, name), metricMap(obs, baseline, name));
  const d = pairedDiffCI(p.candidate, p.baseline, metric(name).direction, { ...boot, seed: `paired|${label}${s}|${baseline}|${name}` });
  return {
    metric: name, estimate: orNull(d.estimate), lo: orNull(d.lo), hi: orNull(d.hi), pairs: d.n, verdict: d.verdict,
    candidateMedian: orNull(d.candidateMedian), baselineMedian: orNull(d.baselineMedian),
  };
}

export function pairedTable(obs: Observations, strategies: readonly string[], baseline: string, boot: Boot, label = '', metrics: MetricId[] = PAIRED_METRICS): PairedTable {
  const rows: PairedTable['rows'] = [];
  for (const s of strategies) {
    if (s === baseline || !obs.strategy.includes(s)) continue;
    rows.push({ strategy: s, cells: metrics.map((name) => pairedCell(obs, s, baseline, name, boot, label)) });
  }
  return { baseline, metrics, rows, level: boot.level, resamples: boot.resamples };
}
