/**
 * Global sensitivity analysis on the unit hypercube [0, 1]^k, written small (no maintained
 * JavaScript library does it):
 *
 * - Morris elementary effects (Morris 1991; mu* of Campolongo, Cariboni & Saltelli 2007): r
 *   trajectories of k + 1 points on a p-level grid, each step moving one factor by
 *   delta = p / (2 (p - 1)); per factor mu (mean effect), mu* (mean absolute effect) and sigma
 *   (standard deviation of the effects: interaction or non-linearity).
 * - Sobol first-order (S1) and total (ST) indices from Saltelli sampling: matrices A and B of N
 *   rows and, per factor i, AB_i (A with column i from B); N (k + 2) evaluations. S1 by the
 *   Saltelli (2010) estimator mean(f(B) (f(AB_i) - f(A))) / V (f(B) centred on the mean), ST by Jansen's (1999)
 *   mean((f(A) - f(AB_i))^2) / (2 V), V the variance of f(A) and f(B) together; percentile
 *   bootstrap CIs over the N rows.
 *
 * Every draw comes from the seeded counter-based PRNG (stats/rng.ts): a design is a function of
 * (k, sizes, seed) alone.
 */
import { keyFromString, randomInt, uniform } from './rng.ts';

/** A Morris design: r trajectories, each k + 1 points; `moved[t][j]` is the factor step j changed, `up` its sign. */
export interface MorrisDesign {
  k: number;
  r: number;
  levels: number;
  delta: number;
  /** r (k + 1) points, trajectory after trajectory. */
  points: number[][];
  moved: number[][];
  up: boolean[][];
}

export function morrisDesign(k: number, r: number, levels = 4, seed = 1): MorrisDesign {
  if (!(k >= 1 && r >= 1 && levels >= 2 && levels % 2 === 0)) throw new Error('morrisDesign: k >= 1, r >= 1, an even number of levels >= 2');
  const key = keyFromString('morris', seed);
  let ctr = 0;
  const delta = levels / (2 * (levels - 1));
  // Base values that leave room for +delta: levels 0 .. levels/2 - 1 (of levels - 1 steps).
  const baseLevels = levels / 2;
  const points: number[][] = [];
  const moved: number[][] = [];
  const up: boolean[][] = [];
  for (let t = 0; t < r; t++) {
    const x = Array.from({ length: k }, () => randomInt(key, ctr++, baseLevels) / (levels - 1));
    // Each factor starts low or high at random; it then moves the other way.
    const high = Array.from({ length: k }, () => uniform(key, ctr++) < 0.5);
    for (let i = 0; i < k; i++) if (high[i]) x[i] += delta;
    const order = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = randomInt(key, ctr++, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    points.push(x.slice());
    const mv: number[] = [];
    const u: boolean[] = [];
    for (const i of order) {
      const goesUp = !high[i];
      x[i] = round(x[i]! + (goesUp ? delta : -delta));
      points.push(x.slice());
      mv.push(i);
      u.push(goesUp);
    }
    moved.push(mv);
    up.push(u);
  }
  return { k, r, levels, delta, points, moved, up };
}

const round = (v: number) => Math.round(v * 1e12) / 1e12;

export interface MorrisResult {
  /** Per factor. */
  mu: number[];
  muStar: number[];
  sigma: number[];
  /** Elementary effects used per factor (a NaN output drops the effects it takes part in). */
  n: number[];
}

/** Elementary effects (y(x + delta e_i) - y(x)) / delta per factor, from outputs in design order. */
export function morrisEffects(d: MorrisDesign, y: ArrayLike<number>): MorrisResult {
  const effects: number[][] = Array.from({ length: d.k }, () => []);
  for (let t = 0; t < d.r; t++) {
    const base = t * (d.k + 1);
    for (let j = 0; j < d.k; j++) {
      const a = y[base + j]!;
      const b = y[base + j + 1]!;
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      const ee = ((b - a) / d.delta) * (d.up[t]![j] ? 1 : -1);
      effects[d.moved[t]![j]!]!.push(ee);
    }
  }
  const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);
  const mu = effects.map(mean);
  const muStar = effects.map((e) => mean(e.map(Math.abs)));
  const sigma = effects.map((e, i) => (e.length > 1 ? Math.sqrt(e.reduce((s, x) => s + (x - mu[i]!) ** 2, 0) / (e.length - 1)) : 0));
  return { mu, muStar, sigma, n: effects.map((e) => e.length) };
}

/** A Saltelli design: rows of A (N), B (N), then AB_0 .. AB_{k-1} (N each). */
export interface SaltelliDesign {
  k: number;
  n: number;
  points: number[][];
}

