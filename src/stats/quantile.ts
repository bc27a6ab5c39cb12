/**
 * Interpolated quantiles (Hyndman & Fan type 7, the default of R, NumPy and Excel's PERCENTILE.INC):
 * q(p) = x[h] + (h - floor h) (x[h+1] - x[h]) with h = (n - 1) p on the sorted sample.
 *
 * Why not simple-statistics: its `quantile` picks an order statistic (no interpolation), which makes
 * a p99 over 50 replications jump between two samples; the interpolated estimator is smoother and is
 * what the simulator's own summaries use. The function is ten lines, so it lives here.
 */

declare const sortedBrand: unique symbol;
/** A numeric sample sorted ascending with no NaN. Only `sortSamples()` makes one. */
export type SortedSamples = Float64Array & { readonly [sortedBrand]: true };

/** Copies and sorts a sample. NaN is a caller bug and throws; ±Infinity sort to the ends. */
export function sortSamples(values: ArrayLike<number>): SortedSamples {
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i])) throw new RangeError(`sortSamples: NaN at index ${i}`);
  }
  out.sort();
  return out as SortedSamples;
}

/** The p-quantile (0 <= p <= 1) of a sorted sample; NaN for an empty one. */
export function quantileSorted(sorted: SortedSamples, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

/** The p-quantile of an unsorted sample. */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantileSorted(sortSamples(values), p);
}

/** Several quantiles with one sort. */
export function quantiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const s = sortSamples(values);
  return ps.map((p) => quantileSorted(s, p));
}

/** The median (type 7: the mean of the two middle values for an even n). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Rearranges buf[lo..hi] so that buf[k] holds the value it would have if sorted (Hoare select). */
function selectInPlace(buf: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // median-of-three pivot keeps sorted and reversed inputs linear
    const mid = (lo + hi) >>> 1;
    const a = buf[lo]!;
    const b = buf[mid]!;
    const c = buf[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i]! < pivot) i++;
      while (buf[j]! > pivot) j--;
      if (i <= j) {
        const t = buf[i]!;
        buf[i] = buf[j]!;
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Median of a scratch buffer's first n entries in O(n), reordering them (quickselect). Equal to
 * medianInPlace; for the bootstrap's inner loop.
 */
export function medianSelect(buf: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const k = (n - 1) >>> 1;
  selectInPlace(buf, 0, n - 1, k);
  const lower = buf[k]!;
  if (n % 2 === 1) return lower;
  let next = Infinity;
  for (let i = k + 1; i < n; i++) if (buf[i]! < next) next = buf[i]!;
  return (lower + next) / 2;
}

/**
 * Median of a scratch buffer's first n entries, sorting them in place. For the bootstrap's inner
 * loop, which resamples into one preallocated buffer.
 */
export function medianInPlace(buf: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const view = n === buf.length ? buf : buf.subarray(0, n);
  view.sort();
  const h = (n - 1) / 2;
  const lo = Math.floor(h);
  return lo === h ? view[lo]! : (view[lo]! + view[lo + 1]!) / 2;
}

/**
 * Distribution-free confidence interval of the median from order statistics: [x(k), x(n+1-k)]
 * covers the population median with probability 1 - 2 P(Bin(n, 1/2) <= k - 1), exactly, for any
 * continuous distribution. k is the largest with that coverage >= `level`; when even [min, max]
 * falls short (n <= 5 at 95 %), the interval is [min, max] and `level` says what it covers
 * (n = 5: 93.75 %). For the few repetitions of a benchmark, where a bootstrap of the median is
 * coarse and a normal approximation is wrong.
 */
export function medianRankCI(values: ArrayLike<number>, level = 0.95): { estimate: number; lo: number; hi: number; level: number; n: number } {
  const s = sortSamples(values);
  const n = s.length;
  if (n === 0) return { estimate: NaN, lo: NaN, hi: NaN, level: 0, n };
  // tail[j] = P(Bin(n, 1/2) <= j), accumulated in exact binomial terms.
  let term = Math.pow(0.5, n);
  let tail = 0;
  let k = 1;
  let covered = n === 1 ? 0 : 1 - 2 * term; // [x(1), x(n)] misses only when all n fall on one side
  for (let j = 0; j + 2 < n - j; j++) {
    tail += term; // P(B <= j)
    term = (term * (n - j)) / (j + 1);
    const next = 1 - 2 * (tail + term); // coverage of [x(j+2), x(n-j-1)]
    if (next < level) break;
    k = j + 2;
    covered = next;
  }
  return { estimate: quantileSorted(s, 0.5), lo: s[k - 1]!, hi: s[n - k]!, level: covered, n };
}
