/** A sweep's output line: the contract between the sweep, the pool and every reader of cells.jsonl. */
import type { RunRecord } from './record.ts';

export type ParamValue = string | number | boolean | null;

/**
 * One line of a sweep's JSONL output: one replication of one grid cell. `record` holds every
 * strategy the cell ran, all on the same scenario and seed, which is what makes (cellId,
 * replication) the pairing key of the paired comparisons.
 */
export interface SweepCell {
  /** Stable id of the grid cell (the same params give the same id across shards and resumes). */
  cellId: string;
  /** The grid coordinates of this cell, e.g. { preset: 'fuse-selftest', cpus: 64, pinMs: 100 }. */
  params: Record<string, ParamValue | Record<string, unknown>>;
  /** Replication index within the cell (0-based); the replication's seed is in record.scenario. */
  replication: number;
  /**
   * Written by `drainlab sweep`: the id of the grid point, the same for every replication of it.
   * (A sweep's `cellId` hashes the replication's resolved scenario, seed included, so each line of
   * a sweep has its own cellId; `pointId` is what groups a point's replications.)
   */
  pointId?: string;
  record: RunRecord;
}
