/**
 * `--workers auto`, the default of every command that can use threads: start workers only when
 * the work will pay for them. A worker thread costs its start (tens of ms from the bundle) and,
 * above all, its isolate's JIT warm-up: its first strategy runs are interpreted and compiled
 * again, and on a small host the compiler threads take cores the simulation needed
 * (docs/scaling.md section 6). The records never depend on the choice (any W gives the same
 * record), so auto is free to decide from the clock.
 *
 * The estimate is a short probe: the first 1/PROBE_SLICES of the simulated horizon of one
 * strategy run, timed in CPU milliseconds of this process (`process.cpuUsage`), so that other
 * jobs on the host do not make small work look large. For `run` the probe is the first slice of
 * the scenario's first strategy, which the main thread goes on with (no work is thrown away);
 * for a sweep it is the first slice of the first cell's first strategy on the main thread, which
 * has nothing else to do while the pool starts. The probe runs cold (this isolate's first
 * simulation), so it over-estimates; the payback constants below are fitted against probes
 * taken the same way (docs/scaling.md section 8).
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.ts';
import { Arena } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { startSimulation, type Simulation } from '../sim/run.ts';
import type { Scenario } from '../scenario/resolve.ts';

export type WorkersOption = number | 'auto';

/** `--workers N|auto`: an integer in 1..max, or auto. */
export function parseWorkers(v: string, max: number, flag = '--workers'): WorkersOption {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: got ${JSON.stringify(v)}; allowed: an integer in 1..${max}, or auto`);
  return n;
}

/** The probe advances the simulation in steps of 1/PROBE_SLICES of its horizon... */
export const PROBE_SLICES = 64;
/** ...until it has used this much CPU time (or reached the horizon). */
export const PROBE_BUDGET_MS = 60;

/**
 * Probe-estimated ms of work each extra worker needs before it pays for itself:
 * - SPREAD: a strategy worker (its own isolate: start + JIT warm-up of the whole simulator);
 * - CELL: a sweep cell worker (the same warm-up; cells are whole scenarios);
 * - SPLIT: a range-pass worker, counted in range-pass work alone (the rest stays on one thread).
 * These are in the probe's own unit, not in warm CPU ms: a probe runs cold, and its first slices
 * carry the work scenarios do at time 0, so it reads 2-3x the warm cost on small scenarios and
 * 10-35x on front-loaded ones (fadvise-storm 12 s for 1.3 s, concurrent-sealers 9 s for 0.27 s);
 * in an isolate that has run the simulator before (a second run in one process) 2-7x.
 * Fitted on 2 vCPUs against the cases where a second worker lost (debate-2017 spread 0.80x,
 * fadvise-storm 0.91x, 1M pages x 64 CPUs 0.90x, 4 debate-2017 cells 0.68x; large-busy-machine
 * split about even) and won (fadvise-storm x8 spread 1.6x, 16 cells of 0.2 s 1.47x, huge-memfd
 * split 1.7-1.9x): the estimates of the first group stay below, of the second above
 * (docs/scaling.md section 8 has the table). SPREAD was 15,000 until cold CLI runs at load
 * average ~12 read fadvise-storm at 14,000-23,000 and spread it (0.59x); fadvise-storm x8 reads
 * 103,000-121,000 cold.
 */
export const SPREAD_PAYBACK_MS = 35_000;
export const CELL_PAYBACK_MS = 10_000;
export const SPLIT_PAYBACK_MS = 200_000;

/** How many threads `workMs` of estimated work pays for: 1 + one per `paybackMs`, capped. */
export function workersFor(workMs: number, paybackMs: number, cap: number, cores = availableParallelism()): number {
  if (!(workMs > 0)) return 1;
  return Math.max(1, Math.min(cores, cap, 1 + Math.floor(workMs / paybackMs)));
}

/** CPU milliseconds this process has used (all its threads). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** What a probe measured, extrapolated to one whole strategy run. */
export interface ProbeEstimate {
  /** CPU ms of one strategy run. */
  strategyMs: number;
  /** Of which in range passes (tag pass, re-check, bulk page ops: what a shard pool splits). */
  passMs: number;
  /** The probe ran the whole horizon (strategyMs is measured, not extrapolated). */
  finished: boolean;
}

/**
 * Runs `sim` in steps of 1/PROBE_SLICES of its horizon until PROBE_BUDGET_MS of CPU time are
 * spent or the horizon is reached, and extrapolates the rest of the horizon at the rate of the
 * probe's second half (the first half carries the JIT's first compiles and the work done at
 * time 0). `passMs()` reads the CPU ms spent in range passes so far (0 when not counted).
 */
export function probe(sim: Simulation, passMs: () => number = () => 0, budgetMs = PROBE_BUDGET_MS): ProbeEstimate {
  const c0 = cpuMs();
  const p0 = passMs();
  let half: { c: number; p: number; k: number } | undefined;
  let k = 0;
  let c = 0;
  while (k < PROBE_SLICES) {
    k++;
    sim.advance((k * sim.horizonNs) / PROBE_SLICES);
    c = cpuMs() - c0;
    if (!half && c >= budgetMs / 2) half = { c, p: passMs() - p0, k };
    if (c >= budgetMs) break;
  }
  const p = passMs() - p0;
  if (k >= PROBE_SLICES) return { strategyMs: c, passMs: p, finished: true };
  const h = half && half.k < k ? half : { c: 0, p: 0, k: 0 };
  const left = PROBE_SLICES - k;
  return { strategyMs: c + ((c - h.c) / (k - h.k)) * left, passMs: p + ((p - h.p) / (k - h.k)) * left, finished: false };
}

/** Estimated single-thread CPU ms of `n` strategy runs like the probed one. */
export function workOf(e: ProbeEstimate, n: number): { totalMs: number; passMs: number } {
  return { totalMs: n * e.strategyMs, passMs: n * e.passMs };
}

/** Pages from which a sweep's cells are large enough to pay for any worker count without a probe. */
const LARGE_CELL_PAGES = 1 << 22;

/**
 * Workers for a sweep of `cells` cells like `first` (auto): the probe runs on a throw-away arena
 * in this thread. Returns the count and the estimate of one cell's CPU ms, for the log line.
 */
export function sweepWorkers(first: Scenario, cells: number, cores = availableParallelism()): { workers: number; cellMs: number } {
  if (cells <= 1 || cores <= 1) return { workers: 1, cellMs: NaN };
  if (first.pages >= LARGE_CELL_PAGES) return { workers: Math.min(cores, cells), cellMs: Infinity };
  const arena = Arena.create(planArena(first.files, first.pages, first.cpus, first.pagevecSize));
  const est = probe(startSimulation(first, first.strategies[0]!, arena));
  const cellMs = workOf(est, first.strategies.length).totalMs;
  return { workers: workersFor(cells * cellMs, CELL_PAYBACK_MS, cells, cores), cellMs };
}
