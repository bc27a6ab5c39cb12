/**
 * Confidence intervals for rates estimated from a recording: a count of events in a window
 * (Poisson, Garwood's interval through the Wilson-Hilferty chi-square quantile), and a per-slot
 * series (batch means: the window cut into equal slots, a Student-t interval on the slot means),
 * which holds for bursty or periodic arrivals where the Poisson one would be too narrow or wide.
 */
import { normalQuantile } from './bootstrap.ts';

export interface RateCI {
  estimate: number;
  lo: number;
  hi: number;
  method: 'poisson' | 'batch-means' | 'batch-means+poisson';
}

function chi2Quantile(p: number, nu: number): number {
  if (nu <= 0) return 0;
  const z = normalQuantile(p);
  const a = 2 / (9 * nu);
  return nu * Math.max(0, 1 - a + z * Math.sqrt(a)) ** 3;
}

/** k events in `exposure` (any unit): the rate per unit and its (1 - alpha) interval. */
export function poissonRateCI(k: number, exposure: number, alpha = 0.05): RateCI {
  const lo = k === 0 ? 0 : chi2Quantile(alpha / 2, 2 * k) / 2;
  const hi = chi2Quantile(1 - alpha / 2, 2 * k + 2) / 2;
  return { estimate: k / exposure, lo: lo / exposure, hi: hi / exposure, method: 'poisson' };
}

/** Student t quantile (two-sided 1 - alpha) by the Cornish-Fisher expansion; good to ~1e-3 for df >= 3. */
export function tQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

/**
 * Per-slot counts: the batch-means interval, widened to at least the Poisson one on the total.
 * A periodic stream fills every slot alike, and its batch-means interval shrinks to nothing
 * though the phase of the arrivals against the window still leaves the count uncertain.
 */
export function slotRateCI(counts: readonly number[], slotLen: number, alpha = 0.05): RateCI {
  const bm = batchMeansCI(counts, slotLen, alpha);
  const total = counts.reduce((a, c) => a + c, 0);
  const p = poissonRateCI(total, slotLen * counts.length, alpha);
  const lo = Number.isNaN(bm.lo) ? p.lo : Math.min(bm.lo, p.lo);
  const hi = Number.isNaN(bm.hi) ? p.hi : Math.max(bm.hi, p.hi);
  return { estimate: bm.estimate, lo, hi, method: lo === bm.lo && hi === bm.hi ? 'batch-means' : 'batch-means+poisson' };
}

/** Per-slot counts of equal slots of `slotLen` each: the mean rate per unit and its t interval. */
export function batchMeansCI(counts: readonly number[], slotLen: number, alpha = 0.05): RateCI {
  const b = counts.length;
  const rates = counts.map((c) => c / slotLen);
  const mean = rates.reduce((a, x) => a + x, 0) / b;
  if (b < 2) return { estimate: mean, lo: NaN, hi: NaN, method: 'batch-means' };
  const sd = Math.sqrt(rates.reduce((a, x) => a + (x - mean) ** 2, 0) / (b - 1));
  const h = tQuantile(1 - alpha / 2, b - 1) * (sd / Math.sqrt(b));
  return { estimate: mean, lo: mean - h, hi: mean + h, method: 'batch-means' };
}
