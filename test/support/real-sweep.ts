/**
 * Real simulator output for the report's tests: a small sweep (the default study's shapes, shrunk)
 * run in this thread through the grid and the simulator, as `drainlab sweep` runs it. Built once
 * per test file and cached in memory.
 */
import { Sweep } from '../../src/sweep/grid.ts';
import { runResolved } from '../../src/sim/run.ts';
import { studySweeps } from '../../src/study/study.ts';
import type { SweepCell } from '../../src/metrics/cells.ts';

const STRATEGIES = ['v4.14', 'no-drain', 'drain-unlocked', 'coalesced', 'local-first'];

let cached: SweepCell[] | undefined;

/** Cells of: the debate-2017 and lockdep-2017 presets, CPU counts 2..8, pin durations 1 and 100 ms, 4/14/15 pages parked; 3 replications. */
export function realCells(): SweepCell[] {
  if (cached) return cached;
  const parts = studySweeps(true);
  const shrink: Record<string, Record<string, unknown>> = {
    presets: { preset: ['debate-2017', 'lockdep-2017'] },
    'cpu-scaling': { cpus: [2, 4, 8] },
    'pin-duration': { 'workload.lifecycles[0].pinDuration.ms': [1, 100] },
    'pages-per-cpu': { 'workload.lifecycles[0].writePages': [4, 14, 15] },
  };
  const out: SweepCell[] = [];
  for (const { part, sweep } of parts) {
    const s = Sweep.fromJson({ ...(sweep as object), params: shrink[part], replications: 3, strategies: STRATEGIES }, `test ${part}`);
    for (const c of s.cells()) {
      const record = runResolved(c.scenario, { workers: 1 });
      out.push({ cellId: c.cellId, pointId: c.pointId, params: c.params, replication: c.replication, record: JSON.parse(JSON.stringify(record)) });
    }
  }
  cached = out;
  return out;
}
