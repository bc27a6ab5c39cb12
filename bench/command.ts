/**
 * `drainlab bench`: runs the tinybench suites, prints a markdown report on stdout (progress on
 * stderr), and optionally writes the JSON record, saves it as a baseline, or compares with one.
 * Exit codes (docs/cli.md): 0; 1 when a check failed (implementations disagree on the
 * pages they count); 2 for bad options (UsageError, nothing run or written).
 */
import { resolve } from 'node:path';
import { UsageError } from '../src/errors.ts';
import { baselinePath, compare, loadBaseline, saveBaseline, type Comparison } from './baseline.ts';
import { writeAtomic } from '../src/io/files.ts';
import { reportMarkdown } from './markdown.ts';
import { benchProvenance, cpuLabel } from './provenance.ts';
import { HostLoadMeter } from '../src/io/host-load.ts';
import { scanSuite } from './suites/scan.ts';
import { nextTaggedSuite } from './suites/next-tagged.ts';
import { pagevecSuite } from './suites/pagevec.ts';
import { drainSuite } from './suites/drain.ts';
import { sealSuite, simSuite } from './suites/sim.ts';
import { scalingSuite } from './suites/scaling.ts';
import { workersSuite } from './suites/workers.ts';
import type { BenchReport, Sizes, Suite, SuiteContext } from './types.ts';

export interface BenchOptions {
  /** CI smoke mode: small sizes, short budgets (well under 20 s). */
  quick?: boolean;
  /** Write the JSON record here ("-": to stdout, instead of the markdown). */
  json?: string;
  /** Save the record as .drainlab/baselines/bench-NAME.json. */
  saveBaseline?: string;
  /** Compare with a saved baseline: a NAME or a FILE. */
  baseline?: string;
  /** Run only these suites (default: all). */
  suites?: string[];
  /** Rounds of the suites that time whole commands (the workers suite); default per mode. */
  repeats?: number;
}

export const SUITES: readonly Suite[] = [scanSuite, nextTaggedSuite, pagevecSuite, drainSuite, sealSuite, simSuite, scalingSuite, workersSuite];

export interface Mode extends Pick<SuiteContext, 'time' | 'warmupTime' | 'iterations' | 'rounds'> {
  sizes: Sizes;
}

const K = 1024;
const M = 1024 * 1024;

/**
 * Per-task budgets (ms), minimum samples and sizes of each mode. `quick` is the CI smoke run
 * (well under 20 s); `tiny` is for the unit tests only (odd page counts reach the tail paths).
 */
export const MODES: Record<'full' | 'quick' | 'tiny', Mode> = {
  full: {
    time: 1500, warmupTime: 300, iterations: 10, rounds: 5,
    sizes: { scanPages: [64 * K, M, 16 * M], nextTaggedPages: 16 * M, addArenaPages: 4 * M, drainSamplesPerArena: 64, drainCpus: [1, 4, 16, 64, 256, 1024, 4096], sealPages: M, simPreset: 'large' },
  },
  quick: {
    time: 60, warmupTime: 10, iterations: 3, rounds: 1,
    sizes: { scanPages: [64 * K, 256 * K], nextTaggedPages: M, addArenaPages: 256 * K, drainSamplesPerArena: 16, drainCpus: [1, 64, 4096], sealPages: 64 * K, simPreset: 'smoke' },
  },
  tiny: {
    time: 2, warmupTime: 1, iterations: 2, rounds: 2,
    sizes: { scanPages: [4096 + 37], nextTaggedPages: 64 * K, addArenaPages: 16 * K, drainSamplesPerArena: 2, drainCpus: [1, 8], sealPages: 4 * K, simPreset: 'smoke' },
  },
};

export function selectSuites(names: readonly string[] | undefined): Suite[] {
  if (!names || names.length === 0) return [...SUITES];
  const all = SUITES.map((s) => s.name);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new UsageError(`--suite: unknown suite(s) ${unknown.map((n) => JSON.stringify(n)).join(', ')}; allowed: ${all.join(', ')}`);
  return SUITES.filter((s) => names.includes(s.name));
}

/** Runs the suites and returns the record (no printing, no files): the machinery the tests use. */
export async function runBench(suites: Suite[], opts: { mode: keyof typeof MODES; log?: (line: string) => void; repeats?: number }): Promise<BenchReport> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ctx: SuiteContext = { quick: opts.mode !== 'full', ...MODES[opts.mode], ...(opts.repeats !== undefined ? { repeats: opts.repeats } : {}), log };
  const started = new Date();
  const t0 = performance.now();
  const meter = new HostLoadMeter();
  meter.start();
  const results = [];
  for (const s of suites) {
    log(`${s.name}: ${s.title}`);
    results.push(await s.run(ctx));
    meter.sample();
  }
  const hostLoad = meter.stop();
  // A ratio read without its CPU misleads: the SIMD tag pass is ~0.9x SSE2 C on one CPU and was
  // 0.65x on another with the same code.
  const cpu = cpuLabel();
  for (const r of results) for (const ratio of r.ratios) ratio.cpu = cpu;
  return {
    schema: 'drainlab/bench@1',
    provenance: benchProvenance(started, performance.now() - t0),
    hostLoad,
    options: { mode: opts.mode, quick: opts.mode !== 'full', suites: suites.map((s) => s.name) },
    suites: results,
  };
}

export async function benchCommand(opts: BenchOptions): Promise<number> {
  try {
    // Every option is checked before anything runs (exit 2, nothing written).
    const suites = selectSuites(opts.suites);
    const base = opts.baseline ? loadBaseline(opts.baseline) : undefined;
    if (opts.saveBaseline) baselinePath(opts.saveBaseline);
    const report = await runBench(suites, { mode: opts.quick ? 'quick' : 'full', ...(opts.repeats !== undefined ? { repeats: opts.repeats } : {}) });
    const comparison: Comparison | undefined = base ? compare(report, base.report, opts.baseline!) : undefined;
    const json = `${JSON.stringify(report, null, 1)}\n`;
    if (opts.json === '-') process.stdout.write(json);
    else {
      process.stdout.write(reportMarkdown(report, comparison));
      if (opts.json) {
        writeAtomic(resolve(opts.json), json, '--json');
        process.stderr.write(`bench: wrote ${opts.json}\n`);
      }
    }
    if (opts.saveBaseline) process.stderr.write(`bench: saved baseline ${saveBaseline(opts.saveBaseline, report)}\n`);
    if (report.hostLoad?.noisy) process.stderr.write(`bench: warning: noisy run: ${report.hostLoad.why.join('; ')}\n`);
    const undecided = report.suites.flatMap((s) => s.ratios.filter((r) => r.verdict === 'undecided'));
    if (undecided.length) process.stderr.write(`bench: ${undecided.length} speed bar(s) undecided: the ratio's CI straddles the bar (${undecided.map((r) => r.label).join('; ')})\n`);
    const failed = report.suites.flatMap((s) => s.checks.filter((c) => !c.ok));
    for (const c of failed) process.stderr.write(`bench: check failed: ${c.suite}: ${c.what}: ${c.detail}\n`);
    return failed.length ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`drainlab bench: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