export function saltelliDesign(k: number, n: number, seed = 1): SaltelliDesign {
  if (!(k >= 1 && n >= 2)) throw new Error('saltelliDesign: k >= 1, n >= 2');
  const key = keyFromString('saltelli', seed);
  let ctr = 0;
  const a = Array.from({ length: n }, () => Array.from({ length: k }, () => uniform(key, ctr++)));
  const b = Array.from({ length: n }, () => Array.from({ length: k }, () => uniform(key, ctr++)));
  const points = [...a, ...b];
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) points.push(a[j]!.map((v, c) => (c === i ? b[j]![i]! : v)));
  return { k, n, points };
}

export interface Index {
  value: number;
  lo: number;
  hi: number;
}

export interface SobolResult {
  s1: Index[];
  st: Index[];
  /** Variance of the output over A and B. */
  variance: number;
  /** Rows used (rows with a non-finite output anywhere are dropped). */
  rows: number;
}

function estimate(rows: number[], fa: ArrayLike<number>, fb: ArrayLike<number>, fab: ArrayLike<number>[]): { s1: number[]; st: number[]; v: number } {
  const n = rows.length;
  let mean = 0;
  for (const j of rows) mean += fa[j]! + fb[j]!;
  mean /= 2 * n;
  let v = 0;
  for (const j of rows) v += (fa[j]! - mean) ** 2 + (fb[j]! - mean) ** 2;
  v /= 2 * n - 1;
  const s1: number[] = [];
  const st: number[] = [];
  for (const f of fab) {
    let a = 0;
    let b = 0;
    for (const j of rows) {
      a += (fb[j]! - mean) * (f[j]! - fa[j]!); // centred: the same expectation, far less noise when the mean is large against the spread
      b += (fa[j]! - f[j]!) ** 2;
    }
    s1.push(v > 0 ? a / n / v : 0);
    st.push(v > 0 ? b / (2 * n) / v : 0);
  }
  return { s1, st, v };
}

/** S1 and ST with percentile bootstrap CIs (`resamples` draws, level `level`), from outputs in design order. */
export function sobolIndices(d: SaltelliDesign, y: ArrayLike<number>, opts: { resamples?: number; level?: number; seed?: number } = {}): SobolResult {
  const { n, k } = d;
  const fa = Array.from({ length: n }, (_, j) => y[j]!);
  const fb = Array.from({ length: n }, (_, j) => y[n + j]!);
  const fab = Array.from({ length: k }, (_, i) => Array.from({ length: n }, (_, j) => y[(2 + i) * n + j]!));
  const rows = Array.from({ length: n }, (_, j) => j).filter((j) => Number.isFinite(fa[j]!) && Number.isFinite(fb[j]!) && fab.every((f) => Number.isFinite(f[j]!)));
  const point = estimate(rows, fa, fb, fab);
  const resamples = opts.resamples ?? 500;
  const level = opts.level ?? 0.95;
  const key = keyFromString('sobol-bootstrap', opts.seed ?? 1);
  let ctr = 0;
  const bs1: number[][] = Array.from({ length: k }, () => []);
  const bst: number[][] = Array.from({ length: k }, () => []);
  const pick = new Array<number>(rows.length);
  for (let b = 0; b < resamples && rows.length > 1; b++) {
    for (let j = 0; j < rows.length; j++) pick[j] = rows[randomInt(key, ctr++, rows.length)]!;
    const e = estimate(pick, fa, fb, fab);
    for (let i = 0; i < k; i++) {
      bs1[i]!.push(e.s1[i]!);
      bst[i]!.push(e.st[i]!);
    }
  }
  const ci = (values: number[], v: number): Index => {
    if (values.length === 0) return { value: v, lo: v, hi: v };
    const s = values.slice().sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]!;
    return { value: v, lo: q((1 - level) / 2), hi: q(1 - (1 - level) / 2) };
  };
  return {
    s1: point.s1.map((v, i) => ci(bs1[i]!, v)),
    st: point.st.map((v, i) => ci(bst[i]!, v)),
    variance: point.v,
    rows: rows.length,
  };
}

/** The Ishigami function on [-pi, pi]^3, from unit coordinates (a test function with known indices). */
export function ishigami(u: readonly number[], a = 7, b = 0.1): number {
  const [x1, x2, x3] = u.map((v) => Math.PI * (2 * v - 1)) as [number, number, number];
  return Math.sin(x1) + a * Math.sin(x2) ** 2 + b * x3 ** 4 * Math.sin(x1);
}

/** The Sobol G-function on [0, 1]^k with coefficients `a`, and its exact S1 and ST. */
export function gFunction(u: readonly number[], a: readonly number[]): number {
  return u.reduce((p, x, i) => p * ((Math.abs(4 * x - 2) + a[i]!) / (1 + a[i]!)), 1);
}

export function gFunctionIndices(a: readonly number[]): { s1: number[]; st: number[] } {
  const vi = a.map((ai) => 1 / (3 * (1 + ai) ** 2));
  const total = vi.reduce((p, v) => p * (1 + v), 1) - 1;
  return {
    s1: vi.map((v) => v / total),
    st: vi.map((v, i) => (v * vi.reduce((p, w, j) => (j === i ? p : p * (1 + w)), 1)) / total),
  };
}
