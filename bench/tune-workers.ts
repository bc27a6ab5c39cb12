/**
 * `drainlab tune --workers auto`: this host's sweep throughput for W = 1 .. cores on a small fixed
 * sweep (R replications of one preset, every strategy). Each W gets a fresh pool; its start-up
 * (worker threads, WASM compile) is timed apart from the cells, and cells/s counts the cells only.
 * A measurement of the host, not of the model: it lives with the benchmarks.
 */
import { textTable } from '../src/io/format.ts';
import { availableParallelism } from 'node:os';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { CellPool } from '../src/pool/cell-pool.ts';
import { cellIdOf } from '../src/sweep/canonical.ts';
import { LAB_VERSION } from '../src/sweep/grid.ts';
import { baseInput } from '../src/sweep/tune.ts';

export interface TuneWorkersRow {
  workers: number;
  startupMs: number;
  wallMs: number;
  cellsPerSec: number;
  speedup: number;
}

export interface TuneWorkersResult {
  schema: 'drainlab/tune-workers@1';
  preset: string;
  cells: number;
  cores: number;
  rows: TuneWorkersRow[];
  best: number;
}

export async function tuneWorkers(o: { preset: string; replications: number; maxWorkers?: number; log: (s: string) => void }): Promise<TuneWorkersResult> {
  const input = baseInput(o.preset);
  const s = resolveScenario(input, `(tune --workers auto, ${o.preset})`);
  const cores = availableParallelism();
  const maxW = o.maxWorkers ?? cores;
  const tasks = Array.from({ length: o.replications }, (_, r) => {
    const scenario = { ...s, seed: s.seed + r, replication: r };
    return { cellId: cellIdOf(scenario, r, LAB_VERSION), pointId: 'tune', params: {}, replication: r, scenario };
  });
  const rows: TuneWorkersRow[] = [];
  for (let w = 1; w <= maxW; w++) {
    const t0 = performance.now();
    const pool = await CellPool.start(w);
    const t1 = performance.now();
    try {
      let next = 0;
      const lane = async () => {
        while (next < tasks.length) {
          const o2 = await pool.run(tasks[next++]!);
          if (o2.state !== 'done') throw new Error(`tune: a cell failed (${o2.cause}): ${o2.error.message}`);
        }
      };
      await Promise.all(Array.from({ length: 2 * w }, lane));
    } finally {
      await pool.close();
    }
    const wallMs = performance.now() - t1;
    const row = { workers: w, startupMs: Math.round(t1 - t0), wallMs: Math.round(wallMs), cellsPerSec: tasks.length / (wallMs / 1000), speedup: 1 };
    rows.push(row);
    row.speedup = rows[0]!.wallMs / row.wallMs;
    o.log(`tune: W=${w} ${row.cellsPerSec.toFixed(2)} cells/s`);
  }
  const best = rows.reduce((a, b) => (b.cellsPerSec > a.cellsPerSec ? b : a)).workers;
  return { schema: 'drainlab/tune-workers@1', preset: o.preset, cells: tasks.length, cores, rows, best };
}

export function tuneWorkersTable(r: TuneWorkersResult): string {
  const head = ['W', 'start-up s', 'cells s', 'cells/s', 'speedup'];
  const rows = r.rows.map((x) => [String(x.workers), (x.startupMs / 1000).toFixed(2), (x.wallMs / 1000).toFixed(2), x.cellsPerSec.toFixed(2), `${x.speedup.toFixed(2)}x`]);
  return [
    `sweep throughput on this host: ${r.cells} cells of ${r.preset} (every strategy), W = 1..${r.rows.length} (${r.cores} cores)`,
    textTable(head, rows),
    `best: --workers ${r.best}`,
  ].join('\n');
}

