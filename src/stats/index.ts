/** Statistics for drainlab: interpolated quantiles, Welford moments, a counter-based PRNG, bootstrap CIs. */
export { quantile, quantiles, quantileSorted, median, medianInPlace, medianSelect, sortSamples, type SortedSamples } from './quantile.ts';
export { Welford, moments, type MomentSummary } from './welford.ts';
export { splitmix64, rngKey, keyFromString, random64, randomU32, uniform, randomInt, fillRandomIndices, CounterRng, type RngKey } from './rng.ts';
export {
  medianCI,
  pairedDiffCI,
  unpairedDiffCI,
  pairUp,
  verdictOf,
  normalQuantile,
  type Interval,
  type BootstrapOptions,
  type Direction,
  type Verdict,
  type PairedDifference,
} from './bootstrap.ts';
