/**
 * `--workers auto`, the default of every command that can use threads: start workers only when
 * the work will pay for them. A worker thread costs its start (tens of ms from the bundle) and,
 * above all, its isolate's JIT warm-up: its first strategy runs are interpreted and compiled
 * again, and on a small host the compiler threads take cores the simulation needed
 * (docs/scaling.md section 6). The records never depend on the choice (any W gives the same
 * record), so auto is free to decide from the clock.
 *
 * The estimate is a short probe: the first slices of one strategy run, timed in CPU milliseconds
 * of this thread (threadClock: not the JIT's and GC's background threads, not other jobs on the
 * host), extrapolated to the horizon at the rate of the slices after the first (probe). For `run`
 * the probe is the scenario's first strategy, which the main thread goes on with (no work is
 * thrown away); for a sweep it is the first cell's first strategy on the main thread, before the
 * pool starts. The probe runs cold (this isolate's first simulation), so it over-estimates; the
 * payback constants below are fitted against probes taken the same way, in cold CLI processes
 * (docs/scaling.md section 8).
 */
import { closeSync, openSync, readSync } from 'node:fs';
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
/**
 * ...until it has used this much of this thread's CPU time (or reached the horizon): `run`'s
 * probe is the run itself (nothing is thrown away, the workers only start later), a sweep's is a
 * slice of a cell run again by a worker, and a sweep's cells differ from what pays far more
 * widely (docs/scaling.md section 8), so it stops sooner.
 */
export const PROBE_BUDGET_MS = 100;
export const SWEEP_PROBE_BUDGET_MS = 40;

/**
 * Probe-estimated ms of work each extra worker needs before it pays for itself:
 * - SPREAD: a strategy worker (its own isolate: start + JIT warm-up of the whole simulator);
 * - CELL: a sweep cell worker (the same warm-up; cells are whole scenarios);
 * - SPLIT: a range-pass worker, counted in range-pass work alone (the rest stays on one thread).
 * These are in the probe's own unit, not in warm CPU ms: the probe's code is cold, so its rate
 * reads 2-10x a warm run's. Fitted on 2 vCPUs (AMD EPYC, 2026-12-03, cold CLI processes, three
 * each; docs/scaling.md section 8 has the table) between the cases where a second worker lost or
 * came out even (highest estimates: fadvise-storm 1,900-3,400 spread, large-busy-machine
 * 1,800-3,300 split, 4 debate-2017 cells 500-700) and those where it won (fadvise-storm x8
 * 15,700-19,600 spread, huge-memfd 6,200-6,300 split, 16 fadvise-storm cells of 0.2 s
 * 30,000-58,000): each threshold sits near the geometric mean of the two sides, 1.4-2.2x from
 * each. Before the first slice was left out of the rate (and on the process's clock) they were
 * 35,000 / 10,000 / 200,000.
 */
export const SPREAD_PAYBACK_MS = 7_000;
export const CELL_PAYBACK_MS = 8_000;
export const SPLIT_PAYBACK_MS = 4_500;

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

/**
 * A clock of the calling thread's own CPU time, in ms: the first field of
 * /proc/thread-self/schedstat (ns; Linux), which leaves out the JIT's and the GC's background
 * threads. Undefined where that file cannot be read (other systems): the probe then reads the
 * process's CPU time (cpuMs), which counts those threads too and so reads higher.
 * The file stays open while the clock is in use (a read is ~12 us); close() releases it.
 */
export function threadClock(): { read: () => number; close: () => void } | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(128);
  const read = () => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.toString('latin1', 0, n);
    return Number(text.slice(0, text.indexOf(' '))) / 1e6;
  };
  try {
    if (!(read() > 0)) throw new Error('schedstat: no run time');
  } catch {
    closeSync(fd);
    return undefined;
  }
  return { read, close: () => closeSync(fd) };
}

