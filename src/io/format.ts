/**
 * The one number and table formatting of drainlab: times, counts, plain numbers, signed
 * differences and percentages, and the terminal table. Pure functions with no Node imports, so
 * the report's browser code bundles this same file (report/src/) and the charts format exactly as
 * the tables do.
 */

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** `digits` significant digits, trailing zeros dropped (0.5, 12.3, 261). */
export function sig(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const d = a >= 100 ? 0 : a >= 10 ? Math.max(0, digits - 2) : a >= 1 ? Math.max(0, digits - 1) : digits;
  return trimZeros(v.toFixed(Math.min(d, 6)));
}

/** A time given in ms, in its own unit: 261.6 ms, 4.2 µs, 1.53 s, 80 ns. '–' for no value. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  if (a === 0) return '0';
  if (a >= 1000) return `${sig(ms / 1000)} s`;
  if (a >= 1) return `${sig(ms)} ms`;
  if (a >= 0.001) return `${sig(ms * 1000)} µs`;
  return `${sig(ms * 1e6)} ns`;
}

/** An exact count with thin-space thousands separators (non-integers: 3 significant digits). */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (!Number.isInteger(n)) return sig(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** A plain number: 3 significant digits, exponent form for very large or small magnitudes. */
export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v === Infinity) return '+∞';
  if (v === -Infinity) return '−∞';
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return v.toExponential(2);
  return sig(v);
}

/** A signed value (a difference): explicit + for positive, a real minus sign for negative. */
export function signed(text: string, v: number | null): string {
  if (v === null || !Number.isFinite(v) || v === 0) return text.replace(/^-/, '−');
  return v > 0 ? `+${text}` : text.replace(/^-/, '−');
}

/** A percentage that is already in percent (12.5 -> '+12.5 %'). */
export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v === Infinity) return '+∞ %';
  if (v === -Infinity) return '−∞ %';
  return signed(`${fmtNum(v)} %`, v);
}

/** A value in a unit: 'ms' through fmtMs, 'fraction' as a percentage, exact counts with separators. */
export function fmtUnit(v: number | null | undefined, unit: string, exact = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'ms') return fmtMs(v);
  if (unit === 'fraction') return `${sig(v * 100)} %`;
  return exact && Number.isInteger(v) ? fmtCount(v) : fmtNum(v);
}

/** The same for a difference: signed. */
export function fmtDiff(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'fraction') return signed(`${sig(v * 100)} pp`, v);
  return signed(unit === 'ms' ? fmtMs(v) : fmtNum(v), v);
}

/**
 * The terminal table: a header, a rule, and rows; columns whose every cell is a number are
 * right-aligned, the others left-aligned. Every command's table goes through here.
 */
export function textTable(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+−]?[\d.,\u2009]+(\s?(%|x|ms|µs|ns|s))?$/.test(r[i] ?? '')));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? (c ?? '').padStart(w[i]!) : (c ?? '').padEnd(w[i]!))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** Items in words: "a", "a and b", "a, b and c". */
export function inWordsList(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}
