import { describe, expect, it } from 'vitest';
import { decimateMinMax } from '../src/report/decimate.ts';

describe('min/max decimation', () => {
  it('keeps every spike and the ends, and bounds the points per column', () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => Math.sin(i / 500));
    ys[31_337] = 50;
    ys[77_777] = -50;
    const d = decimateMinMax(xs, [ys], 500);
    expect(d.xs.length).toBeLessThanOrEqual(4 * 500);
    expect(d.xs[0]).toBe(0);
    expect(d.xs.at(-1)).toBe(n - 1);
    expect(Math.max(...(d.ys[0] as number[]))).toBe(50);
    expect(Math.min(...(d.ys[0] as number[]))).toBe(-50);
    expect(d.xs).toContain(31_337);
  });

  it('leaves short series alone and keeps gaps', () => {
    expect(decimateMinMax([1, 2, 3], [[1, null, 3]], 500)).toEqual({ xs: [1, 2, 3], ys: [[1, null, 3]] });
    const xs = Array.from({ length: 5000 }, (_, i) => i);
    const ys = xs.map((i) => (i >= 2000 && i < 3000 ? null : i));
    const d = decimateMinMax(xs, [ys], 100);
    expect(d.ys[0]).toContain(null);
  });
});
