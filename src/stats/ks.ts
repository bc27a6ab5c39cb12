/**
 * The two-sample Kolmogorov-Smirnov test: are two samples drawn from one distribution? D is the
 * largest distance between their empirical CDFs; the p-value is the asymptotic one
 * (Numerical Recipes 14.3: Q_KS(lambda) with lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D,
 * ne = n m / (n + m)), fair from about 4 values a side.
 */
export interface KsResult {
  d: number;
  p: number;
  n: number;
  m: number;
}

function qks(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = 2 * sign * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-10) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, sum));
}

export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { d: NaN, p: NaN, n, m };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] <= v) i++;
    while (j < m && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = (n * m) / (n + m);
  const s = Math.sqrt(ne);
  return { d, p: qks((s + 0.12 + 0.11 / s) * d), n, m };
}
