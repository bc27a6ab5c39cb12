import { describe, expect, it } from 'vitest';
import { buildReportData } from '../src/report/build.ts';
import { esc, jsonForScript } from '../src/report/html.ts';
import { renderReport } from '../src/report/render.ts';
import { realCells } from './support/real-sweep.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

describe('report HTML', () => {
  // Real simulator output, with a hostile scenario name in every record (as a user's file could carry).
  const cells = realCells().map((c) => ({ ...c, record: { ...c.record, scenario: { ...c.record.scenario, name: HOSTILE } } }));
  const data = buildReportData(cells, { builtAt: '2025-01-01T00:00:00Z', resamples: 300 });
  const html = renderReport(data);

  it('escapes user strings everywhere, in markup and in embedded JSON', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain(esc(HOSTILE));
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('<');
    expect(JSON.parse(json).charts.find((c: { id: string }) => c.id === 'seal-timeline').source).toContain(HOSTILE);
    expect(jsonForScript({ a: '</script><!--' })).toBe('{"a":"\\u003c/script>\\u003c!--"}');
  });

  it('is self-contained: uPlot inlined, no external resources', () => {
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toMatch(/Content-Security-Policy/);
    expect(html.match(/<\/script>/g)!.length).toBe(3);
  });

  it('puts the strategy table first and lists every chart with its question', () => {
    const iTable = html.indexOf('table class="strategies"');
    const iCharts = html.indexOf('id="charts"');
    expect(iTable).toBeGreaterThan(0);
    expect(iTable).toBeLessThan(iCharts);
    for (const c of data.charts) {
      expect(html).toContain(`data-chart-id="${c.id}"`);
      expect(html).toContain(esc(c.question));
    }
  });

  it('stays small', () => {
    expect(Buffer.byteLength(html)).toBeLessThan(400 * 1024);
  });
});
