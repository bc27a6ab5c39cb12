/**
 * How the `--workers auto` probe (src/pool/auto-workers.ts) sees each bench target, slice by slice,
 * in a cold process: what the estimators are fitted on (docs/scaling.md section 8).
 *
 *   node --import tsx bench/probe-trace.ts [--reps N] [--target LABEL ...] [--json FILE]
 *
 * For each target and repeat, a fresh node process (cold isolate, as a CLI run) creates the
 * arena, starts the first strategy exactly as `run` (range passes timed) or `sweep` (the first
 * cell, plain arena) does, and advances it in PROBE_SLICES slices to the horizon, recording after
 * each slice the process's CPU ms (process.cpuUsage: all threads), the main thread's CPU ms
 * (/proc/thread-self/schedstat, Linux), and the CPU ms inside range passes. Then it times the whole
 * scenario (all its strategies) again in that process, warm: the work a worker would take over.
 * Prints, per target, the estimate the current probe gives (estimateFromTrace over the trace), the
 * cold and warm totals, and the worker count auto would choose.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PRESETS, presetScenario } from '../src/scenario/presets.ts';
import { resolveScenario, type Scenario } from '../src/scenario/resolve.ts';
import { Sweep } from '../src/sweep/grid.ts';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { simulate, startSimulation } from '../src/sim/run.ts';
import { cpuMs, estimateFromTrace, threadClock, PROBE_BUDGET_MS, PROBE_SLICES, SWEEP_PROBE_BUDGET_MS } from '../src/pool/auto-workers.ts';
import { RANGE_SPLIT_MIN_PAGES, timePasses } from '../src/pool/run-scenario.ts';
import { SHARD_MIN_PAGES } from '../src/wasm/core.ts';
import { largeScenario, scalingSweepJson } from './scenario-scaling.ts';
import { median } from '../src/stats/quantile.ts';

/** Cumulative CPU ms after each slice: the process's, the main thread's, inside range passes. */
interface Trace {
  proc: number[];
  thread: number[];
  pass: number[];
}

interface TargetDef {
  label: string;
  kind: 'run' | 'sweep';
  cells?: number;
  scenario: () => Scenario;
}

function targetDefs(): TargetDef[] {
  const out: TargetDef[] = Object.keys(PRESETS).map((name) => ({ label: `preset ${name}`, kind: 'run' as const, scenario: () => presetScenario(name) }));
  const fs = PRESETS['fadvise-storm']!.scenario;
  out.push({ label: 'fadvise-storm x8', kind: 'run', scenario: () => resolveScenario({ ...fs, name: 'fadvise-storm x8', horizonMs: fs.horizonMs! * 8 }) });
  out.push({ label: '1M pages x 64 CPUs', kind: 'run', scenario: () => resolveScenario({ ...largeScenario(1 << 20, 64), strategies: undefined }) });
  const sweeps: [string, unknown, number][] = [
    ['sweep 16 x ~1 s', scalingSweepJson(), 16],
    ['sweep 16 x ~0.2 s', scalingSweepJson(1), 16],
    ['sweep 4 x debate-2017', scalingSweepJson(1, 2, 'debate-2017'), 4],
  ];
  for (const [label, json, cells] of sweeps) {
    out.push({ label, kind: 'sweep', cells, scenario: () => Sweep.fromJson(json).cells().next().value!.scenario });
  }
  return out;
}

