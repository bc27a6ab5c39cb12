// Line charts: the latency CDF and the "metric vs sweep parameter" charts, with CI bands, markers
// (PAGEVEC_SIZE), zeros on log axes drawn on a labelled floor line, and a selector over the
// slices of a multi-parameter sweep.
import type { LineSeries, LinesChart } from '../src/report/types.ts';
import { alpha, axisLabel, csv, csvLabel, fmtAxisValue, logFilter, spaced, UPlotCtor, type Built, type UPlot } from './dl.ts';

interface View {
  xs: number[];
  series: LineSeries[];
  zeroFloor?: number;
}

function drawOverlays(chart: LinesChart, view: View) {
  return (u: UPlot) => {
    const ctx = u.ctx;
    const pr = ctx.canvas.width / Math.max(1, u.width);
    ctx.save();
    ctx.font = `${11 * pr}px system-ui, sans-serif`;
    for (const m of chart.markers ?? []) {
      const x = u.valToPos(m.x, 'x', true);
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.strokeStyle = '#555';
      ctx.setLineDash([5 * pr, 4 * pr]);
      ctx.lineWidth = pr;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#333';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(m.label, x + 4 * pr, u.bbox.top + 4 * pr);
    }
    if (view.zeroFloor !== undefined) {
      const y = u.valToPos(view.zeroFloor, 'y', true);
      ctx.strokeStyle = '#999';
      ctx.setLineDash([2 * pr, 3 * pr]);
      ctx.lineWidth = pr;
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#555';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText('0', u.bbox.left - 6 * pr, y);
    }
    ctx.restore();
  };
}

function plot(chart: LinesChart, view: View, el: HTMLElement, width: number): Built {
  const data: (number | null)[][] = [view.xs];
  const fmtY = (_u: UPlot, v: number | null) => (view.zeroFloor !== undefined && v === view.zeroFloor ? '0' : fmtAxisValue(v, chart.y.unit));
  const series: UPlot.Series[] = [{ label: axisLabel(chart.x), value: (_u, v) => fmtAxisValue(v, chart.x.unit) }];
  const bands: UPlot.Band[] = [];
  for (const s of view.series) {
    data.push(s.values);
    series.push({ label: s.label, stroke: s.color, width: 2, value: fmtY, spanGaps: true, ...(s.dash ? { dash: [8, 5] } : {}), points: { show: !!chart.points, size: 6, fill: s.color } });
    if (s.lo && s.hi) {
      data.push(s.hi, s.lo);
      const hiIdx = series.length;
      series.push({ label: `${s.label} CI hi`, class: 'dl-ci', stroke: alpha(s.color, 0.3), width: 1, dash: [4, 3], value: fmtY, spanGaps: true, points: { show: false } });
      series.push({ label: `${s.label} CI lo`, class: 'dl-ci', stroke: alpha(s.color, 0.3), width: 1, dash: [4, 3], value: fmtY, spanGaps: true, points: { show: false } });
      bands.push({ series: [hiIdx, hiIdx + 1], fill: alpha(s.color, 0.1) });
    }
  }
  function axis(label: string, log: boolean, unit: string, splits: (() => number[]) | undefined, size: number | undefined, scale: string): UPlot.Axis {
    const fmt = (v: number) => (view.zeroFloor !== undefined && scale === 'y' && Math.abs(v - view.zeroFloor) < view.zeroFloor * 1e-9 ? '0' : fmtAxisValue(v, unit));
    const a: UPlot.Axis = { label, values: scale === 'x' ? spaced(fmt, 'x') : spaced(fmt, 'y', 16), stroke: '#333', grid: { stroke: '#ececec' }, ticks: {} };
    if (size) a.size = size;
    if (splits) {
      a.splits = splits;
      a.filter = (_u, s) => s;
    } else if (log) {
      const f = logFilter(view.zeroFloor);
      a.filter = f;
      a.grid!.filter = f;
      a.ticks!.filter = f;
    }
    return a;
  }
  const xSplits = chart.points ? () => view.xs : undefined;
  const yScale: UPlot.Scale = chart.y.log
    ? { distr: 3, log: 10 }
    : chart.y.unit === 'fraction'
      ? { range: (_u, _min, max) => [0, Math.min(1.02, max > 0 ? max * 1.15 : 0.05)] }
      : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] };
  const u = new (UPlotCtor())({
    width,
    height: 340,
    scales: {
      x: chart.x.log ? { time: false, distr: 3, log: 10, range: (_u, min, max) => [min / 1.25, max * 1.25] } : { time: false, ...(chart.points ? { range: (_u: UPlot, min: number, max: number) => { const pad = (max - min) * 0.04 || 1; return [min - pad, max + pad]; } } : {}) },
      y: yScale,
    },
    axes: [axis(axisLabel(chart.x), chart.x.log, chart.x.unit, xSplits, undefined, 'x'), axis(axisLabel(chart.y), chart.y.log, chart.y.unit, undefined, 70, 'y')],
    series,
    bands,
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    hooks: { draw: [drawOverlays(chart, view)] },
  }, data as UPlot.AlignedData, el);
  return {
    u,
    legend: () => view.series.map((s) => ({ label: s.label, color: s.color })),
    csv: () => {
      const head: unknown[] = [csvLabel(chart.x)];
      for (const s of view.series) {
        const y = ` ${csvLabel(chart.y)}`;
        head.push(s.label + y);
        if (s.lo && s.hi) head.push(`${s.label}${y} CI lo`, `${s.label}${y} CI hi`);
      }
      // The CSV holds what was measured: a zero drawn on the floor line is written as 0.
      const raw = (v: number | null | undefined) => (v !== null && v !== undefined && view.zeroFloor !== undefined && v === view.zeroFloor ? 0 : v);
      const rows: unknown[][] = [head];
      view.xs.forEach((x, i) => {
        const r: unknown[] = [x];
        for (const s of view.series) {
          r.push(raw(s.values[i]));
          if (s.lo && s.hi) r.push(raw(s.lo[i]), raw(s.hi[i]));
        }
        rows.push(r);
      });
      return csv(rows);
    },
  };
}

export function lines(chart: LinesChart, el: HTMLElement, width: number): Built {
  const views: (View & { label: string })[] = [
    { label: chart.sliceLabel ?? '', xs: chart.xs, series: chart.series, ...(chart.zeroFloor !== undefined ? { zeroFloor: chart.zeroFloor } : {}) },
    ...(chart.slices ?? []),
  ];
  const holder = document.createElement('div');
  if (views.length > 1) {
    const pick = document.createElement('label');
    pick.className = 'slice-pick';
    pick.appendChild(document.createTextNode(`Slice (${views.length}): `));
    const select = document.createElement('select');
    views.forEach((v, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.text = v.label;
      select.appendChild(o);
    });
    pick.appendChild(select);
    el.appendChild(pick);
    select.addEventListener('change', () => {
      current.u.destroy();
      current = plot(chart, views[Number(select.value)]!, holder, Math.max(300, el.clientWidth || width));
    });
  }
  el.appendChild(holder);
  let current = plot(chart, views[0]!, holder, width);
  return {
    get u() {
      return current.u;
    },
    legend: () => current.legend(),
    csv: () => current.csv(),
  };
}
