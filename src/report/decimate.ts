/**
 * Min/max decimation per pixel column (uPlot's own rule for dense lines): of each column's run of
 * points keep the first, the last, and each series' minimum and maximum, so every spike survives
 * and the drawn line is pixel-identical to the full one. Nulls are gaps and are kept where they
 * start a gap, so a gap stays a gap.
 */

/** Indices of the points to keep, ascending. xs must be ascending. */
export function decimationIndices(xs: readonly number[], ys: readonly (readonly (number | null)[])[], columns: number, logX = false): number[] {
  const n = xs.length;
  if (n <= 2 * columns + 2 || n < 3) return Array.from({ length: n }, (_, i) => i);
  const tx = (x: number) => (logX ? Math.log(Math.max(x, Number.MIN_VALUE)) : x);
  const x0 = tx(xs[0]!);
  const span = tx(xs[n - 1]!) - x0 || 1;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  let start = 0;
  while (start < n) {
    const col = Math.min(columns - 1, Math.floor(((tx(xs[start]!) - x0) / span) * columns));
    let end = start;
    while (end + 1 < n && Math.min(columns - 1, Math.floor(((tx(xs[end + 1]!) - x0) / span) * columns)) === col) end++;
    keep[start] = 1;
    keep[end] = 1;
    for (const s of ys) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i <= end; i++) {
        const v = s[i];
        if (v === null || v === undefined) {
          if (i > 0 && s[i - 1] !== null) keep[i] = 1;
          continue;
        }
        if (lo < 0 || v < s[lo]!) lo = i;
        if (hi < 0 || v > s[hi]!) hi = i;
      }
      if (lo >= 0) keep[lo] = 1;
      if (hi >= 0) keep[hi] = 1;
    }
    start = end + 1;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/** Decimates columnar data [xs, ...ys] to about 4 points per column per series at most. */
export function decimateMinMax(
  xs: readonly number[],
  ys: readonly (readonly (number | null)[])[],
  columns: number,
  logX = false,
): { xs: number[]; ys: (number | null)[][] } {
  const idx = decimationIndices(xs, ys, columns, logX);
  return { xs: idx.map((i) => xs[i]!), ys: ys.map((s) => idx.map((i) => s[i] ?? null)) };
}
