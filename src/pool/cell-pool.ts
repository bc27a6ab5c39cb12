/**
 * The cell pool: a fixed set of W piscina worker threads that run sweep cells (protocol.ts).
 *
 * Why these piscina settings: minThreads = maxThreads = W so the pool never shrinks and re-spawns
 * (idleTimeout 0 would kill idle workers, and each new one reloads tsx and recompiles the core);
 * one task per worker at a time, so W is exactly the number of busy cores.
 *
 * A worker that dies mid-cell (process.exit, a crash, an OOM kill of the thread) rejects its task;
 * piscina replaces the worker and the pool retries the cell once on the fresh one. A second death
 * records the cell as failed. A cell that throws inside the simulator is not retried: the worker
 * reports it as data and it would fail the same way again (the simulation is deterministic).
 */
import { Piscina } from 'piscina';
import { pathToFileURL } from 'node:url';
import { workerEntry } from '../io/worker-entry.ts';
import { pluginSpecs } from '../strategies/plugin.ts';
import { GUARD_BYTES, guardReading, pluginBudgetMs } from '../sim/plugin-guard.ts';
import type { BatchTask, CellDone, CellResult, CellTask, WorkerResult, WorkerTask } from './protocol.ts';

export interface CellFailed {
  state: 'failed';
  cellId: string;
  /**
   * 'worker-exit': the worker died on every attempt; 'error': the simulation threw; 'abandoned':
   * the pool was destroyed while the cell ran or waited (an interrupted sweep: not a failure).
   */
  cause: 'worker-exit' | 'error' | 'abandoned';
  attempts: number;
  error: { name: string; message: string; stack?: string };
}

export type CellOutcome = CellDone | CellFailed;

/** How many times a cell runs at most when its worker dies under it. */
export const MAX_ATTEMPTS = 2;

const errorData = (e: Error) => ({ name: e.name, message: e.message, stack: e.stack });

/** A cell as the sweep hands it to the pool (the pool adds the attempt, W and the plugins). */
export type PoolCell = Omit<CellTask, 'attempt' | 'workers' | 'kind' | 'plugins' | 'guard' | 'hung'>;

function outcomeOf(r: CellResult, cellId: string, attempt: number): CellOutcome {
  if (r.state === 'done') return r;
  return { state: 'failed', cellId, cause: 'error', attempts: attempt, error: r.error };
}

export class CellPool {
  readonly workers: number;
  private readonly pool: Piscina;
  private destroyed = false;
  /** The user strategy files loaded in this thread when the pool started: every worker loads them. */
  private readonly plugins = pluginSpecs();

  private constructor(workers: number) {
    this.workers = workers;
    // DRAINLAB_CELL_WORKER injects another worker file (tests wrap the real one with faults:
    // test/support/faulty-cell-worker.cjs); it must answer the same protocol.
    const injected = process.env.DRAINLAB_CELL_WORKER;
    const { filename, execArgv } = injected ? { filename: pathToFileURL(injected).href, execArgv: [] } : workerEntry('cell-worker');
    this.pool = new Piscina({
      filename,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
      execArgv,
    });
    // A worker that dies while idle is replaced by piscina; with no task to fail it reports here.
    this.pool.on('error', () => {});
  }

  /** Starts W workers and waits until each has loaded the simulator (fails fast if they cannot). */
  static async start(workers: number): Promise<CellPool> {
    const p = new CellPool(workers);
    try {
      await Promise.all(Array.from({ length: workers }, () => p.pool.run({ kind: 'ping' } satisfies WorkerTask)));
    } catch (e) {
      await p.destroy();
      throw new Error(`cell workers failed to start: ${(e as Error).message}`);
    }
    return p;
  }

  /**
   * Runs one cell; retried once on a fresh worker if its worker dies. Never rejects. `from`: the
   * first attempt's number (2 when the cell's batch died under it: its last attempt runs alone).
   * With user strategies, under the harness watchdog (src/sim/plugin-guard.ts): a call into a user
   * strategy's seal path that runs past DRAINLAB_PLUGIN_BUDGET_MS gets its worker terminated, and
   * the cell runs again without that strategy, whose run is recorded as `hung` (a strategy
   * failure: the sweep exits 1, the other strategies' runs are kept).
   */
  async run(task: PoolCell, from = 1): Promise<CellOutcome> {
    let last: Error | undefined;
    const hung: Record<string, number> = {};
    for (let attempt = from; attempt <= MAX_ATTEMPTS; attempt++) {
      const guard = this.plugins.length > 0 ? new SharedArrayBuffer(GUARD_BYTES) : undefined;
      const abort = guard ? new AbortController() : undefined;
      const watch = guard ? { guard, abort: abort!, stopped: undefined as { atNs: number; strategyIndex: number } | undefined } : undefined;
      if (watch) this.watched.add(watch);
      try {
        const r = (await this.pool.run({ ...this.cellTask(task, attempt), ...(guard ? { guard } : {}), ...(Object.keys(hung).length ? { hung } : {}) } satisfies CellTask, abort ? { signal: abort.signal } : {})) as WorkerResult;
        if (Array.isArray(r) || r.state === 'pong') throw new Error('unexpected worker answer');
        return outcomeOf(r, task.cellId, attempt);
      } catch (e) {
        last = e instanceof Error ? e : new Error(String(e));
        if (this.destroyed) return { state: 'failed', cellId: task.cellId, cause: 'abandoned', attempts: attempt, error: errorData(last) };
        const name = watch?.stopped ? task.scenario.strategies[watch.stopped.strategyIndex] : undefined;
        if (name !== undefined && !(name in hung)) {
          hung[name] = watch!.stopped!.atNs;
          attempt--; // the watchdog's stop is not the worker dying: run the cell again without it
        }
      } finally {
        if (watch) this.watched.delete(watch);
      }
    }
    return { state: 'failed', cellId: task.cellId, cause: 'worker-exit', attempts: MAX_ATTEMPTS, error: errorData(last!) };
  }

