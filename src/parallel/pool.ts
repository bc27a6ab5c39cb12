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
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { CellDone, CellTask, WorkerResult, WorkerTask } from './protocol.ts';

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

/** The worker file next to this one, .ts when running from source (tsx), .js when compiled. */
function workerFile(): { url: string; ts: boolean } {
  const ts = import.meta.url.endsWith('.ts');
  return { url: new URL(`./cell-worker${ts ? '.ts' : '.js'}`, import.meta.url).href, ts };
}

/**
 * Worker threads do not inherit a loader registered with tsx's register() API (bin/drainlab.js)
 * nor run under vitest's, so a .ts worker gets tsx explicitly (toolchain-notes section 7). The
 * loader is resolved to a file URL here, not as the bare name 'tsx', so it loads whatever the
 * current directory is.
 */
function workerExecArgv(ts: boolean): string[] {
  const inherited = loaderArgs(process.execArgv);
  if (!ts) return inherited;
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [...inherited, '--import', loader];
}

const WITH_VALUE = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

/**
 * The parent's flags a worker needs (module loaders and resolution conditions, e.g. vitest's), and
 * no others: Worker rejects per-process flags (`node --expose-gc` ...) with
 * ERR_WORKER_INVALID_EXEC_ARGV, and V8 flags are process-wide anyway.
 */
export function loaderArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (WITH_VALUE.has(name)) {
      if (a.includes('=')) out.push(a);
      else if (i + 1 < argv.length) out.push(a, argv[++i]!);
    } else if (a === '--no-warnings' || a === '--enable-source-maps' || /^--(no-)?experimental-/.test(name) || name === '--disable-warning') {
      out.push(a);
    }
  }
  return out;
}

const errorData = (e: Error) => ({ name: e.name, message: e.message, stack: e.stack });

export class CellPool {
  readonly workers: number;
  private readonly pool: Piscina;
  private destroyed = false;

  private constructor(workers: number) {
    this.workers = workers;
    const { url, ts } = workerFile();
    this.pool = new Piscina({
      filename: url,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
      execArgv: workerExecArgv(ts),
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

  /** Runs one cell; retried once on a fresh worker if its worker dies. Never rejects. */
  async run(task: Omit<CellTask, 'attempt' | 'workers' | 'kind'>): Promise<CellOutcome> {
    let last: Error | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        const r = (await this.pool.run({ ...task, kind: 'cell', attempt, workers: this.workers } satisfies CellTask)) as WorkerResult;
        if (r.state === 'done') return r;
        if (r.state === 'error') return { state: 'failed', cellId: task.cellId, cause: 'error', attempts: attempt, error: r.error };
        throw new Error(`unexpected worker answer ${r.state}`);
      } catch (e) {
        last = e instanceof Error ? e : new Error(String(e));
        if (this.destroyed) return { state: 'failed', cellId: task.cellId, cause: 'abandoned', attempts: attempt, error: errorData(last) };
      }
    }
    return { state: 'failed', cellId: task.cellId, cause: 'worker-exit', attempts: MAX_ATTEMPTS, error: errorData(last!) };
  }

  /** Waits for running cells, then stops the workers. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Stops the workers now; running cells are abandoned (their promises settle as failed). */
  async destroy(): Promise<void> {
    this.destroyed = true;
    await this.pool.destroy();
  }
}
