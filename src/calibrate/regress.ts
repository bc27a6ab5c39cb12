/** Ordinary least squares y = a + b x, with r² (case c: latency on page count). */
export interface Line {
  slope: number;
  intercept: number;
  r2: number;
  n: number;
}

export function leastSquares(xs: readonly number[], ys: readonly number[]): Line | undefined {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return undefined;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
  }
  const mx = sx / n, my = sy / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx, dy = ys[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined; // one page count only: no slope to fit
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2, n };
}