  /**
   * Runs several cells as one task on one worker (short cells: one round trip for all). The
   * outcomes are in the tasks' order and are what `run` would give: if the worker dies in the
   * batch, no one can tell which cell killed it, so every cell of the batch runs again alone, as
   * its second and last attempt. Never rejects.
   */
  async runBatch(tasks: readonly PoolCell[]): Promise<CellOutcome[]> {
    if (tasks.length === 1) return [await this.run(tasks[0]!)];
    // User strategies run under the watchdog, which guards one cell per task: no batches then.
    if (this.plugins.length > 0) return Promise.all(tasks.map((t) => this.run(t)));
    try {
      const batch: BatchTask = { kind: 'batch', cells: tasks.map((t) => this.cellTask(t, 1)) };
      const rs = (await this.pool.run(batch satisfies WorkerTask)) as WorkerResult;
      if (!Array.isArray(rs) || rs.length !== tasks.length) throw new Error('unexpected worker answer to a batch');
      return rs.map((r, i) => outcomeOf(r, tasks[i]!.cellId, 1));
    } catch (e) {
      const err = errorData(e instanceof Error ? e : new Error(String(e)));
      if (this.destroyed) return tasks.map((t) => ({ state: 'failed', cellId: t.cellId, cause: 'abandoned', attempts: 1, error: err }));
      return Promise.all(tasks.map((t) => this.run(t, 2)));
    }
  }

  private cellTask(task: PoolCell, attempt: number): CellTask {
    return { ...task, kind: 'cell', attempt, workers: this.workers, plugins: this.plugins };
  }

  /** Cells in flight with user strategies: the watchdog's view of each. */
  private readonly watched = new Set<{ guard: SharedArrayBuffer; abort: AbortController; stopped?: { atNs: number; strategyIndex: number } }>();
  private readonly budgetMs = this.plugins.length > 0 ? pluginBudgetMs() : 0;
  private readonly watchdog = this.plugins.length > 0 ? setInterval(() => this.watch(), Math.max(10, Math.min(250, this.budgetMs >> 2))).unref() : undefined;

  private watch(): void {
    for (const w of this.watched) {
      if (w.abort.signal.aborted) continue;
      const r = guardReading(w.guard);
      if (r && r.ms > this.budgetMs) {
        w.stopped = { atNs: r.atNs, strategyIndex: r.strategyIndex };
        w.abort.abort();
      }
    }
  }

  /** Waits for running cells, then stops the workers. */
  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await this.pool.close();
  }

  /** Stops the workers now; running cells are abandoned (their promises settle as failed). */
  async destroy(): Promise<void> {
    clearInterval(this.watchdog);
    this.destroyed = true;
    await this.pool.destroy();
  }
}

/**
 * Warm cell pools kept across the sweeps of one command (a study's parts, a sensitivity run's
 * phases): each worker's isolate pays its JIT warm-up (~1 CPU s on the fadvise-storm cells,
 * docs/scaling.md) once per command instead of once per sweep. One pool per worker count; a
 * destroyed pool (an abandoned sweep) is forgotten, and the command closes the rest at its end.
 */
export class PoolKeeper {
  private readonly pools = new Map<number, Promise<CellPool>>();

  /** A started pool of `workers` workers: the one kept, or a new one, kept from now on. */
  start(workers: number): Promise<CellPool> {
    let p = this.pools.get(workers);
    if (!p) {
      p = CellPool.start(workers);
      this.pools.set(workers, p);
      p.catch(() => this.pools.delete(workers)); // a pool that failed to start is not handed out again
    }
    return p;
  }

  /** Stops a kept pool now (its sweep is abandoned) and forgets it. */
  async destroy(pool: CellPool): Promise<void> {
    for (const [w, p] of this.pools) if ((await p.catch(() => undefined)) === pool) this.pools.delete(w);
    await pool.destroy();
  }

  /** Waits for running cells, then stops every kept pool. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.then((x) => x.close(), () => {})));
  }
}
