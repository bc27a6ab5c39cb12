/**
 * Percentile-bootstrap confidence intervals, seeded and counter-based so the same inputs give the
 * same interval on every run and every machine.
 *
 * The unit of resampling is the replication (one seed of one cell), never the single seal: seals
 * of one run share a machine state and are not independent, replications are (what varies
 * across seeds is the model's variance). Paired comparisons resample (cell, replication) pairs, so the noise
 * a scenario puts on both strategies cancels in each difference.
 */
import { medianInPlace, medianSelect, quantileSorted, sortSamples, type SortedSamples } from './quantile.ts';
import { fillRandomIndices, keyFromString, type RngKey } from './rng.ts';

export interface Interval {
  /** The statistic on the full sample. */
  estimate: number;
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Sample size (pairs, for paired intervals). */
  n: number;
  /** How lo/hi were found: resampling, or order statistics of the sample for large n (see medianCI). */
  method: 'bootstrap' | 'order-statistic' | 'degenerate';
}

export interface BootstrapOptions {
  /** Seed of the resampling stream: a number, a bigint, a string label or an RngKey. Default 1. */
  seed?: number | bigint | string | RngKey;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /**
   * Above this sample size the median's CI comes from order statistics instead of resampling
   * (default 500). The bootstrap costs resamples x n log n; for large n both intervals agree to
   * within one order statistic, and the distribution-free one is exact in coverage (>= level).
   */
  orderStatisticAbove?: number;
}

/** Which way is good for a metric: latency and lock hold are 'lower'; ok seals are 'higher'. */
export type Direction = 'lower' | 'higher';
export type Verdict = 'better' | 'worse' | 'no difference';

export interface PairedDifference extends Interval {
  /** Median of candidate (over its pairs). */
  candidateMedian: number;
  /** Median of baseline (over the same pairs). */
  baselineMedian: number;
  direction: Direction;
  verdict: Verdict;
}

function keyOf(seed: BootstrapOptions['seed']): RngKey {
  if (seed === undefined) return keyFromString('drainlab-bootstrap', 1);
  if (typeof seed === 'object') return seed;
  if (typeof seed === 'string') return keyFromString(seed);
  return keyFromString('drainlab-bootstrap', seed);
}

function checkOptions(opts: BootstrapOptions): { key: RngKey; resamples: number; level: number; osAbove: number } {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  return { key: keyOf(opts.seed), resamples, level, osAbove: opts.orderStatisticAbove ?? 500 };
}

const EMPTY = (level: number): Interval => ({ estimate: NaN, lo: NaN, hi: NaN, level, n: 0, method: 'degenerate' });

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Distribution-free CI of the median from order statistics (Conover, Practical Nonparametric
 * Statistics, 3.2): ranks r and n - r + 1 with r = floor((n - z sqrt(n)) / 2), z the normal
 * quantile of (1 + level) / 2. The normal approximation of Binomial(n, 1/2) is accurate for the
 * large n it is used for.
 */
function orderStatisticCI(sorted: SortedSamples, level: number): { lo: number; hi: number } {
  const n = sorted.length;
  const z = normalQuantile((1 + level) / 2);
  const r = Math.max(1, Math.floor((n - z * Math.sqrt(n)) / 2));
  return { lo: sorted[r - 1]!, hi: sorted[n - r]! };
}

/**
 * Bootstrap CI of the median. The interval is the (1-level)/2 and 1-(1-level)/2 quantiles of the
 * medians of `resamples` resamples drawn with replacement. n = 1 gives the degenerate [x, x].
 */
export function medianCI(values: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  const { key, resamples, level, osAbove } = checkOptions(opts);
  const n = values.length;
  if (n === 0) return EMPTY(level);
  const src = Float64Array.from(values);
  const estimate = medianInPlace(Float64Array.from(src), n);
  if (n === 1) return { estimate, lo: estimate, hi: estimate, level, n, method: 'degenerate' };
  if (n > osAbove) return { estimate, ...orderStatisticCI(sortSamples(src), level), level, n, method: 'order-statistic' };
  const buf = new Float64Array(n);
  const idx = new Uint32Array(n);
  const stats = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    fillRandomIndices(key, b, n, idx, n);
    for (let i = 0; i < n; i++) buf[i] = src[idx[i]!]!;
    stats[b] = medianSelect(buf, n);
  }
  const sorted = sortSamples(stats);
  const alpha = (1 - level) / 2;
  return { estimate, lo: quantileSorted(sorted, alpha), hi: quantileSorted(sorted, 1 - alpha), level, n, method: 'bootstrap' };
}

