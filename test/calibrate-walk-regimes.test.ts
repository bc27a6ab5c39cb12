// The tag walk's cost in two regimes (cache, then memory): the fit recovers both rates and the
// edge from fastest-per-size latencies, and keeps the single line when it fits better.
import { describe, expect, it } from 'vitest';
import { fitCachedWalk } from '../src/calibrate/fit.ts';
import { tagWalkNs } from '../src/sim/seal.ts';
import { DEFAULT_COSTS } from '../src/kernel/costs.ts';

describe('two-regime tag walk', () => {
  it('recovers a cached rate, a memory-bound rate and the edge between them', () => {
    const sizes = [1024, 4096, 16384, 65536, 262144];
    const truth = { ...DEFAULT_COSTS, tagWalkCachedPages: 32768, tagWalkCachedNsPerPage: 4, tagWalkNsPerPage: 18 };
    const fit = fitCachedWalk(sizes, sizes.map((n) => tagWalkNs(truth, n)))!;
    expect(fit.costs.tagWalkCachedNsPerPage).toBeCloseTo(4, 1);
    expect(fit.costs.tagWalkNsPerPage).toBeGreaterThan(16);
    expect(fit.costs.tagWalkNsPerPage).toBeLessThan(20);
    expect(fit.worst).toBeLessThan(0.1);
    expect(fit.worst).toBeLessThan(fit.linearWorst);
  });

  it('keeps the single line for a linear walk', () => {
    const sizes = [1024, 4096, 16384, 65536, 262144];
    expect(fitCachedWalk(sizes, sizes.map((n) => 2000 + 11 * n))).toBeUndefined();
  });
});
