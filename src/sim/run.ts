/**
 * Runs a resolved scenario: one machine per strategy, the same seeds for each (common random
 * numbers), the result record of CONTRACT section 3.
 */
import { cpus as hostCpus } from 'node:os';
import { execFileSync } from 'node:child_process';
import { Arena, SHARD_MIN_PAGES, coreSha256 } from '../wasm/core.ts';
import { ShardPool } from '../shard/pool.ts';
import { planArena } from '../wasm/layout.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { presetScenario } from '../scenario/presets.ts';
import { strategy as lookup } from '../strategies/registry.ts';
import { Machine } from './machine.ts';
import { applyOp, prepareOp, type OpContext } from './ops.ts';
import { startWorkload } from './workload.ts';
import { summarize } from '../metrics/summary.ts';
import type { Provenance, RunRecord, SealRecord, StrategyRun } from '../metrics/record.ts';
import type { Costs } from '../kernel/costs.ts';
import pkg from '../../package.json' with { type: 'json' };

export interface RunOptions {
  /** Overrides the scenario's strategies. */
  strategies?: string[];
  seed?: number;
  workers?: number;
  calibration?: Partial<Costs>;
}

/** Simulates one strategy on a machine built over `arena` (which must be fresh or reset). */
export function simulate(s: Scenario, strategyName: string, arena: Arena): StrategyRun {
  const strat = lookup(strategyName);
  const m = new Machine(s, arena, strat.drainAll);
  const seals: SealRecord[] = [];
  const ctx: OpContext = { m, addSeals: strat.addSeals, seals, started: 0 };
  // Script ops in (atMs, order in file) order: the engine's sequence numbers keep file order on ties.
  s.script.forEach((o, i) => {
    const op = prepareOp(s, o, `script[${i}]`);
    m.engine.at(o.atMs * 1e6, () => applyOp(ctx, op));
  });
  startWorkload(ctx);
  m.engine.run(s.horizonMs * 1e6);
  seals.sort((a, b) => a.startMs - b.startMs || a.cpu - b.cpu || a.file - b.file);
  const summary = summarize(seals, m.background, m.engine.events);
  // S7's spinlock on every pagevec add, on every CPU, for the whole run.
  summary.unfinished = ctx.started - seals.length;
  summary.lruAddOverheadMs = Math.round(m.pvecAdds * (strat.perAddCost?.(s.costs) ?? 0)) / 1e6;
  return {
    strategy: strategyName,
    seals,
    summary,
    lockdep: m.lockdep.report(),
    timeline: m.timeline,
  };
}

/** A resolved scenario with every strategy asked for, in this thread (on `arena`'s runner if given). */
export function runResolved(s: Scenario, opts: RunOptions = {}, given?: Arena): RunRecord<Scenario> {
  const started = new Date();
  const t0 = performance.now();
  const scenario: Scenario = {
    ...s,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.strategies ? { strategies: opts.strategies } : {}),
  };
  const plan = planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize);
  let arena = given;
  let fresh = given === undefined;
  const runs = scenario.strategies.map((name) => {
    if (!arena) arena = Arena.create(plan);
    else if (!fresh) arena.reset();
    fresh = false;
    return simulate(scenario, name, arena);
  });
  return { schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, arena?.runner.workers ?? 1), runs };
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
 */
export async function runResolvedAsync(s: Scenario, opts: RunOptions = {}): Promise<RunRecord<Scenario>> {
  const w = opts.workers ?? 1;
  const strategies = opts.strategies ?? s.strategies;
  if (w <= 1) return runResolved(s, opts);
  if (strategies.length > 1 && s.pages < RANGE_SPLIT_MIN_PAGES) return runStrategiesInParallel(s, opts, w);
  if (s.pages < SHARD_MIN_PAGES) return runResolved(s, opts);
  const arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
  const pool = await ShardPool.start(arena, w);
  try {
    return runResolved(s, opts, arena);
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

/** Strategy runs claimed by one thread: the index in the scenario's list, and the run. */
export interface Claimed {
  index: number;
  run: StrategyRun;
}

/**
 * Simulates the strategies whose index this thread claims from the shared counter `next` (an
 * Atomics.add each), until none is left; `arena()` gives this thread's arena, reset before use.
 */
export function claimStrategies(s: Scenario, next: Int32Array, arena: () => Arena): Claimed[] {
  const out: Claimed[] = [];
  for (let i = Atomics.add(next, 0, 1); i < s.strategies.length; i = Atomics.add(next, 0, 1)) {
    const a = arena();
    a.reset();
    out.push({ index: i, run: simulate(s, s.strategies[i]!, a) });
  }
  return out;
}

async function runStrategiesInParallel(s: Scenario, opts: RunOptions, w: number): Promise<RunRecord<Scenario>> {
  const started = new Date();
  const t0 = performance.now();
  const scenario: Scenario = { ...s, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.strategies ? { strategies: opts.strategies } : {}) };
  const plan = planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize); // refuse before starting threads
  const { Piscina } = await import('piscina');
  const { workerEntry } = await import('../io/worker-entry.ts');
  const next = new Int32Array(new SharedArrayBuffer(4));
  const pool = new Piscina({ ...workerEntry('strategy-worker'), minThreads: w - 1, maxThreads: w - 1, idleTimeout: 1000 });
  try {
    const tasks = Array.from({ length: w - 1 }, () => pool.run({ scenario, next }) as Promise<Claimed[]>);
    // Rejections are read below when the workers' runs are needed; when they are not (the main
    // thread did every run, or threw), destroying the pool must not leave them unhandled.
    for (const t of tasks) t.catch(() => {});
    await new Promise((r) => setImmediate(r)); // piscina hands the tasks to the workers' ports
    let arena: Arena | undefined;
    const mine = claimStrategies(scenario, next, () => (arena ??= Arena.create(plan)));
    // Workers still booting when the main thread has done every run are not waited for.
    const theirs = mine.length < scenario.strategies.length ? (await Promise.all(tasks)).flat() : [];
    const runs: StrategyRun[] = [];
    for (const c of [...mine, ...theirs]) runs[c.index] = c.run;
    return { schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, w), runs };
  } finally {
    await pool.destroy();
  }
}

export async function runScenario(input: unknown, opts: RunOptions = {}): Promise<RunRecord<Scenario>> {
  const s = typeof input === 'string' ? presetScenario(input, opts.calibration) : resolveScenario(input, '(inline)', opts.calibration);
  return runResolvedAsync(s, opts);
}

let commit: string | undefined;
function gitCommit(): string {
  if (commit === undefined) {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      commit = 'unknown';
    }
  }
  return commit;
}

export function provenance(started: Date, wallMs: number, workers: number): Provenance {
  const cpus = hostCpus();
  return {
    drainlab: pkg.version,
    gitCommit: gitCommit(),
    wasmSha256: coreSha256(),
    node: process.version,
    host: { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown' },
    startedAt: started.toISOString(),
    wallMs: Math.round(wallMs * 10) / 10,
    workers,
  };
}
