// The bench machinery (bench/) on tiny sizes and budgets: every suite runs, the record has the
// shape the markdown printer, the baselines and the HTML report read, and the implementations
// agree on the pages they count. Timings are never asserted on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCommand, runBench, SUITES } from '../bench/command.ts';
import { compare, loadBaseline, saveBaseline, verdictOf } from '../bench/baseline.ts';
import { reportMarkdown } from '../bench/markdown.ts';
import { latencyOf } from '../bench/harness.ts';
import { population, xorshift32 } from '../bench/data.ts';
import { parseBench } from '../src/report/extras.ts';
import type { BenchReport, LatencyStats } from '../bench/types.ts';

let report: BenchReport;
const lines: string[] = [];

beforeAll(async () => {
  report = await runBench([...SUITES], { mode: 'tiny', log: (l) => lines.push(l) });
}, 120_000);

const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);

describe('bench (tiny sizes)', () => {
  it('runs every suite and records where it ran', () => {
    expect(report.schema).toBe('drainlab/bench@1');
    expect(report.suites.map((s) => s.name)).toEqual(SUITES.map((s) => s.name));
    const p = report.provenance;
    expect(p.wasmSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.node).toBe(process.version);
    expect(p.v8).toBe(process.versions.v8);
    expect(typeof p.gitCommit).toBe('string');
    expect(p.host.cpus).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(p.startedAt))).toBe(false);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('gives every task a latency, a rate and its work per iteration', () => {
    for (const s of report.suites) {
      const names = s.tasks.map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
      for (const t of s.tasks) {
        expect(t.name).toBe(`${t.group}: ${t.variant}`);
        expect(t.per).toBeGreaterThan(0);
        expect(t.unit).not.toBe('');
        for (const k of ['mean', 'p50', 'p99', 'min', 'max', 'sd', 'moe', 'rme'] as const) expect(finite(t.latency[k]), `${t.name} ${k}`).toBe(true);
        expect(t.samples).toBe(t.latency.samplesCount);
        expect(t.samples).toBeGreaterThanOrEqual(1);
        expect(t.rate).toBeGreaterThan(0);
      }
      for (const r of s.ratios) {
        expect(r.value).toBeGreaterThan(0);
        if (r.target) expect(typeof r.met).toBe('boolean');
        expect(r.cpu).toBe(report.provenance.host.cpu); // every ratio names its CPU
      }
    }
  });

  it('has the scan variants side by side, and every implementation counts the same pages', () => {
    const scan = report.suites.find((s) => s.name === 'scan')!;
    const variants = new Set(scan.tasks.map((t) => t.variant));
    for (const v of ['WASM SIMD', 'WASM scalar', 'TS reference']) expect(variants.has(v)).toBe(true);
    // With a C compiler the native rows are there; without one, a message says why not.
    if (scan.skipped.length === 0) for (const v of ['C -O2 plain', 'C -O3 plain', 'C -O3 SSE2']) expect(variants.has(v)).toBe(true);
    else expect(scan.skipped[0]).toMatch(/cc/);
    expect(scan.ratios.some((r) => r.label.includes('WASM SIMD vs TS reference'))).toBe(true);
    const failed = report.suites.flatMap((s) => s.checks.filter((c) => !c.ok));
    expect(failed).toEqual([]);
    expect(scan.checks.length).toBeGreaterThanOrEqual(6);
  });

  it('measures next-tagged against a full pass, with the 1 % bar', () => {
    const s = report.suites.find((x) => x.name === 'next-tagged')!;
    expect(s.tasks.map((t) => t.variant)).toEqual(['full tag pass (WASM SIMD)', 'tagNext walk', 're-check (WASM)']);
    expect(s.ratios.every((r) => r.kind === 'share' && r.target?.op === '<=' && r.target.value === 0.01)).toBe(true);
  });

  it('runs the simulator suites, or says why not', () => {
    for (const name of ['seal', 'sim']) {
      const s = report.suites.find((x) => x.name === name)!;
      expect(s.tasks.length + s.skipped.length).toBeGreaterThan(0);
    }
  });

  it('prints markdown tables and is readable by the HTML report', () => {
    const md = reportMarkdown(report);
    for (const s of SUITES) expect(md).toContain(`## ${s.name}:`);
    expect(md).toMatch(/\| tag pass 4133 \| .* pages\/s \|/);
    const rows = parseBench(JSON.parse(JSON.stringify(report)), 'bench.json');
    expect(rows.length).toBe(report.suites.reduce((n, s) => n + s.tasks.length, 0));
    expect(rows.every((r) => r.latencyP50 !== null && r.throughput !== null)).toBe(true);
  });
});

