// Grouped bars: one group per category (CPU class), one bar per strategy. On a log axis, bars
// rise from a floor line labelled 0, and a zero is a thin mark on it, so nothing is invisible.
import type { BarsChart } from '../src/report/types.ts';
import { alpha, axisLabel, csv, csvLabel, fmtAxisValue, logFilter, UPlotCtor, type Built, type UPlot } from './dl.ts';

export function bars(chart: BarsChart, el: HTMLElement, width: number): Built {
  const G = chart.groups.length;
  const S = chart.series.length;
  const xs = chart.groups.map((_, i) => i);
  const log = chart.y.log;
  let minPos = Infinity;
  let maxV = 0;
  for (const s of chart.series) for (const v of s.values) if (v !== null) {
    if (v > 0 && v < minPos) minPos = v;
    if (v > maxV) maxV = v;
  }
  const floor = log ? (Number.isFinite(minPos) ? minPos / 3 : 0.1) : 0;
  const slot = 0.8 / Math.max(1, S);
  const barPaths = (offset: number, wid: number): UPlot.Series.PathBuilder => (u, si, i0, i1) => {
    const p = new Path2D();
    const ys = u.data[si]!;
    const y0 = u.valToPos(floor, 'y', true);
    const pr = u.ctx.canvas.width / Math.max(1, u.width);
    for (let i = i0; i <= i1; i++) {
      const v = ys[i];
      if (v === null || v === undefined) continue;
      const xl = u.valToPos(xs[i]! + offset - wid / 2, 'x', true);
      const xr = u.valToPos(xs[i]! + offset + wid / 2, 'x', true);
      const yv = v > floor ? u.valToPos(v, 'y', true) : y0 - 2 * pr;
      p.rect(xl, Math.min(yv, y0), Math.max(1, xr - xl), Math.max(2 * pr, Math.abs(y0 - yv)));
    }
    return { stroke: p, fill: p };
  };
  const fmtY = (_u: UPlot, v: number | null) => fmtAxisValue(v, chart.y.unit);
  const series: UPlot.Series[] = [{ label: chart.x.label, value: (_u, v) => (v === null ? '' : chart.groups[Math.round(v)] ?? '') }];
  const data: (number | null)[][] = [xs];
  chart.series.forEach((s, k) => {
    data.push(s.values);
    series.push({ label: s.label, stroke: s.color, fill: alpha(s.color, 0.85), width: 1, value: fmtY, paths: barPaths(-0.4 + slot * (k + 0.5), slot * 0.88), points: { show: false } });
  });
  const f = logFilter(floor);
  const u = new (UPlotCtor())({
    width,
    height: 340,
    scales: {
      x: { time: false, range: [-0.5, G - 0.5] },
      y: log ? { distr: 3, log: 10, range: () => [floor / 1.5, Math.max(maxV, floor * 10) * 2] } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      { label: chart.x.label, splits: () => xs, values: (_u, splits) => splits.map((i) => { const g = chart.groups[i] ?? ''; const n = chart.groupNotes?.[i]; return n ? `${g}\n${n.replace(/^per seal on /, '')}` : g; }), stroke: '#333', grid: { show: false }, size: 56 },
      { label: axisLabel(chart.y), size: 70, values: (_u, vals) => vals.map((v) => (v === null ? '' : log && Math.abs(v - floor) < floor * 1e-9 ? '0' : fmtAxisValue(v, chart.y.unit))), stroke: '#333', grid: { stroke: '#eee', ...(log ? { filter: f } : {}) }, ...(log ? { filter: f, ticks: { filter: f }, splits: (uu: UPlot, _ai: number, min: number, max: number) => { void uu; const out = [floor]; for (let d = Math.pow(10, Math.ceil(Math.log10(min))); d <= max; d *= 10) for (const m of [1, 2, 5]) if (d * m <= max && d * m >= floor * 2) out.push(d * m); return out; } } : {}) },
    ],
    series,
    legend: { live: true },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    hooks: log ? { draw: [(uu: UPlot) => {
      const ctx = uu.ctx;
      const pr = ctx.canvas.width / Math.max(1, uu.width);
      const y = uu.valToPos(floor, 'y', true);
      ctx.save();
      ctx.strokeStyle = '#888';
      ctx.setLineDash([2 * pr, 3 * pr]);
      ctx.beginPath();
      ctx.moveTo(uu.bbox.left, y);
      ctx.lineTo(uu.bbox.left + uu.bbox.width, y);
      ctx.stroke();
      ctx.restore();
    }] } : {},
  }, data as UPlot.AlignedData, el);
  return {
    u,
    legend: () => chart.series.map((s) => ({ label: s.label, color: s.color })),
    csv: () => {
      const rows: unknown[][] = [[chart.x.label, ...chart.series.map((s) => `${s.label} ${csvLabel(chart.y)}`)]];
      chart.groups.forEach((g, i) => rows.push([g, ...chart.series.map((s) => s.values[i])]));
      return csv(rows);
    },
  };
}
