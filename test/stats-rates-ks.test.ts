import { describe, expect, it } from 'vitest';
import { batchMeansCI, poissonRateCI, slotRateCI, tQuantile } from '../src/stats/rates.ts';
import { ksTwoSample } from '../src/stats/ks.ts';

describe('rate intervals', () => {
  it('Poisson (Garwood) interval of 100 events: 81.36 .. 121.63 (exact chi-square values)', () => {
    const r = poissonRateCI(100, 1);
    expect(r.lo).toBeCloseTo(81.36, 1);
    expect(r.hi).toBeCloseTo(121.63, 1);
    expect(poissonRateCI(0, 10).lo).toBe(0);
    expect(poissonRateCI(0, 10).hi).toBeCloseTo(0.3689, 2); // 3.689 / 10
  });

  it('Student t quantiles: t(0.975, 4) = 2.776, t(0.975, 19) = 2.093', () => {
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776, 1);
    expect(tQuantile(0.975, 19)).toBeCloseTo(2.093, 2);
  });

  it('batch means: a periodic stream has no spread, so the slot interval falls back to the Poisson one', () => {
    const counts = [50, 50, 50, 50, 50];
    const bm = batchMeansCI(counts, 1000);
    expect(bm.hi - bm.lo).toBe(0);
    const s = slotRateCI(counts, 1000);
    const p = poissonRateCI(250, 5000);
    expect(s.lo).toBeCloseTo(p.lo, 12);
    expect(s.hi).toBeCloseTo(p.hi, 12);
    // a bursty stream keeps its wider batch-means interval
    const bursty = slotRateCI([0, 200, 0, 50, 0], 1000);
    expect(bursty.method).toBe('batch-means');
    expect(bursty.hi - bursty.lo).toBeGreaterThan(p.hi - p.lo);
  });
});

describe('two-sample Kolmogorov-Smirnov', () => {
  it('one sample against itself: D 0, p 1; disjoint samples: D 1, p tiny', () => {
    const a = Array.from({ length: 30 }, (_, i) => i);
    expect(ksTwoSample(a, a)).toMatchObject({ d: 0, p: 1 });
    const b = a.map((x) => x + 100);
    const r = ksTwoSample(a, b);
    expect(r.d).toBe(1);
    expect(r.p).toBeLessThan(1e-6);
  });

  it('a shift of half the range: D 0.5 (n = m = 40), p about 0.00003', () => {
    const a = Array.from({ length: 40 }, (_, i) => i);
    const b = a.map((x) => x + 20);
    const r = ksTwoSample(a, b);
    expect(r.d).toBeCloseTo(0.5, 10);
    expect(r.p).toBeGreaterThan(1e-5);
    expect(r.p).toBeLessThan(1e-3);
  });
});
