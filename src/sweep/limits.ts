/**
 * The limits that keep a sweep finite before any cell runs: values per parameter, grid points
 * (every point is visited once to apply the constraints), cells (points x replications: each is a
 * line of cells.jsonl and an entry of resume's and merge's indexes), and the index of a list element
 * a parameter path may name (`script[99999999].atMs` would build a 100M-element array). Each cell's
 * own work is bounded by src/scenario/limits.ts. Over a limit is exit 2 naming it and
 * DRAINLAB_MAX_SWEEP_CELLS / DRAINLAB_MAX_GRID_POINTS to raise it deliberately.
 */
import { UsageError } from '../errors.ts';

export const MAX_VALUES_PER_PARAM = 100_000;
export const DEFAULT_MAX_GRID_POINTS = 10_000_000;
export const DEFAULT_MAX_SWEEP_CELLS = 10_000_000;
/** Hard ceiling of cells anywhere (manifest checks): the env may not raise past it. */
export const MAX_SWEEP_CELLS = 1_000_000_000;
/** The largest list index a parameter path may name (script[i], workload.producers[i] ...). */
export const MAX_PATH_INDEX = 10_000;
export const GRID_ENV = 'DRAINLAB_MAX_GRID_POINTS';
export const CELLS_ENV = 'DRAINLAB_MAX_SWEEP_CELLS';

function envLimit(name: string, dflt: number, env: NodeJS.ProcessEnv): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SWEEP_CELLS) throw new UsageError(`${name}: got ${JSON.stringify(v)}; allowed: an integer in 1..${MAX_SWEEP_CELLS}`);
  return n;
}

export const maxGridPoints = (env: NodeJS.ProcessEnv = process.env) => envLimit(GRID_ENV, DEFAULT_MAX_GRID_POINTS, env);
export const maxSweepCells = (env: NodeJS.ProcessEnv = process.env) => envLimit(CELLS_ENV, DEFAULT_MAX_SWEEP_CELLS, env);