describe('bench baselines', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drainlab-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves atomically under .drainlab/baselines and compares a run with itself as no change', () => {
    const path = saveBaseline('ci', report, dir);
    expect(path).toBe(join(dir, '.drainlab', 'baselines', 'bench-ci.json'));
    expect(JSON.parse(readFileSync(path, 'utf8')).schema).toBe('drainlab/bench@1');
    for (const arg of ['ci', path]) {
      const { report: base } = loadBaseline(arg, dir);
      const c = compare(report, base, arg);
      expect(c.changes.length).toBe(report.suites.reduce((n, s) => n + s.tasks.length, 0));
      expect(c.changes.every((x) => x.verdict === 'no change' && x.change === 0)).toBe(true);
      expect(c.onlyNow).toEqual([]);
      expect(c.onlyBaseline).toEqual([]);
    }
  });

  it('calls a change outside both confidence intervals, and not one inside them', () => {
    const lat = (mean: number, moe: number): LatencyStats => ({ mean, p50: mean, p99: mean, min: mean, max: mean, sd: 0, moe, rme: (moe / mean) * 100, samplesCount: 100 });
    expect(verdictOf(lat(10, 0.1), lat(8, 0.1)).verdict).toBe('faster');
    expect(verdictOf(lat(10, 0.1), lat(12, 0.1)).verdict).toBe('slower');
    expect(verdictOf(lat(10, 1.5), lat(12, 1.5)).verdict).toBe('no change'); // inside the CIs
    expect(verdictOf(lat(10, 0.01), lat(10.3, 0.01)).verdict).toBe('no change'); // under the noise floor
  });

  it('refuses unknown suites and missing baselines with exit code 2, before running anything', async () => {
    expect(await benchCommand({ quick: true, suites: ['nope'] })).toBe(2);
    expect(await benchCommand({ quick: true, baseline: join(dir, 'missing.json') })).toBe(2);
    expect(await benchCommand({ quick: true, saveBaseline: '../escape' })).toBe(2);
  });
});

describe('bench data', () => {
  it('xorshift32 is the C stream (scan.c): first draws of the default seed', () => {
    // Reference values from bench/native/scan.c's xorshift32 with seed 1 (Marsaglia's shifts).
    const next = xorshift32(1);
    expect([next(), next(), next()]).toEqual([270369, 67634689, 2647435461]);
  });

  it('pins about 1 % of the pages and leaves a few holes', () => {
    const pop = population(1 << 16);
    expect(pop.pinned / pop.pages).toBeGreaterThan(0.007);
    expect(pop.pinned / pop.pages).toBeLessThan(0.013);
    expect(pop.present.filter((x) => x === 0).length).toBeGreaterThan(0);
  });

  it('latencyOf matches the definitions', () => {
    const l = latencyOf([1, 2, 3, 4, 5]);
    expect(l.mean).toBe(3);
    expect(l.p50).toBe(3);
    expect(l.sd).toBeCloseTo(Math.sqrt(2.5));
    expect(l.moe).toBeCloseTo((Math.sqrt(2.5) / Math.sqrt(5)) * 2.776, 6);
  });
});
