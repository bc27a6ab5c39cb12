// Shared browser-side helpers: uPlot (inlined as a global by the page), formatting (the same
// module the Node side uses: src/io/format.ts), CSV, alpha colours and log-axis tick filters.
import type UPlot from 'uplot';
import { fmtMs, fmtNum, fmtUnit } from '../src/io/format.ts';
import type { AxisSpec, ChartData } from '../src/report/types.ts';

declare const uPlot: typeof UPlot;
export const UPlotCtor = (): typeof UPlot => uPlot;
export type { UPlot };
export { fmtMs, fmtNum };

/** What a chart builder returns: its uPlot, its CSV and its legend (for the PNG). */
export interface Built {
  readonly u: UPlot;
  csv(): string;
  legend(): { label: string; color: string }[];
}
export type Builder<C extends ChartData> = (chart: C, el: HTMLElement, width: number) => Built;

export const fmtAxisValue = (v: number | null | undefined, unit: string): string => (v === null || v === undefined ? '' : fmtUnit(v, unit));

/** Axis titles: times and fractions carry their unit on every tick, so the title leaves it out. */
export function axisLabel(axis: AxisSpec): string {
  return axis.unit && axis.unit !== 'count' && axis.unit !== 'fraction' && axis.unit !== 'ms' && axis.unit !== axis.label ? `${axis.label} (${axis.unit})` : axis.label;
}

/** CSV headers hold raw numbers, so they always name the unit. */
export function csvLabel(axis: AxisSpec): string {
  return axis.unit && axis.unit !== 'count' && axis.unit !== axis.label ? `${axis.label} (${axis.unit})` : axis.label;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  // A spreadsheet would run a cell that starts with = + - @ as a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export const csv = (rows: unknown[][]): string => `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;

export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/**
 * Log axes: uPlot puts a tick at every 1..9 x 10^k; keep 1, 2, 5 x 10^k over a short range and
 * only the decades over a long one. `floor` (zeros drawn there) is kept and labelled 0.
 */
export function logFilter(floor?: number) {
  return (_u: UPlot, splits: number[]): (number | null)[] => {
    const v = splits.filter((x) => x !== null && x > 0);
    const decades = v.length ? Math.log10(v[v.length - 1]! / v[0]!) : 0;
    return splits.map((x) => {
      if (x === null || x <= 0) return null;
      if (floor !== undefined && Math.abs(x - floor) <= floor * 1e-9) return x;
      if (floor !== undefined && x < floor * 2) return null;
      const m = Math.round(x / Math.pow(10, Math.floor(Math.log10(x) + 1e-9)));
      if (m === 1) return x;
      return decades <= 2.5 && (m === 2 || m === 5) ? x : null;
    });
  };
}

/**
 * Tick labels that never overlap: a label closer than `minPx` to the last one shown is left
 * blank (the tick and grid line stay). `fmt` formats one value.
 */
export function spaced(fmt: (v: number) => string, scale: string, minPx = 44) {
  return (u: UPlot, splits: number[]): string[] => {
    const pr = u.ctx.canvas.width / Math.max(1, u.width);
    let last = -Infinity;
    return splits.map((v) => {
      if (v === null || v === undefined) return '';
      const pos = u.valToPos(v, scale, true) / pr;
      const text = fmt(v);
      const need = Math.max(minPx, text.length * 6.5);
      if (Math.abs(pos - last) < need) return '';
      last = pos;
      return text;
    });
  };
}
