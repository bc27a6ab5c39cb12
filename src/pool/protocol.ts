/**
 * The messages between the sweep's main thread and its cell workers (STYLE lesson 8: threads talk
 * only through declared types; errors cross as data). A worker never throws for a bad cell: it
 * answers `{ state: 'error' }`, so a rejected task always means the worker itself died (crash,
 * process.exit, out of memory), which is the only case the pool retries.
 */
import type { Scenario } from '../scenario/resolve.ts';
import type { ParamValue } from '../metrics/cells.ts';
import type { PluginSpec } from '../strategies/plugin.ts';

/** One cell to simulate: every strategy of one resolved scenario (one grid point, one replication). */
export interface CellTask {
  kind: 'cell';
  cellId: string;
  /** Id of the grid point (the same for every replication of it). */
  pointId: string;
  params: Record<string, ParamValue>;
  replication: number;
  /** Fully resolved; seed = base seed + replication, `replication` set, `strategies` set. */
  scenario: Scenario;
  /** 1 on the first try, 2 on the retry after a worker died. */
  attempt: number;
  /** Pool size, for the record's provenance only (never changes results). */
  workers: number;
  /** User strategy files the main thread loaded: the worker loads them too before simulating. */
  plugins?: PluginSpec[];
}

/** A no-op that makes a worker load its modules and compile the WASM core (pool warm-up). */
export interface PingTask {
  kind: 'ping';
}

export type WorkerTask = CellTask | PingTask;

export interface CellDone {
  state: 'done';
  cellId: string;
  /** The SweepCell as one JSON line (no newline), serialized in the worker to keep the main thread free. */
  line: string;
  /** Simulator wall time for the cell (ms), measurement only. */
  wallMs: number;
  /** User strategies that failed in this cell (threw, or a seal never returned): one line each. */
  strategyFailures?: string[];
}

export interface CellError {
  state: 'error';
  cellId: string;
  error: { name: string; message: string; stack?: string };
}

export interface PingDone {
  state: 'pong';
  threadId: number;
}

export type CellResult = CellDone | CellError;
export type WorkerResult = CellResult | PingDone;

/**
 * Test-only hooks, read from the environment by the worker (worker threads share the process's
 * environment). They make a worker die the hard way (process.exit inside the worker thread) while
 * it runs a given cell, which is what a segfaulting or OOM-killed worker looks like to the pool.
 *   DRAINLAB_TEST_WORKER_EXIT=<cellId prefix>[,<prefix>...]   die on these cells
 *   DRAINLAB_TEST_WORKER_EXIT_ATTEMPTS=<n>                     only on attempts <= n (default: every attempt)
 *   DRAINLAB_TEST_CELL_DELAY_MS=<ms>                           sleep before each cell (so a test can interrupt a sweep mid-way)
 */
export const TEST_EXIT_ENV = 'DRAINLAB_TEST_WORKER_EXIT';
export const TEST_EXIT_ATTEMPTS_ENV = 'DRAINLAB_TEST_WORKER_EXIT_ATTEMPTS';
export const TEST_DELAY_ENV = 'DRAINLAB_TEST_CELL_DELAY_MS';
