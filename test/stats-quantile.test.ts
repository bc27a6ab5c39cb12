import { describe, expect, it } from 'vitest';
import { median, medianRankCI, quantile, quantiles } from '../src/stats/quantile.ts';
import { moments, Welford } from '../src/stats/welford.ts';

describe('interpolated quantiles (type 7)', () => {
  it('agrees with R quantile(type = 7)', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    // R: quantile(c(3,1,4,1,5,9,2,6), c(0, .25, .5, .9, .99, 1))
    expect(quantiles(x, [0, 0.25, 0.5, 0.9, 0.99, 1])).toEqual([1, 1.75, 3.5, 6 + 0.3 * 3, 6 + 0.93 * 3, 9].map((v) => expect.closeTo(v, 12)));
    expect(median([5])).toBe(5);
    expect(median([1, 2])).toBe(1.5);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });

  it('rejects NaN and p outside [0, 1]', () => {
    expect(() => quantile([1, NaN], 0.5)).toThrow(/NaN/);
    expect(() => quantile([1], 1.5)).toThrow(/p must be/);
  });
});

describe('Welford moments', () => {
  it('is stable for large offsets where the naive formula cancels', () => {
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    const m = moments(xs);
    expect(m.mean).toBe(1e9 + 10);
    expect(m.variance).toBeCloseTo(30, 9);
    expect(m.min).toBe(1e9 + 4);
    expect(m.max).toBe(1e9 + 16);
    const w = new Welford();
    expect(w.variance).toBe(0);
    w.push(2);
    expect(w.variance).toBe(0);
  });
});

describe('quickselect median', () => {
  it('equals the sorted median on random, sorted, reversed and tied inputs', async () => {
    const { medianSelect } = await import('../src/stats/quantile.ts');
    const { CounterRng, rngKey } = await import('../src/stats/rng.ts');
    const rng = new CounterRng(rngKey(3));
    for (let n = 1; n < 60; n++) {
      const shapes = [
        Array.from({ length: n }, () => rng.next()),
        Array.from({ length: n }, (_, i) => i),
        Array.from({ length: n }, (_, i) => n - i),
        Array.from({ length: n }, () => rng.int(3)),
      ];
      for (const xs of shapes) expect(medianSelect(Float64Array.from(xs), n)).toBe(median(xs));
    }
  });
});

describe('medianRankCI (order statistics, exact binomial coverage)', () => {
  it('picks the ranks of the binomial tables and reports their coverage', () => {
    // Ranks k, n+1-k of the 95 % interval of a median (e.g. Conover, Practical Nonparametric
    // Statistics, table A3): n = 9 -> 2, 8; n = 12 -> 3, 10; n = 20 -> 6, 15; n = 50 -> 18, 33.
    for (const [n, k, level] of [[9, 2, 0.9609], [12, 3, 0.9614], [20, 6, 0.9586], [50, 18, 0.9672]] as const) {
      const xs = Array.from({ length: n }, (_, i) => 100 - i); // unsorted on purpose
      const r = medianRankCI(xs);
      expect([r.lo, r.hi]).toEqual([100 - (n - k), 100 - (k - 1)]);
      expect(r.level).toBeCloseTo(level, 4);
      expect(r.estimate).toBe(median(xs));
    }
  });
  it('says when even [min, max] falls short of the level asked for', () => {
    const r = medianRankCI([3, 1, 2, 5, 4]);
    expect([r.lo, r.hi, r.estimate]).toEqual([1, 5, 3]);
    expect(r.level).toBeCloseTo(1 - 2 / 32, 12); // 93.75 % < 95 %
    expect(medianRankCI([7]).level).toBe(0);
    expect(medianRankCI([1, 2, 3, 4, 5, 6, 7], 0.5)).toMatchObject({ lo: 3, hi: 5 }); // 1 - 2 P(B <= 2) = 0.547
  });
});
