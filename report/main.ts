// Entry point of the report's browser code (bundled by scripts/report-bundle.mjs into the one HTML
// file): reads the embedded chart data and mounts every chart into its section.
import type { ChartData } from '../src/report/types.ts';
import { bars } from './chart-bars.ts';
import { lines } from './chart-lines.ts';
import { timeline } from './chart-timeline.ts';
import { mount } from './frame.ts';

const builders = { lines, bars, timeline };
const node = document.getElementById('report-data');
const data = JSON.parse(node?.textContent || '{}') as { charts?: ChartData[] };
const byId = new Map((data.charts ?? []).map((c) => [c.id, c]));
for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.chart[data-chart-id]'))) {
  const chart = byId.get(section.getAttribute('data-chart-id') ?? '');
  if (!chart || chart.kind === 'missing') continue;
  try {
    mount(section, chart, builders);
  } catch (e) {
    const msg = document.createElement('p');
    msg.className = 'chart-error';
    msg.textContent = `This chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
    section.appendChild(msg);
    console.error(e);
  }
}
document.documentElement.setAttribute('data-charts-ready', 'true');
