/**
 * The report in a real browser: Debian's Chromium driven by playwright-core, from file://. Run
 * `npm run test:browser-setup` first (scripts/ensure-chromium.mjs installs it when root); without
 * a Chromium this test skips and says why.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportData } from '../src/report/build.ts';
import { parseBench, parseCalibration } from '../src/report/extras.ts';
import { renderReport } from '../src/report/render.ts';
import { realCells } from './support/real-sweep.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const ARTIFACTS = resolve('test-artifacts');
// DRAINLAB_CHROMIUM points at another build (or at nothing, to see the skip).
const CHROMIUM = (process.env.DRAINLAB_CHROMIUM ? [process.env.DRAINLAB_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser']).find((p) => existsSync(p));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let browser: Browser | undefined;
let skipReason = CHROMIUM ? '' : `no Chromium at ${process.env.DRAINLAB_CHROMIUM ?? '/usr/bin/chromium'} (run: npm run test:browser-setup, or apt-get install chromium)`;
let htmlPath = '';
let htmlBytes = 0;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  // Real sweep output; one scenario renamed to something hostile (names are user input).
  const cells = realCells().map((c) => (c.record.scenario.name === 'debate-2017' ? { ...c, record: { ...c.record, scenario: { ...c.record.scenario, name: HOSTILE } } } : c));
  const data = buildReportData(cells, { sources: ['cells.jsonl'], resamples: 1000 });
  data.calibration = parseCalibration(JSON.parse(await readFile('test/fixtures/calibration-6.18-hz250.json', 'utf8')), 'calibration.json');
  data.bench = { sources: ['bench.json'], rows: parseBench({ suites: [{ name: 'scan', tasks: [
    { name: 'tag pass, 1M pages (SIMD)', latency: { p50: 0.27, mean: 0.28, p99: 0.4, rme: 0.6 }, throughput: { mean: 3600 }, samples: 5000 },
    { name: 'tag pass, 1M pages (scalar)', latency: { p50: 0.9, mean: 0.92, p99: 1.2, rme: 0.4 }, throughput: { mean: 1090 }, samples: 1600 },
  ] }] }, 'bench.json') };
  const html = renderReport(data);
  htmlBytes = Buffer.byteLength(html);
  htmlPath = join(ARTIFACTS, 'report.html');
  await writeFile(htmlPath, html);
  if (CHROMIUM) {
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    } catch (e) {
      skipReason = `Chromium at ${CHROMIUM} did not start: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  if (skipReason) console.warn(`report-browser: skipping the browser check: ${skipReason}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('report in Chromium', () => {
  it('renders every chart and table from file:// with no errors, no network and no script injection', async (ctx) => {
    if (!browser) return ctx.skip(skipReason);
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector('html[data-charts-ready="true"]', { timeout: 20_000 });

    // Every drawn chart has a canvas with ink on it.
    const charts = await page.$$eval('section.chart', (sections) =>
      sections.map((s) => {
        const kind = s.getAttribute('data-kind');
        const canvas = s.querySelector('.plot canvas') as HTMLCanvasElement | null;
        if (!canvas) return { id: s.getAttribute('data-chart-id'), kind, ink: -1, w: 0 };
        const ctx2 = canvas.getContext('2d')!;
        const img = ctx2.getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 0; i < img.length; i += 4) {
          if (img[i + 3]! > 0 && (img[i]! < 235 || img[i + 1]! < 235 || img[i + 2]! < 235)) ink++;
        }
        return { id: s.getAttribute('data-chart-id'), kind, ink, w: canvas.width };
      }),
    );
    expect(charts.map((c) => c.id)).toEqual(['latency-cdf', 'spurious-vs-pages', 'ebusy-vs-pin', 'spurious-vs-pin', 'p99-vs-cpus', 'cpus-vs-cpus', 'lockhold-vs-cpus', 'disturbance-by-class', 'seal-timeline']);
    for (const c of charts) {
      expect(c.kind, c.id!).not.toBe('missing');
      expect(c.ink, `${c.id} has ink`).toBeGreaterThan(2000);
    }

    // Tables hold the expected rows.
    const rows = await page.evaluate(() => ({
      firstTable: Array.from(document.querySelectorAll('section.scenario table.strategies')[0]!.querySelectorAll('tbody tr td.name')).map((td) => td.textContent!.replace(' (baseline)', '').trim()),
      scenarioTables: document.querySelectorAll('section.scenario table.strategies').length,
      findings: Array.from(document.querySelectorAll('article.finding h3')).map((h) => h.textContent),
      findingsTop: (document.querySelector('#findings') as HTMLElement).getBoundingClientRect().top,
      calibration: document.querySelectorAll('table.calibration tbody tr').length,
      bench: document.querySelectorAll('table.bench tbody tr').length,
      stars: document.querySelectorAll('td.best').length,
      legendCi: Array.from(document.querySelectorAll('.u-legend .u-series.dl-ci')).filter((e) => getComputedStyle(e).display !== 'none').length,
    }));
    expect(rows.firstTable).toEqual(['v4.14', 'no-drain', 'drain-unlocked', 'coalesced', 'local-first']);
    expect(rows.scenarioTables).toBe(5);
    expect(rows.findings[0]).toMatch(/^1Does dropping lru_add_drain_all\(\)/);
    expect(rows.findingsTop).toBeLessThan(400); // the findings open the first screen
    expect(rows.calibration).toBe(99);
    expect(rows.bench).toBe(2);
    expect(rows.stars).toBe(0);
    expect(rows.legendCi).toBe(0);

    // The hostile scenario name is text, nothing ran.
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });

    // PNG and CSV downloads.
    const cdf = page.locator('section[data-chart-id="latency-cdf"]');
    const [png] = await Promise.all([page.waitForEvent('download'), cdf.locator('button[data-action=png]').click()]);
    const pngBytes = await readFile((await png.path())!);
    expect(png.suggestedFilename()).toBe('latency-cdf.png');
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('section[data-chart-id="p99-vs-cpus"] button[data-action=csv]').click()]);
    const csvText = await readFile((await csv.path())!, 'utf8');
    expect(csvText.split('\n')[0]).toMatch(/^CPUs,v4\.14 seal latency p99 \(ms\),v4\.14 seal latency p99 \(ms\) CI lo/);
    expect(csvText.trim().split('\n')).toHaveLength(4); // header + cpus 2, 4, 8

    // The timeline switches strategy.
    await page.selectOption('section[data-chart-id="seal-timeline"] select', { label: 'no-drain' });
    expect(await page.locator('section[data-chart-id="seal-timeline"] .plot canvas').count()).toBe(1);

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !/^(file|data|blob):/.test(u))).toEqual([]);
    await context.close();
  });

  it('keeps the fixture report small', () => {
    expect(htmlBytes).toBeLessThan(2 * 1024 * 1024);
  });
});
