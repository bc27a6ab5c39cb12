/**
 * One scenario over W threads (docs/architecture.md, "Fan-out inside one scenario"). The record
 * is the same for any W: each strategy run is the same deterministic simulation wherever it runs.
 */
import { availableParallelism } from 'node:os';
import { Arena, SHARD_MIN_PAGES, type RangeRunner } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { ShardPool } from '../shard/pool.ts';
import { MAX_WORKERS } from '../shard/protocol.ts';
import { workerEntry } from '../io/worker-entry.ts';
import { claimStrategies, hungRun, runResolved, simulate, startSimulation, withWarnings, type Claimed, type RunOptions } from '../sim/run.ts';
import { GUARD_BYTES, guardReading, pluginBudgetMs } from '../sim/plugin-guard.ts';
import { hasStrategy, strategy as lookupStrategy } from '../strategies/registry.ts';
import { provenance } from '../metrics/provenance.ts';
import { autoLog, cpuMs, probe, workOf, workersFor, SPLIT_PAYBACK_MS, SPLIT_WITHOUT_PROBE_PAGES, SPREAD_PAYBACK_MS, type WorkersOption } from './auto-workers.ts';
import { pluginSpecs } from '../strategies/plugin.ts';
import type { Scenario } from '../scenario/resolve.ts';
import type { RunRecord, StrategyRun } from '../metrics/record.ts';

/** As RunOptions, with a worker count that may be 'auto' (the default). */
export interface ScenarioRunOptions extends Omit<RunOptions, 'workers'> {
  workers?: WorkersOption;
  /**
   * auto's payback thresholds (default SPREAD_/SPLIT_PAYBACK_MS) and the most workers it may
   * choose (default: the cores); tests and the bench set them to force a choice after the probe.
   */
  payback?: { spread?: number; split?: number; max?: number };
}

/**
 * As runResolved, fanned out over `opts.workers` threads; the record is the same for any worker
 * count. Two ways (docs/architecture.md, "Fan-out inside one scenario"):
 * - a large file (RANGE_SPLIT_MIN_PAGES or more), or a single strategy: one arena, whose long
 *   range passes (tag pass, re-check, bulk page ops) are split across the threads
 *   (src/shard/pool.ts). The page passes dominate there, and one arena is W times less
 *   memory than one per thread;
 * - otherwise whole strategy runs are spread over the main thread and W-1 workers, each on its
 *   own arena (they are independent: same seeds, separate machines).
 * Neither waits for its workers to start: the main thread works from the first moment.
 * `workers` is a count (obeyed) or 'auto', the default: as many as the work pays for (runAuto).
 */
export async function runResolvedAsync(s: Scenario, opts: ScenarioRunOptions = {}): Promise<RunRecord<Scenario>> {
  const users = withOptions(s, opts).strategies.filter((n) => hasStrategy(n) && lookupStrategy(n).plugin !== undefined);
  return users.length > 0 ? runGuarded(s, opts, users) : runPlain(s, opts);
}

/**
 * With user strategies: each runs in a worker thread of its own under the harness watchdog
 * (src/sim/plugin-guard.ts): a call into its seal path that runs past the wall-clock budget
 * (DRAINLAB_PLUGIN_BUDGET_MS) gets its thread terminated, and its run is recorded as `hung`
 * (the command exits 1) while every other strategy's run is kept. The built-ins run as without
 * user strategies, meanwhile. A strategy's run is the same simulation in any thread, so the
 * record is the same for any worker count.
 */