/** In the child: the trace of one target, cold. */
function child(label: string): void {
  const def = targetDefs().find((d) => d.label === label)!;
  const s = def.scenario();
  const spread = def.kind === 'run' && s.strategies.length > 1 && s.pages < RANGE_SPLIT_MIN_PAGES;
  const split = def.kind === 'run' && !spread && s.pages >= SHARD_MIN_PAGES;
  const arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
  const passMs = def.kind === 'run' ? timePasses(arena) : () => 0;
  const clock = threadClock()!;
  const c0 = cpuMs();
  const t0 = clock.read();
  const sim = startSimulation(s, s.strategies[0]!, arena);
  const thread: number[] = [];
  const trace: Trace = { proc: [], thread, pass: [] };
  for (let k = 1; k <= PROBE_SLICES; k++) {
    sim.advance((k * sim.horizonNs) / PROBE_SLICES);
    trace.proc.push(cpuMs() - c0);
    thread.push(clock.read() - t0);
    trace.pass.push(passMs());
  }
  sim.finish();
  // Warm: the whole scenario (every strategy) once more in this isolate.
  const w0 = cpuMs();
  for (const name of s.strategies) {
    arena.reset();
    simulate(s, name, arena);
  }
  const warmMs = cpuMs() - w0;
  process.stdout.write(JSON.stringify({ label, kind: def.kind, strategies: s.strategies.length, spread, split, cells: def.cells ?? 1, trace, warmMs }) + '\n');
}

const budget = (kind: string) => (kind === 'sweep' ? SWEEP_PROBE_BUDGET_MS : PROBE_BUDGET_MS);

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(argv[1]!);
} else {
  const reps = Number(argv[argv.indexOf('--reps') + 1] ?? 3) || 3;
  const only = argv.flatMap((a, i) => (argv[i - 1] === '--target' ? [a] : []));
  const jsonOut = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
  const defs = targetDefs().filter((d) => only.length === 0 || only.includes(d.label));
  const results: Record<string, unknown[]> = {};
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < reps; r++) {
    for (const d of defs) {
      const p = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', d.label], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (p.status !== 0) throw new Error(`${d.label}: ${p.stderr}`);
      (results[d.label] ??= []).push(JSON.parse(p.stdout));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results));
  for (const [label, rs] of Object.entries(results)) {
    const xs = rs as { kind: string; trace: Trace; warmMs: number; strategies: number; cells: number; split: boolean }[];
    const n = xs[0]!.strategies * xs[0]!.cells;
    const f = (v: number[]) => v.map((x) => Math.round(x)).join('/');
    const split = xs[0]!.split;
    const pick = (e: { strategyMs: number; passMs: number }) => (split ? e.passMs : e.strategyMs) * n;
    const old = xs.map((x) => pick(oldEstimate(x.trace)));
    const now = xs.map((x) => estimateFromTrace({ cpu: x.trace.thread, pass: x.trace.pass }, budget(x.kind)));
    const prc = xs.map((x) => estimateFromTrace({ cpu: x.trace.proc, pass: x.trace.pass }, budget(x.kind)));
    console.log(
      `${label.padEnd(24)} ${split ? 'pass ' : 'work '}old ${f(old)} | new ${f(now.map(pick))} (${now.map((e) => e.slices).join('/')} sl) | process clock ${f(prc.map(pick))}` +
        ` | cold s0 ${f(xs.map((x) => x.trace.proc.at(-1)!))} (thr ${f(xs.map((x) => x.trace.thread.at(-1)!))}, slice1 ${f(xs.map((x) => x.trace.proc[0]!))})` +
        ` | warm all ${Math.round(median(xs.map((x) => x.warmMs)))}`,
    );
  }
}

/** The estimator before issue 19's third session (for comparison): budget, then the rate of the slices after half of it, or slice 1 alone. */
function oldEstimate(t: Trace, budgetMs = 60): { strategyMs: number; passMs: number } {
  let k = 0;
  let half = 0;
  while (k < PROBE_SLICES) {
    k++;
    if (!half && t.proc[k - 1]! >= budgetMs / 2) half = k;
    if (t.proc[k - 1]! >= budgetMs) break;
  }
  if (k >= PROBE_SLICES) return { strategyMs: t.proc[k - 1]!, passMs: t.pass[k - 1]! };
  const h = half && half < k ? half : 0;
  const at = (xs: number[], i: number) => (i === 0 ? 0 : xs[i - 1]!);
  const left = PROBE_SLICES - k;
  return {
    strategyMs: at(t.proc, k) + ((at(t.proc, k) - at(t.proc, h)) / (k - h)) * left,
    passMs: at(t.pass, k) + ((at(t.pass, k) - at(t.pass, h)) / (k - h)) * left,
  };
}
