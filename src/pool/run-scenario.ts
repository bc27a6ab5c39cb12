/**
 * One scenario over W threads (docs/architecture.md, "Fan-out inside one scenario"). The record
 * is the same for any W: each strategy run is the same deterministic simulation wherever it runs.
 */
import { Arena, SHARD_MIN_PAGES } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { ShardPool } from '../shard/pool.ts';
import { workerEntry } from '../io/worker-entry.ts';
import { claimStrategies, runResolved, withWarnings, type Claimed, type RunOptions } from '../sim/run.ts';
import { provenance } from '../metrics/provenance.ts';
import { pluginSpecs } from '../strategies/plugin.ts';
import type { Scenario } from '../scenario/resolve.ts';
import type { RunRecord, StrategyRun } from '../metrics/record.ts';

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

async function runStrategiesInParallel(s: Scenario, opts: RunOptions, w: number): Promise<RunRecord<Scenario>> {
  const started = new Date();
  const t0 = performance.now();
  const scenario: Scenario = { ...s, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.strategies ? { strategies: opts.strategies } : {}) };
  const plan = planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize); // refuse before starting threads
  const { Piscina } = await import('piscina');
  const next = new Int32Array(new SharedArrayBuffer(4));
  const pool = new Piscina({ ...workerEntry('strategy-worker'), minThreads: w - 1, maxThreads: w - 1, idleTimeout: 1000 });
  try {
    const plugins = pluginSpecs();
    const tasks = Array.from({ length: w - 1 }, () => pool.run({ scenario, next, plugins }) as Promise<Claimed[]>);
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
    return withWarnings({ schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, w), runs });
  } finally {
    await pool.destroy();
  }
}

