/**
 * The messages between the sweep's main thread and its cell workers (threads talk only through
 * declared types; errors cross as data). A worker never throws for a bad cell: it
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
  /** With user strategies: the harness watchdog's shared memory (src/sim/plugin-guard.ts). */
  guard?: SharedArrayBuffer;
  /** User strategies the watchdog stopped in an earlier attempt of this cell (name -> simulated ns): not run again. */
  hung?: Record<string, number>;
}

/** A no-op that makes a worker load its modules and compile the WASM core (pool warm-up). */
export interface PingTask {
  kind: 'ping';
}

/**
 * Several short cells in one task (one round trip and one wake-up for all of them): the worker
 * runs them in order and answers one result per cell, in the same order.
 */
export interface BatchTask {
  kind: 'batch';
  cells: CellTask[];
}

export type WorkerTask = CellTask | PingTask | BatchTask;

export interface CellDone {
  state: 'done';
  cellId: string;
  /** The SweepCell as one JSON line (no newline), serialized in the worker to keep the main thread free. */
  line: string;
  /** Simulator wall time for the cell (ms), measurement only. */
  wallMs: number;
  /** The record's `warnings` (load self-check), for the sweep to say on stderr. */
  warnings?: string[];
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
export type WorkerResult = CellResult | PingDone | CellResult[];