async function runGuarded(s: Scenario, opts: ScenarioRunOptions, users: string[]): Promise<RunRecord<Scenario>> {
  const started = new Date();
  const t0 = performance.now();
  const scenario = withOptions(s, opts);
  planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize); // refuse before starting threads
  const budget = pluginBudgetMs();
  const w = typeof opts.workers === 'number' ? opts.workers : availableParallelism();
  const { Piscina } = await import('piscina');
  const pool = new Piscina({ ...workerEntry('strategy-worker'), minThreads: 0, maxThreads: Math.max(1, Math.min(users.length, w - 1)), idleTimeout: 1000 });
  const plugins = pluginSpecs();
  const jobs = users.map((name) => {
    const guard = new SharedArrayBuffer(GUARD_BYTES);
    const abort = new AbortController();
    const job: { name: string; guard: SharedArrayBuffer; abort: AbortController; stoppedAtNs?: number; done: boolean; result?: Promise<StrategyRun> } = { name, guard, abort, done: false };
    const task = { scenario: { ...scenario, strategies: [name] }, next: new Int32Array(new SharedArrayBuffer(4)), plugins, guard };
    job.result = (pool.run(task, { signal: abort.signal }) as Promise<Claimed[]>)
      .then(
        (c) => c[0]!.run,
        (e: unknown) => {
          if (!abort.signal.aborted) throw e;
          const p = lookupStrategy(name);
          return hungRun(name, p.plugin!, p.apiVersion ?? 0, budget, job.stoppedAtNs);
        },
      )
      .finally(() => (job.done = true));
    job.result.catch(() => {}); // awaited below
    return job;
  });
  // The watchdog: this thread's event loop turns whenever it is not running built-ins itself.
  const watchdog = setInterval(() => {
    for (const j of jobs) {
      if (j.done || j.abort.signal.aborted) continue;
      const r = guardReading(j.guard);
      if (r && r.ms > budget) {
        j.stoppedAtNs = r.atNs;
        j.abort.abort();
      }
    }
  }, Math.max(10, Math.min(250, budget >> 2)));
  try {
    const rest = scenario.strategies.filter((n) => !users.includes(n));
    const base = rest.length > 0 ? await runPlain(s, { ...opts, strategies: rest }) : undefined;
    const mine = new Map<string, StrategyRun>();
    for (const j of jobs) mine.set(j.name, await j.result!);
    const runs = scenario.strategies.map((n) => mine.get(n) ?? base!.runs[rest.indexOf(n)]!);
    return withWarnings({ schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, Math.max(base?.provenance.workers ?? 1, 2)), runs });
  } finally {
    clearInterval(watchdog);
    await pool.destroy();
  }
}

/** runResolvedAsync without user strategies (or for the built-ins beside them). */
async function runPlain(s: Scenario, opts: ScenarioRunOptions = {}): Promise<RunRecord<Scenario>> {
  if (opts.workers === undefined || opts.workers === 'auto') return runAuto(s, { ...opts, workers: undefined });
  const w = opts.workers;
  const strategies = opts.strategies ?? s.strategies;
  if (w <= 1) return runResolved(s, { ...opts, workers: w });
  if (strategies.length > 1 && s.pages < RANGE_SPLIT_MIN_PAGES) return runStrategiesInParallel(s, opts, w);
  if (s.pages < SHARD_MIN_PAGES) return runResolved(s, { ...opts, workers: w });
  const arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
  const pool = await ShardPool.start(arena, w);
  try {
    return runResolved(s, { ...opts, workers: w }, arena);
  } finally {
    await pool.close();
  }
}

/**
 * Pages per file from which runResolvedAsync splits range passes rather than spreading strategies:
 * at 16M pages x 1024 CPUs (huge-memfd, 12 strategies, W=2 on 2 vCPUs) split passes ran 1.6-1.8x
 * faster than one thread, spread strategies 1.2-1.3x (docs/scaling.md).
 */
export const RANGE_SPLIT_MIN_PAGES = 4 << 20;

function withOptions(s: Scenario, opts: ScenarioRunOptions): Scenario {
  return { ...s, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.strategies ? { strategies: opts.strategies } : {}) };
}

/**
 * The strategy runs over the main thread and W-1 workers. `first`, when given, is the main
 * thread's run of strategy 0, already claimed from `next` and started (the auto probe): the
 * workers begin at index 1 while the main thread finishes it.
 */
async function runStrategiesInParallel(
  s: Scenario,
  opts: ScenarioRunOptions,
  w: number,
  first?: { next: Int32Array; arena: Arena; finish: () => StrategyRun; started: Date; t0: number },
): Promise<RunRecord<Scenario>> {
  const started = first?.started ?? new Date();
  const t0 = first?.t0 ?? performance.now();
  const scenario = withOptions(s, opts);
  const plan = planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize); // refuse before starting threads
  const { Piscina } = await import('piscina');
  const next = first?.next ?? new Int32Array(new SharedArrayBuffer(4));
  const pool = new Piscina({ ...workerEntry('strategy-worker'), minThreads: w - 1, maxThreads: w - 1, idleTimeout: 1000 });
  try {
    const plugins = pluginSpecs();
    const tasks = Array.from({ length: w - 1 }, () => pool.run({ scenario, next, plugins }) as Promise<Claimed[]>);
    // Rejections are read below when the workers' runs are needed; when they are not (the main
    // thread did every run, or threw), destroying the pool must not leave them unhandled.
    for (const t of tasks) t.catch(() => {});
    await new Promise((r) => setImmediate(r)); // piscina hands the tasks to the workers' ports
    let arena: Arena | undefined = first?.arena;
    const mine: Claimed[] = first ? [{ index: 0, run: first.finish() }] : [];
    mine.push(...claimStrategies(scenario, next, () => (arena ??= Arena.create(plan))));
    // Workers still booting when the main thread has done every run are not waited for.
    const theirs = mine.length < scenario.strategies.length ? (await Promise.all(tasks)).flat() : [];
    const runs: StrategyRun[] = [];
    for (const c of [...mine, ...theirs]) runs[c.index] = c.run;
    return withWarnings({ schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, w), runs });
  } finally {
    await pool.destroy();
  }
}