/**
 * The one verdict rule of every comparison drainlab makes (paired tables, findings, report
 * baselines and --fail-on, bench baselines): given the interval [lo, hi] of a candidate-minus-
 * baseline change, 'better' when the whole interval lies on the good side of -minEffect..+minEffect,
 * 'worse' when it lies wholly on the bad side, else 'no difference'. minEffect (default 0) is the
 * smallest change worth a verdict, in the interval's own unit (bench: a relative noise floor).
 */
export function verdictOf(lo: number, hi: number, direction: Direction, minEffect = 0): Verdict {
  if (Number.isNaN(lo) || Number.isNaN(hi)) return 'no difference';
  if (hi < -minEffect) return direction === 'lower' ? 'better' : 'worse';
  if (lo > minEffect) return direction === 'lower' ? 'worse' : 'better';
  return 'no difference';
}

/**
 * Paired bootstrap CI of the median of (candidate[i] - baseline[i]). The arrays are aligned: entry
 * i of both belongs to the same (cell, replication). Use `pairUp()` to align keyed values.
 */
export function pairedDiffCI(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  direction: Direction,
  opts: BootstrapOptions = {},
): PairedDifference {
  if (candidate.length !== baseline.length) {
    throw new RangeError(`pairedDiffCI: ${candidate.length} candidate values but ${baseline.length} baseline values`);
  }
  const n = candidate.length;
  const diffs = new Float64Array(n);
  for (let i = 0; i < n; i++) diffs[i] = candidate[i]! - baseline[i]!;
  const ci = medianCI(diffs, opts);
  const candidateMedian = n === 0 ? NaN : medianInPlace(Float64Array.from(candidate), n);
  const baselineMedian = n === 0 ? NaN : medianInPlace(Float64Array.from(baseline), n);
  return { ...ci, candidateMedian, baselineMedian, direction, verdict: verdictOf(ci.lo, ci.hi, direction) };
}

/**
 * Bootstrap CI of median(candidate) - median(baseline) for two independent samples (no common
 * replications to pair on, e.g. a baseline run with other seeds). Each resample redraws both.
 */
export function unpairedDiffCI(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  direction: Direction,
  opts: BootstrapOptions = {},
): PairedDifference {
  const { key, resamples, level } = checkOptions(opts);
  const na = candidate.length;
  const nb = baseline.length;
  const a = Float64Array.from(candidate);
  const b = Float64Array.from(baseline);
  const ma = na ? medianInPlace(Float64Array.from(a), na) : NaN;
  const mb = nb ? medianInPlace(Float64Array.from(b), nb) : NaN;
  const estimate = ma - mb;
  if (na === 0 || nb === 0) {
    return { estimate: NaN, lo: NaN, hi: NaN, level, n: 0, method: 'degenerate', candidateMedian: ma, baselineMedian: mb, direction, verdict: 'no difference' };
  }
  const bufA = new Float64Array(na);
  const bufB = new Float64Array(nb);
  const idxA = new Uint32Array(na);
  const idxB = new Uint32Array(nb);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    fillRandomIndices(key, 2 * r, na, idxA, na);
    fillRandomIndices(key, 2 * r + 1, nb, idxB, nb);
    for (let i = 0; i < na; i++) bufA[i] = a[idxA[i]!]!;
    for (let i = 0; i < nb; i++) bufB[i] = b[idxB[i]!]!;
    stats[r] = medianSelect(bufA, na) - medianSelect(bufB, nb);
  }
  const sorted = sortSamples(stats);
  const alpha = (1 - level) / 2;
  const lo = quantileSorted(sorted, alpha);
  const hi = quantileSorted(sorted, 1 - alpha);
  return { estimate, lo, hi, level, n: Math.min(na, nb), method: 'bootstrap', candidateMedian: ma, baselineMedian: mb, direction, verdict: verdictOf(lo, hi, direction) };
}

/**
 * Aligns two keyed samples on their common keys, in the candidate's key order. Keys present on
 * one side only are counted, not used.
 */
export function pairUp(
  candidate: ReadonlyMap<string, number>,
  baseline: ReadonlyMap<string, number>,
): { keys: string[]; candidate: number[]; baseline: number[]; unpaired: number } {
  const keys: string[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (const [k, v] of candidate) {
    const w = baseline.get(k);
    if (w === undefined || Number.isNaN(v) || Number.isNaN(w)) continue;
    keys.push(k);
    a.push(v);
    b.push(w);
  }
  const unpaired = candidate.size + baseline.size - 2 * keys.length;
  return { keys, candidate: a, baseline: b, unpaired };
}
