import { describe, expect, it } from 'vitest';
import { medianCI, pairedDiffCI, pairUp, verdictOf } from '../src/stats/bootstrap.ts';
import { CounterRng, rngKey } from '../src/stats/rng.ts';

describe('bootstrap CI of the median', () => {
  it('covers the true median of known distributions about 95% of the time', () => {
    // 200 trials of n = 40 from Exp(1) (median ln 2) and N(3, 2) (median 3). The percentile
    // bootstrap of a median is slightly liberal at small n; accept 0.88..0.99.
    const cases = [
      { name: 'exponential', truth: Math.LN2, draw: (r: CounterRng) => r.exponential(1) },
      { name: 'normal', truth: 3, draw: (r: CounterRng) => 3 + 2 * r.normal() },
    ];
    for (const c of cases) {
      const rng = new CounterRng(rngKey(2024, c.name.length));
      let covered = 0;
      const trials = 200;
      for (let t = 0; t < trials; t++) {
        const xs = Array.from({ length: 40 }, () => c.draw(rng));
        const ci = medianCI(xs, { seed: t, resamples: 1000 });
        expect(ci.lo).toBeLessThanOrEqual(ci.estimate);
        expect(ci.hi).toBeGreaterThanOrEqual(ci.estimate);
        if (ci.lo <= c.truth && c.truth <= ci.hi) covered++;
      }
      const coverage = covered / trials;
      expect(coverage, `${c.name} coverage`).toBeGreaterThanOrEqual(0.88);
      expect(coverage, `${c.name} coverage`).toBeLessThanOrEqual(0.99);
    }
  });

  it('is deterministic for a seed and degenerate for n = 1 and constant samples', () => {
    const xs = [5, 1, 9, 3, 3, 8, 2];
    expect(medianCI(xs, { seed: 7 })).toEqual(medianCI(xs, { seed: 7 }));
    expect(medianCI([4])).toMatchObject({ estimate: 4, lo: 4, hi: 4, n: 1 });
    expect(medianCI([2, 2, 2])).toMatchObject({ estimate: 2, lo: 2, hi: 2 });
    expect(medianCI([]).n).toBe(0);
  });
});

describe('paired bootstrap difference', () => {
  const rng = new CounterRng(rngKey(77));
  // A baseline with large between-replication spread (as different seeds give) and a candidate
  // that moves every replication by `delta` plus small noise: pairing must see through the spread.
  const base = Array.from({ length: 30 }, () => 100 + 50 * rng.normal());
  const shifted = (delta: number) => base.map((b) => b + delta + 0.5 * rng.normal());

  it('calls a lower latency better and a higher one worse', () => {
    const better = pairedDiffCI(shifted(-5), base, 'lower', { seed: 1 });
    expect(better.verdict).toBe('better');
    expect(better.estimate).toBeCloseTo(-5, 0);
    expect(better.hi).toBeLessThan(0);
    expect(pairedDiffCI(shifted(5), base, 'lower', { seed: 1 }).verdict).toBe('worse');
    // For a higher-is-better metric the same shifts flip.
    expect(pairedDiffCI(shifted(5), base, 'higher', { seed: 1 }).verdict).toBe('better');
  });

  it('finds no difference when there is none', () => {
    const none = pairedDiffCI(shifted(0), base, 'lower', { seed: 1 });
    expect(none.verdict).toBe('no difference');
    expect(none.lo).toBeLessThanOrEqual(0);
    expect(none.hi).toBeGreaterThanOrEqual(0);
    expect(pairedDiffCI(base, base, 'lower').verdict).toBe('no difference');
  });

  it('pairs by key and reports what could not be paired', () => {
    const a = new Map([['c1#0', 1], ['c1#1', 2], ['c2#0', 3]]);
    const b = new Map([['c1#1', 5], ['c1#0', 4], ['c3#0', 9]]);
    const p = pairUp(a, b);
    expect(p.keys).toEqual(['c1#0', 'c1#1']);
    expect(p.candidate).toEqual([1, 2]);
    expect(p.baseline).toEqual([4, 5]);
    expect(p.unpaired).toBe(2);
    expect(verdictOf(-2, -1, 'lower')).toBe('better');
    expect(verdictOf(NaN, NaN, 'lower')).toBe('no difference');
  });
});

describe('large samples', () => {
  it('switch to the order-statistic interval, which agrees with the bootstrap', async () => {
    const { normalQuantile } = await import('../src/stats/bootstrap.ts');
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    const rng = new CounterRng(rngKey(5));
    const xs = Array.from({ length: 3000 }, () => rng.exponential(1)); // above the default threshold (500)
    const os = medianCI(xs);
    const bs = medianCI(xs, { orderStatisticAbove: Infinity, resamples: 500 });
    expect(os.method).toBe('order-statistic');
    expect(bs.method).toBe('bootstrap');
    expect(os.lo).toBeCloseTo(bs.lo, 1);
    expect(os.hi).toBeCloseTo(bs.hi, 1);
    expect(os.lo).toBeLessThan(Math.LN2);
    expect(os.hi).toBeGreaterThan(Math.LN2);
  });
});
