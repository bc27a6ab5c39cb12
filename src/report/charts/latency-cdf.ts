/** Seal latency distribution (CDF) per strategy, log x; unfinished seals keep the curve below 1. */
import { sortSamples } from '../../stats/quantile.ts';
import type { Prepared } from '../prepare.ts';
import type { ChartData, LinesChart } from '../types.ts';

export function latencyCdf(prep: Prepared, columns: number): ChartData {
  const base = { id: 'latency-cdf', title: 'Seal latency distribution (CDF)', question: 'How long does fcntl(F_ADD_SEALS, F_SEAL_WRITE) take with each strategy, over all seals?' };
  const { cells, strategies, colors } = prep;
  const pooled = prep.inputs.samples();
  const per = new Map<string, Float64Array>(strategies.map((s) => [s, pooled.get(s)?.latencies() ?? new Float64Array(0)]));
  const unfinished = new Map<string, number>(strategies.map((s) => [s, 0]));
  for (const c of cells) {
    for (const r of c.record.runs) unfinished.set(r.strategy, unfinished.get(r.strategy)! + (r.summary.unfinished ?? 0));
  }
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
  let totalUnfinished = 0;
  const series = strategies.filter((s) => per.get(s)!.length > 0).map((s) => {
    const sorted = sortSamples(per.get(s)!);
    const u = unfinished.get(s)!;
    totalUnfinished += u;
    const all = sorted.length + u;
    let j = 0;
    const values = xs.map((x) => {
      while (j < sorted.length && sorted[j]! <= x * (1 + 1e-12)) j++;
      return j / all;
    });
    return { label: `${s} (${sorted.length} seals${u ? `, ${u} unfinished` : ''})`, color: colors.get(s)!, values };
  });
  const chart: LinesChart = {
    ...base, kind: 'lines',
    x: { label: 'seal latency', unit: 'ms', log: true },
    y: { label: 'fraction of seals done', unit: 'fraction', log: false },
    xs, series,
    note: `All seals of all cells and replications pooled per strategy (a distribution, not a comparison: the scenarios differ); a curve further left is faster.${totalUnfinished ? ` ${totalUnfinished} seals were still running at the horizon: they count as not done, so those curves end below 1.` : ' Every seal finished before the horizon.'}${zeros ? ` ${zeros} seals took 0 ms and are counted at the left edge.` : ''}`,
  };
  return chart;
}
