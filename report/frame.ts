// The frame every chart lives in: size, resize, and the PNG / CSV download buttons.
import type { ChartData } from '../src/report/types.ts';
import type { Built, UPlot } from './dl.ts';

function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** The uPlot canvas holds only the plot and axes; the PNG adds the title and a legend. */
export function toPng(u: UPlot, title: string, legend: { label: string; color: string }[]): string {
  const src = u.ctx.canvas;
  const pr = src.width / Math.max(1, u.width);
  const pad = 12 * pr;
  const titleH = 30 * pr;
  const rowH = 20 * pr;
  const font = `${13 * pr}px system-ui, sans-serif`;
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.font = font;
  const rows: { item: { label: string; color: string }; x: number }[][] = [[]];
  let x = pad;
  for (const item of legend) {
    const w = 22 * pr + probe.measureText(item.label).width + 14 * pr;
    if (x + w > src.width - pad && rows[rows.length - 1]!.length) {
      rows.push([]);
      x = pad;
    }
    rows[rows.length - 1]!.push({ item, x });
    x += w;
  }
  const legendH = legend.length ? rows.length * rowH + pad : 0;
  const c = document.createElement('canvas');
  c.width = src.width;
  c.height = titleH + src.height + legendH;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.fillStyle = '#111111';
  ctx.font = `bold ${15 * pr}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, pad, titleH / 2);
  ctx.drawImage(src, 0, titleH);
  ctx.font = font;
  rows.forEach((row, i) => {
    const y = titleH + src.height + pad / 2 + i * rowH + rowH / 2;
    for (const cell of row) {
      ctx.fillStyle = cell.item.color;
      ctx.fillRect(cell.x, y - 5 * pr, 16 * pr, 10 * pr);
      ctx.fillStyle = '#111111';
      ctx.fillText(cell.item.label, cell.x + 22 * pr, y);
    }
  });
  return c.toDataURL('image/png');
}

type AnyBuilder = (chart: never, el: HTMLElement, width: number) => Built;

export function mount(section: HTMLElement, chart: ChartData, builders: Record<string, AnyBuilder>): Built | null {
  const plot = section.querySelector<HTMLElement>('.plot');
  const build = builders[chart.kind] as ((c: ChartData, el: HTMLElement, w: number) => Built) | undefined;
  if (!plot || !build) return null;
  const width = () => Math.max(300, Math.floor(plot.clientWidth || 800));
  const made = build(chart, plot, width());
  section.querySelector('[data-action=png]')!.addEventListener('click', () => download(`${chart.id}.png`, toPng(made.u, chart.title, made.legend())));
  section.querySelector('[data-action=csv]')!.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([made.csv()], { type: 'text/csv' }));
    download(`${chart.id}.csv`, url);
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  let last = width();
  window.addEventListener('resize', () => {
    const w = width();
    if (w !== last) {
      last = w;
      made.u.setSize({ width: w, height: made.u.height });
    }
  });
  return made;
}
