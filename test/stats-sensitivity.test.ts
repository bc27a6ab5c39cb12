// Sobol indices (Saltelli sampling, Saltelli-2010 S1 and Jansen ST) against the known values of
// the Ishigami function and the closed form of the G-function; Morris screening ranks the
// G-function's factors by importance and finds the inert ones.
import { describe, expect, it } from 'vitest';
import { gFunction, gFunctionIndices, ishigami, morrisDesign, morrisEffects, saltelliDesign, sobolIndices } from '../src/stats/sensitivity.ts';

describe('Sobol indices', () => {
  it('Ishigami (a = 7, b = 0.1): S1 = 0.314, 0.442, 0.000 and ST = 0.558, 0.442, 0.244 within 0.03', () => {
    const d = saltelliDesign(3, 1 << 14, 7);
    const r = sobolIndices(d, d.points.map((p) => ishigami(p)), { resamples: 100 });
    const s1 = [0.314, 0.442, 0.0];
    const st = [0.558, 0.442, 0.244];
    r.s1.forEach((x, i) => expect(Math.abs(x.value - s1[i]!)).toBeLessThan(0.03));
    r.st.forEach((x, i) => expect(Math.abs(x.value - st[i]!)).toBeLessThan(0.03));
    // The CIs cover the true value and are narrower than the tolerance.
    r.st.forEach((x, i) => {
      expect(x.lo).toBeLessThanOrEqual(st[i]! + 0.01);
      expect(x.hi).toBeGreaterThanOrEqual(st[i]! - 0.01);
      expect(x.hi - x.lo).toBeLessThan(0.06);
    });
  });

  it('G-function (a = 0, 1, 4.5, 9, 99, 99): S1 and ST match the closed form within 0.03', () => {
    const a = [0, 1, 4.5, 9, 99, 99];
    const exact = gFunctionIndices(a);
    expect(exact.s1.reduce((s, v) => s + v, 0)).toBeLessThan(1); // interactions exist
    const d = saltelliDesign(a.length, 1 << 13, 3);
    const r = sobolIndices(d, d.points.map((p) => gFunction(p, a)), { resamples: 50 });
    r.s1.forEach((x, i) => expect(Math.abs(x.value - exact.s1[i]!)).toBeLessThan(0.03));
    r.st.forEach((x, i) => expect(Math.abs(x.value - exact.st[i]!)).toBeLessThan(0.03));
  });
});

describe('Morris screening', () => {
  it('ranks the G-function factors as their coefficients do and screens out the inert ones', () => {
    const a = [0, 1, 4.5, 9, 99, 99];
    const d = morrisDesign(a.length, 40, 4, 5);
    expect(d.points).toHaveLength(40 * 7);
    for (const p of d.points) for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    const m = morrisEffects(d, d.points.map((p) => gFunction(p, a)));
    const order = m.muStar.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]).map(([, i]) => i);
    expect(order.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(m.muStar[4]! / m.muStar[0]!).toBeLessThan(0.05);
    expect(m.n.every((n) => n === 40)).toBe(true);
  });

  it('gives each factor its exact slope on a linear function (sigma 0)', () => {
    const d = morrisDesign(3, 5, 6, 2);
    const m = morrisEffects(d, d.points.map(([x, y, z]) => 3 * x! - 2 * y! + 0 * z!));
    expect(m.mu.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([3, -2, 0]);
    expect(m.sigma.every((s) => s < 1e-9)).toBe(true);
  });
});
