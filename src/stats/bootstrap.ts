/**
 * Percentile-bootstrap confidence intervals, seeded and counter-based so the same inputs give the
 * same interval on every run and every machine.
 *
 * The unit of resampling is the replication (one seed of one cell), never the single seal: seals
 * of one run share a machine state and are not independent, replications are (STYLE lesson 11:
 * model variance across seeds). Paired comparisons resample (cell, replication) pairs, so the noise
 * a scenario puts on both strategies cancels in each difference.
 */
import { medianInPlace, quantileSorted, sortSamples } from './quantile.ts';
import { keyFromString, randomInt, type RngKey } from './rng.ts';

export interface Interval {
  /** The statistic on the full sample. */
  estimate: number;
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Sample size (pairs, for paired intervals). */
  n: number;
}

export interface BootstrapOptions {
  /** Seed of the resampling stream: a number, a bigint, a string label or an RngKey. Default 1. */
  seed?: number | bigint | string | RngKey;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
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

function checkOptions(opts: BootstrapOptions): { key: RngKey; resamples: number; level: number } {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  return { key: keyOf(opts.seed), resamples, level };
}

const EMPTY = (level: number): Interval => ({ estimate: NaN, lo: NaN, hi: NaN, level, n: 0 });

/**
 * Bootstrap CI of the median. The interval is the (1-level)/2 and 1-(1-level)/2 quantiles of the
 * medians of `resamples` resamples drawn with replacement. n = 1 gives the degenerate [x, x].
 */
export function medianCI(values: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  const { key, resamples, level } = checkOptions(opts);
  const n = values.length;
  if (n === 0) return EMPTY(level);
  const src = Float64Array.from(values);
  const estimate = medianInPlace(Float64Array.from(src), n);
  if (n === 1) return { estimate, lo: estimate, hi: estimate, level, n };
  const buf = new Float64Array(n);
  const stats = new Float64Array(resamples);
  let counter = 0;
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) buf[i] = src[randomInt(key, counter++, n)]!;
    stats[b] = medianInPlace(buf, n);
  }
  const sorted = sortSamples(stats);
  const alpha = (1 - level) / 2;
  return { estimate, lo: quantileSorted(sorted, alpha), hi: quantileSorted(sorted, 1 - alpha), level, n };
}

/**
 * The verdict of a candidate-minus-baseline interval: 'better' when the whole interval lies on the
 * good side of zero, 'worse' when it lies on the bad side, else 'no difference'.
 */
export function verdictOf(lo: number, hi: number, direction: Direction): Verdict {
  if (Number.isNaN(lo) || Number.isNaN(hi)) return 'no difference';
  if (hi < 0) return direction === 'lower' ? 'better' : 'worse';
  if (lo > 0) return direction === 'lower' ? 'worse' : 'better';
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
