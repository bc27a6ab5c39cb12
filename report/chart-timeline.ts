// The timeline of one seal: one lane per CPU that took part, spans as bars, instants as dots.
// At hundreds of CPUs the sealing CPU and the busiest others keep a lane each and the rest are
// folded into one lane; a checkbox unfolds them into a scrolling view. Drag to zoom in time.
import type { TimelineEvent } from '../src/metrics/record.ts';
import type { TimelineChart } from '../src/report/types.ts';
import { alpha, csv, fmtMs, spaced, UPlotCtor, type Built, type UPlot } from './dl.ts';

const KIND_COLORS: Record<string, string> = {
  'seal-start': '#111111', 'seal-end': '#111111', tag: '#ff7f0e', tagged: '#ff7f0e',
  'inode-lock': '#d62728', 'inode-unlock': '#d62728', 'inode lock held': '#d62728', 'drain_all until flushed': '#9467bd', flushed: '#9467bd',
  'drain-all': '#9467bd', drain: '#8c564b', queue: '#7f7f7f', ipi: '#e377c2', kworker: '#1f77b4',
  'kworker-start': '#1f77b4', 'kworker-done': '#1f77b4', sleep: '#bbbbbb', recheck: '#2ca02c', wait: '#bcbd22',
};
const EXTRA = ['#17becf', '#393b79', '#637939', '#843c39', '#7b4173', '#3182bd'];
/** Lanes of their own before the rest are folded. */
const KEEP = 12;
const isBack = (k: string) => k === 'inode lock held' || k === 'drain_all until flushed';

function paths(durs: (number | null)[], back: number): UPlot.Series.PathBuilder {
  return (u, si, i0, i1) => {
    const p = new Path2D();
    const xs = u.data[0]!;
    const ys = u.data[si]!;
    const pr = u.ctx.canvas.width / Math.max(1, u.width);
    for (let i = i0; i <= i1; i++) {
      const lane = ys[i];
      if (lane === null || lane === undefined) continue;
      const h = back || 0.18;
      const yt = u.valToPos(lane - h, 'y', true);
      const yb = u.valToPos(lane + h, 'y', true);
      const x = u.valToPos(xs[i]!, 'x', true);
      const d = durs[i];
      if (d !== null && d !== undefined && d > 0) {
        const xr = u.valToPos(xs[i]! + d, 'x', true);
        p.rect(x, Math.min(yt, yb), Math.max(2 * pr, xr - x), Math.abs(yb - yt));
      } else {
        const r = Math.min(4.5 * pr, Math.abs(yb - yt) / 1.5 + pr);
        const yc = u.valToPos(lane, 'y', true);
        p.moveTo(x + r, yc);
        p.arc(x, yc, r, 0, 2 * Math.PI);
      }
    }
    return { stroke: p, fill: p };
  };
}

/** Lanes: CPUs ordered, the sealing CPU first; beyond KEEP the least busy are folded into one lane (unless unfolded). */
function lanesOf(events: TimelineEvent[], unfold: boolean): { labels: string[]; laneOf: (cpu: number) => number; folded: number } {
  const busy = new Map<number, number>();
  for (const e of events) busy.set(e.cpu, (busy.get(e.cpu) ?? 0) + 1 + (e.durMs ?? 0) * 1000);
  const sealer = events.find((e) => e.what === 'seal-start')?.cpu ?? events[0]?.cpu ?? 0;
  const cpus = [...busy.keys()].sort((a, b) => a - b);
  if (unfold || cpus.length <= KEEP + 1) {
    const idx = new Map(cpus.map((c, i) => [c, i]));
    return { labels: cpus.map((c) => `CPU ${c}`), laneOf: (c) => idx.get(c)!, folded: 0 };
  }
  const keep = new Set([sealer, ...[...busy.entries()].filter(([c]) => c !== sealer).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, KEEP - 1).map(([c]) => c)]);
  const kept = cpus.filter((c) => keep.has(c));
  const idx = new Map(kept.map((c, i) => [c, i]));
  const folded = cpus.length - kept.length;
  return { labels: [...kept.map((c) => `CPU ${c}`), `${folded} more CPUs`], laneOf: (c) => idx.get(c) ?? kept.length, folded };
}

