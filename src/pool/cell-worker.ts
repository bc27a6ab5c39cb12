/**
 * A sweep cell worker (piscina). Each worker thread simulates whole cells with `runResolved` on an
 * arena of its own, so no simulator state is shared between threads; the record depends only on
 * the task's scenario, never on which worker ran it or how many there are.
 *
 * Why arenas are kept between cells: a fresh arena per cell is a new shared WebAssembly.Memory,
 * which V8 frees only when a GC happens to run, and it does not count that memory as pressure. A
 * sweep of 3,000 tiny cells grew the process to 460 MiB that way. So the worker keeps the last few
 * arenas by layout (files, pages, CPUs, pagevec size) and hands the matching one to runResolved,
 * which resets it before use, exactly as it does between the strategies of one cell.
 */
import { threadId } from 'node:worker_threads';
import { runResolved } from '../sim/run.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { Arena } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { ensurePlugins } from '../strategies/plugin.ts';
import { setPluginGuard } from '../sim/plugin-guard.ts';
import type { SweepCell } from '../metrics/cells.ts';
import type { BatchTask, CellResult, CellTask, PingDone, PingTask, WorkerResult, WorkerTask } from './protocol.ts';

/** Arenas kept per worker: at most this many layouts, and this many bytes of WASM memory in all. */
const ARENA_KEEP = 4;
const ARENA_KEEP_BYTES = 1 << 30;
const arenas = new Map<string, Arena>(); // in least-recently-used order

function arenaFor(s: Scenario): Arena {
  const key = `${s.files}/${s.pages}/${s.cpus}/${s.pagevecSize}`;
  let a = arenas.get(key);
  if (a) arenas.delete(key);
  else a = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
  arenas.set(key, a);
  let bytes = 0;
  for (const x of arenas.values()) bytes += x.plan.bytes;
  for (const [k, x] of arenas) {
    if (arenas.size <= 1 || (arenas.size <= ARENA_KEEP && bytes <= ARENA_KEEP_BYTES)) break;
    arenas.delete(k);
    bytes -= x.plan.bytes;
  }
  return a;
}

export default function handle(task: CellTask): CellResult;
export default function handle(task: BatchTask): CellResult[];
export default function handle(task: PingTask): PingDone;
export default function handle(task: WorkerTask): WorkerResult;
export default function handle(task: WorkerTask): WorkerResult {
  if (task.kind === 'ping') {
    // Loads the simulator and compiles the core once per thread, before the first timed cell.
    runResolved(resolveScenario({ name: 'warmup', cpus: 1, pages: 1, horizonMs: 1, strategies: ['v4.14'] }, '(warmup)'));
    return { state: 'pong', threadId };
  }
  if (task.kind === 'batch') return task.cells.map(runCell);
  return runCell(task);
}

function runCell(task: CellTask): CellResult {
  const t0 = performance.now();
  try {
    setPluginGuard(task.guard);
    ensurePlugins(task.plugins);
    const record = runResolved(task.scenario, { workers: task.workers, ...(task.hung ? { hung: task.hung } : {}) }, arenaFor(task.scenario));
    // cellId first: resume finds it at the start of each line without parsing the whole record.
    const cell: SweepCell = {
      cellId: task.cellId,
      pointId: task.pointId,
      params: task.params,
      replication: task.replication,
      record,
    };
    const failures = record.runs.filter((r) => r.error).map((r) => `strategy ${r.strategy} (${r.error!.file}${r.error!.line !== undefined ? `:${r.error!.line}` : ''}): ${r.error!.message}`);
    return { state: 'done', cellId: task.cellId, line: JSON.stringify(cell), wallMs: performance.now() - t0, ...(record.warnings ? { warnings: record.warnings } : {}), ...(failures.length ? { strategyFailures: failures } : {}) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { state: 'error', cellId: task.cellId, error: { name: err.name, message: err.message, stack: err.stack } };
  }
}