/**
 * --workers auto (src/pool/auto-workers.ts): the main thread starts the first strategy, times
 * the first 1/16 of its horizon, and from that estimate of the whole scenario's work starts
 * workers only if they pay for their start-up and JIT warm-up. Spread strategies: W-1 strategy
 * workers join at strategy 1 while the main thread finishes strategy 0. Split passes (large
 * files): a shard pool takes over the range passes from the next pass on, sized by the range-pass
 * work alone (the rest of a run stays on the main thread whatever W is).
 */
async function runAuto(s: Scenario, opts: ScenarioRunOptions): Promise<RunRecord<Scenario>> {
  const started = new Date();
  const t0 = performance.now();
  const scenario = withOptions(s, opts);
  const n = scenario.strategies.length;
  const cores = Math.min(availableParallelism(), opts.payback?.max ?? Infinity);
  const spread = n > 1 && scenario.pages < RANGE_SPLIT_MIN_PAGES;
  const split = !spread && scenario.pages >= SHARD_MIN_PAGES;
  if (cores < 2 || n === 0 || (!spread && !split)) return runResolved(scenario, { workers: 1 });
  if (split && scenario.pages >= SPLIT_WITHOUT_PROBE_PAGES) {
    const w = Math.min(cores, MAX_WORKERS);
    autoLog({ what: 'split', strategies: n, pages: scenario.pages, workers: w, probe: false });
    return runPlain(scenario, { workers: w });
  }
  const arena = Arena.create(planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize));
  const next = new Int32Array(new SharedArrayBuffer(4));
  Atomics.add(next, 0, 1); // strategy 0 is this thread's
  const { sim, est } = startProbed(scenario, arena);
  const work = workOf(est, n);
  const w = spread
    ? workersFor(work.totalMs, opts.payback?.spread ?? SPREAD_PAYBACK_MS, n, cores)
    : workersFor(work.passMs, opts.payback?.split ?? SPLIT_PAYBACK_MS, MAX_WORKERS, cores);
  autoLog({ what: spread ? 'spread' : 'split', strategies: n, workMs: Math.round(spread ? work.totalMs : work.passMs), workers: w, probeWallMs: Math.round(performance.now() - t0) }, est);
  if (w > 1 && spread) return runStrategiesInParallel(scenario, {}, w, { next, arena, finish: sim.finish, started, t0 });
  const pool = w > 1 ? await ShardPool.start(arena, w) : undefined;
  try {
    const runs = [sim.finish()];
    for (let i = 1; i < n; i++) {
      arena.reset();
      runs.push(simulate(scenario, scenario.strategies[i]!, arena));
    }
    return withWarnings({ schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, w), runs });
  } finally {
    await pool?.close();
  }
}

/**
 * Makes `arena` run its range passes in this thread, timing them: returns the thread CPU ms they
 * have taken so far (the work a shard pool would split).
 */
export function timePasses(arena: Arena): () => number {
  let passMs = 0;
  arena.runner = {
    workers: 1,
    run: (op, a, lo, hi) => {
      const c = cpuMs();
      const r = arena.exec(op, a, lo, hi);
      passMs += cpuMs() - c;
      return r;
    },
  };
  return () => passMs;
}

/**
 * Starts the scenario's first strategy on `arena` and probes it (src/pool/auto-workers.ts probe),
 * timing its range passes meanwhile (the work a shard pool would split): what `--workers auto`
 * does before it decides. The simulation goes on with `sim.finish()`; the arena's runner is back
 * to this thread's own.
 */
export function startProbed(scenario: Scenario, arena: Arena): { sim: ReturnType<typeof startSimulation>; est: ReturnType<typeof probe> } {
  const local: RangeRunner = { workers: 1, run: (op, a, lo, hi) => arena.exec(op, a, lo, hi) };
  const passMs = timePasses(arena);
  try {
    const sim = startSimulation(scenario, scenario.strategies[0]!, arena);
    return { sim, est: probe(sim, passMs) };
  } finally {
    arena.runner = local;
  }
}