/** What a probe measured, extrapolated to one whole strategy run. */
export interface ProbeEstimate {
  /** CPU ms of one strategy run. */
  strategyMs: number;
  /** Of which in range passes (tag pass, re-check, bulk page ops: what a shard pool splits). */
  passMs: number;
  /** The probe ran the whole horizon (strategyMs is measured, not extrapolated). */
  finished: boolean;
  /** Slices the probe ran (of PROBE_SLICES). */
  slices: number;
  /** What the probe measured (probe() only). */
  trace?: ProbeTrace;
}

/** Cumulative CPU ms after each slice the probe ran: by the probe's clock, and inside range passes. */
export interface ProbeTrace {
  /** The probe's clock: this thread's CPU ms (threadClock), or the process's where that is missing. */
  cpu: number[];
  /** CPU ms of the process inside range passes (the work a shard pool splits). */
  pass: number[];
  /** The probe's clock: 'thread' or 'process'. */
  clock?: 'thread' | 'process';
}

/**
 * Where the probe stops: after slice k (1-based) of `trace.cpu` once it has spent the budget and
 * its rate window (the slices after rateStart) holds at least two slices and a quarter of the
 * budget (the thread clock ticks in steps of a few ms: HZ), or at the horizon.
 */
function stopsAt(proc: readonly number[], budgetMs: number): number {
  for (let k = 1; k <= proc.length; k++) if (stopsAfter(proc, k, budgetMs)) return k;
  return proc.length;
}

function stopsAfter(proc: readonly number[], k: number, budgetMs: number): boolean {
  if (k >= PROBE_SLICES) return true;
  if (proc[k - 1]! < budgetMs) return false;
  const h = rateStart(proc, budgetMs, k);
  return k >= h + 2 && proc[k - 1]! - proc[h - 1]! >= budgetMs / 4;
}

/**
 * How many slices precede the rate window: up to the one in which half the budget was reached
 * (at most k), and never fewer than one. The first slice carries what a scenario does at time 0
 * (first touches of the arena, initial writes) and the isolate's coldest code; extrapolated alone
 * it read up to 30x the run (concurrent-sealers: 8,968 CPU ms for a run of ~300; huge-memfd's
 * range passes 606,000 for ~10,000), docs/scaling.md section 8.
 */
function rateStart(proc: readonly number[], budgetMs: number, k: number): number {
  let h = 1;
  while (h < k && proc[h - 1]! < budgetMs / 2) h++;
  return h;
}

/**
 * The estimate of one whole strategy run from the probe's trace (cut where the probe stops): the
 * CPU spent so far plus the rest of the horizon at the rate of the slices after rateStart.
 */
export function estimateFromTrace(trace: ProbeTrace, budgetMs = PROBE_BUDGET_MS): ProbeEstimate {
  const k = stopsAt(trace.cpu, budgetMs);
  const c = trace.cpu[k - 1]!;
  const p = trace.pass[k - 1]!;
  if (k >= PROBE_SLICES) return { strategyMs: c, passMs: p, finished: true, slices: k };
  const h = rateStart(trace.cpu, budgetMs, k);
  const left = PROBE_SLICES - k;
  const rate = (xs: number[]) => (xs[k - 1]! - xs[h - 1]!) / (k - h);
  return { strategyMs: c + rate(trace.cpu) * left, passMs: p + rate(trace.pass) * left, finished: false, slices: k };
}

/**
 * Runs `sim` in steps of 1/PROBE_SLICES of its horizon until `budgetMs` of this thread's CPU time
 * are spent (and the rate window has two slices) or the horizon is reached, and extrapolates
 * (estimateFromTrace). `passMs()` reads the CPU ms spent in range passes so far (0 when not counted).
 */
export function probe(sim: Simulation, passMs: () => number = () => 0, budgetMs = PROBE_BUDGET_MS): ProbeEstimate {
  const clock = threadClock();
  const now = clock?.read ?? cpuMs;
  try {
    const c0 = now();
    const p0 = passMs();
    const trace: ProbeTrace = { cpu: [], pass: [], clock: clock ? 'thread' : 'process' };
    for (let k = 1; k <= PROBE_SLICES; k++) {
      sim.advance((k * sim.horizonNs) / PROBE_SLICES);
      trace.cpu.push(now() - c0);
      trace.pass.push(passMs() - p0);
      if (stopsAfter(trace.cpu, k, budgetMs)) break;
    }
    return { ...estimateFromTrace(trace, budgetMs), trace };
  } finally {
    clock?.close();
  }
}