function build(tl: TimelineChart['timelines'][number], el: HTMLElement, width: number, unfold: boolean): Built & { folded: number; lanes: number } {
  const events = tl.events.slice().sort((a, b) => a.atMs - b.atMs);
  const t0 = events.length ? events[0]!.atMs : 0;
  const lanes = lanesOf(events, unfold);
  const kinds: string[] = [];
  for (const e of events) if (!kinds.includes(e.what)) kinds.push(e.what);
  // Background spans (the lock held, drain_all's wait) first, so the steps draw on top of them.
  kinds.sort((a, b) => (isBack(a) ? -1 : 0) - (isBack(b) ? -1 : 0));
  // One x per event (equal times allowed), so two CPUs starting work at the same instant both show.
  const xs = events.map((e) => e.atMs - t0);
  const data: (number | null)[][] = [xs];
  const series: UPlot.Series[] = [{ label: 'time since fcntl', value: (_u, v) => (v === null ? '' : fmtMs(v)) }];
  const legendItems: { label: string; color: string }[] = [];
  kinds.forEach((k, ki) => {
    const ys: (number | null)[] = xs.map(() => null);
    const durs: (number | null)[] = xs.map(() => null);
    const det: (string | null)[] = xs.map(() => null);
    events.forEach((e, i) => {
      if (e.what !== k) return;
      ys[i] = lanes.laneOf(e.cpu);
      durs[i] = e.durMs ?? null;
      det[i] = `${e.durMs ? `${fmtMs(e.durMs)} ` : ''}on CPU ${e.cpu}${e.detail ? `: ${e.detail}` : ''}`;
    });
    const color = KIND_COLORS[k] ?? EXTRA[ki % EXTRA.length]!;
    data.push(ys);
    legendItems.push({ label: k, color });
    series.push({
      label: k, stroke: color, fill: isBack(k) ? alpha(color, 0.16) : alpha(color, 0.85), width: isBack(k) ? 1 : 0,
      paths: paths(durs, isBack(k) ? (k === 'drain_all until flushed' ? 0.3 : 0.42) : 0), points: { show: false },
      value: (_u, v, _si, i) => (v === null || i === null ? '' : det[i] ?? ''),
    });
  });
  let maxX = 0;
  let minDur = Infinity;
  for (const e of events) {
    maxX = Math.max(maxX, e.atMs - t0 + (e.durMs ?? 0));
    if ((e.durMs ?? 0) > 0) minDur = Math.min(minDur, e.durMs!);
    if (e.atMs > t0) minDur = Math.min(minDur, e.atMs - t0);
  }
  // Steps range from microseconds (tag walk, queue_work_on) to a 150 ms wait loop: an arcsinh
  // time axis is linear near the fcntl call and logarithmic beyond, so both are visible.
  const lin = Number.isFinite(minDur) ? Math.max(1e-4, minDur) : 0.01;
  const useAsinh = maxX / lin > 50;
  const asinhFilter = (_u: UPlot, s: number[]) => s.map((x) => {
    if (x === null || x < 0) return null;
    if (x === 0) return 0;
    const m = Math.round(Math.abs(x) / Math.pow(10, Math.floor(Math.log10(Math.abs(x)) + 1e-9)));
    return m === 1 || m === 2 || m === 5 ? x : null;
  });
  const n = lanes.labels.length;
  const laneH = n > 30 ? 16 : 40;
  const u = new (UPlotCtor())({
    width,
    height: Math.max(180, 80 + laneH * n),
    scales: {
      x: useAsinh ? { time: false, distr: 4, asinh: lin, range: [0, maxX * 1.05 || 1] } : { time: false, range: [-maxX * 0.01, maxX * 1.02 || 1] },
      y: { range: [-0.5, n - 0.5], dir: -1 },
    },
    axes: [
      { label: `time since the fcntl call${useAsinh ? ' (linear near 0, logarithmic beyond)' : ''}; drag to zoom, double-click to reset`, values: spaced((x) => fmtMs(x), 'x', 48), ...(useAsinh ? { filter: asinhFilter, grid: { stroke: '#eee', filter: asinhFilter }, ticks: { filter: asinhFilter } } : { grid: { stroke: '#eee' } }), stroke: '#333' },
      { label: 'CPU', size: 96, splits: () => lanes.labels.map((_, i) => i), values: (_u, s) => s.map((i) => lanes.labels[Math.round(i)] ?? ''), stroke: '#333', grid: { stroke: '#f2f2f2' } },
    ],
    series,
    legend: { live: true },
    cursor: { drag: { x: true, y: false }, points: { show: false } },
  }, data as UPlot.AlignedData, el);
  return {
    u,
    folded: lanes.folded,
    lanes: n,
    legend: () => legendItems,
    csv: () => csv([['strategy', 'time since fcntl (ms)', 'cpu', 'what', 'duration (ms)', 'detail'], ...events.map((e) => [tl.strategy, e.atMs - t0, e.cpu, e.what, e.durMs ?? null, e.detail ?? ''])]),
  };
}

export function timeline(chart: TimelineChart, el: HTMLElement, width: number): Built {
  const bar = document.createElement('div');
  bar.className = 'tl-pick';
  const pick = document.createElement('label');
  pick.appendChild(document.createTextNode('Strategy: '));
  const select = document.createElement('select');
  chart.timelines.forEach((tl, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.text = tl.strategy;
    select.appendChild(o);
  });
  pick.appendChild(select);
  const foldBox = document.createElement('label');
  const unfold = document.createElement('input');
  unfold.type = 'checkbox';
  foldBox.appendChild(unfold);
  const foldText = document.createTextNode('');
  foldBox.appendChild(foldText);
  bar.append(pick, foldBox);
  const holder = document.createElement('div');
  holder.className = 'tl-scroll';
  el.append(bar, holder);
  let current = build(chart.timelines[0]!, holder, width, false);
  const sync = () => {
    foldBox.style.display = current.folded > 0 || unfold.checked ? '' : 'none';
    foldText.textContent = unfold.checked ? ' every CPU in its own lane' : ` unfold the ${current.folded} least busy CPUs (folded into one lane)`;
  };
  const redo = () => {
    current.u.destroy();
    current = build(chart.timelines[Number(select.value)]!, holder, Math.max(300, el.clientWidth || width), unfold.checked);
    sync();
  };
  select.addEventListener('change', redo);
  unfold.addEventListener('change', redo);
  sync();
  return {
    get u() {
      return current.u;
    },
    legend: () => current.legend(),
    csv: () => current.csv(),
  };
}