/**
 * With DRAINLAB_AUTO_LOG=1, auto's decision goes to stderr as one line, `drainlab-auto {json}`:
 * the estimate, the probe's trace (cumulative CPU ms after each slice) and the worker count.
 * `drainlab bench --suite workers` reads it; it never changes what runs.
 */
export function autoLog(what: Record<string, unknown>, est?: ProbeEstimate): void {
  if (process.env.DRAINLAB_AUTO_LOG !== '1') return;
  const r = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);
  const probeInfo = est ? { strategyMs: Math.round(est.strategyMs), passMs: Math.round(est.passMs), slices: est.slices, finished: est.finished, ...(est.trace ? { clock: est.trace.clock, cpu: r(est.trace.cpu), pass: r(est.trace.pass) } : {}) } : {};
  process.stderr.write(`drainlab-auto ${JSON.stringify({ ...what, ...probeInfo })}\n`);
}

/** Estimated single-thread CPU ms of `n` strategy runs like the probed one. */
export function workOf(e: ProbeEstimate, n: number): { totalMs: number; passMs: number } {
  return { totalMs: n * e.strategyMs, passMs: n * e.passMs };
}

/**
 * Pages of a file from which `run` splits its range passes over every core without a probe. The
 * probe would run the scenario's first slice, which on such a file is the first write of every
 * page (huge-memfd: ~0.55 s of its ~1.2 s on one thread), on one thread, and start the shard pool
 * only after it, while an explicit W splits that pass too: the default lost ~10 % to W = 2 there.
 * huge-memfd (16M pages) gained 1.26-1.82x from splitting (docs/scaling.md section 6); at 4M
 * pages large-busy-machine came out about even, so below this the probe decides.
 */
export const SPLIT_WITHOUT_PROBE_PAGES = 1 << 23;

/** Pages from which a sweep's cells are large enough to pay for any worker count without a probe. */
const LARGE_CELL_PAGES = 1 << 22;

/**
 * Workers for sweeps on one pool (auto): `cells` cells like `first` in each group. One group is one
 * sweep; a command that runs several sweeps on warm workers (study: src/pool/cell-pool.ts
 * PoolKeeper) passes them all, since its workers warm up once for all of them. Each group's first
 * cell is probed on a throw-away arena in this thread. Returns the count and the estimated work
 * (CPU ms, in the probe's unit), for the log line.
 */
export function sweepWorkers(groups: readonly { first: Scenario; cells: number }[], cores = availableParallelism()): { workers: number; workMs: number } {
  const cells = groups.reduce((n, g) => n + g.cells, 0);
  if (cells <= 1 || cores <= 1) return { workers: 1, workMs: NaN };
  const t0 = performance.now();
  let workMs = 0;
  let est: ProbeEstimate | undefined;
  for (const { first, cells: n } of groups) {
    if (n === 0) continue;
    if (first.pages >= LARGE_CELL_PAGES) {
      workMs = Infinity;
      break;
    }
    const arena = Arena.create(planArena(first.files, first.pages, first.cpus, first.pagevecSize));
    est = probe(startSimulation(first, first.strategies[0]!, arena), () => 0, SWEEP_PROBE_BUDGET_MS);
    workMs += n * workOf(est, first.strategies.length).totalMs;
  }
  const workers = workersFor(workMs, CELL_PAYBACK_MS, cells, cores);
  autoLog({ what: 'sweep', sweeps: groups.length, cells, workMs: Math.round(workMs), workers, probeWallMs: Math.round(performance.now() - t0) }, groups.length === 1 ? est : undefined);
  return { workers, workMs };
}
