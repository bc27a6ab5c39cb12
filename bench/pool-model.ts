/**
 * A small discrete-event model of a sweep on the cell pool (src/sweep/runner.ts +
 * src/pool/cell-pool.ts), for hosts larger than the one the lab is measured on (docs/scaling.md
 * section 8). Deterministic (no randomness): what it shows is where each bound takes over.
 *
 *   W workers on C cores. A worker's first `warmCells` cells cost `warmFactor` times a steady cell
 *   (its isolate's JIT warm-up, measured on 2 vCPUs); a worker starts `startMs` after the sweep.
 *   The main thread is one server: per cell it spends `mainMsPerCell` (task post, structured clone
 *   of the answer, the JSONL line appended) and, per group commit, `fsyncMs`. At most 2W cells
 *   are in flight (runner.ts). With W > C the workers share the cores (time-sliced).
 *
 *   node --import tsx bench/pool-model.ts [--cell-ms 200] [--cells 10000]
 */

export interface PoolModel {
  workers: number;
  cores: number;
  cells: number;
  cellMs: number;
  warmCells: number;
  warmFactor: number;
  startMs: number;
  mainMsPerCell: number;
  fsyncMs: number;
}

export interface PoolResult {
  wallMs: number;
  cellsPerSec: number;
  /** Fraction of the wall time the main thread was busy. */
  mainBusy: number;
  /** Speed-up over one worker of the same model. */
  speedup?: number;
}

/**
 * Simulates the sweep. Each worker runs cells back to back; a finished cell waits for the main
 * thread (a FIFO server) to record it, and group commits share one fsync among the cells that the
 * main thread finds waiting. With more workers than cores each worker runs at cores/W speed.
 */
export function simulatePool(m: PoolModel): PoolResult {
  const speed = Math.min(1, m.cores / m.workers);
  // Per worker: the times its cells finish (before the main thread records them).
  const finishes: number[] = [];
  const perWorker = Math.ceil(m.cells / m.workers);
  for (let w = 0; w < m.workers; w++) {
    let t = m.startMs;
    const mine = Math.min(perWorker, m.cells - w * perWorker);
    for (let i = 0; i < mine; i++) {
      t += (m.cellMs * (i < m.warmCells ? m.warmFactor : 1)) / speed;
      finishes.push(t);
    }
  }
  finishes.sort((a, b) => a - b);
  // The main thread: records cells in finishing order; a batch is every cell already finished
  // when it gets to them, one fsync per batch.
  let t = 0;
  let busy = 0;
  let i = 0;
  while (i < finishes.length) {
    t = Math.max(t, finishes[i]!);
    let j = i;
    while (j < finishes.length && finishes[j]! <= t) j++;
    const cost = (j - i) * m.mainMsPerCell + m.fsyncMs;
    t += cost;
    busy += cost;
    i = j;
  }
  return { wallMs: t, cellsPerSec: (m.cells / t) * 1000, mainBusy: busy / t };
}

/**
 * The bound on a worker-side-free sweep: the main thread alone, 1000 / mainMsPerCell cells/s
 * (fsyncs shared by the cells of a batch).
 */
export function mainThreadBound(m: Pick<PoolModel, 'mainMsPerCell'>): number {
  return 1000 / m.mainMsPerCell;
}

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  // Measured on 2 vCPUs (docs/scaling.md sections 6-8): ~0.3 ms of main-thread work per cell
  // (round trip and line), an fsync ~1 ms, a worker's first 2 cells ~2.5x a steady one, 60 ms
  // to start a worker from its bundle.
  const base = { cells: arg('cells', 10_000), warmCells: 2, warmFactor: 2.5, startMs: 60, mainMsPerCell: arg('main-ms', 0.3), fsyncMs: arg('fsync-ms', 1) };
  for (const cellMs of [arg('cell-ms', 200), 1000, 20, 1]) {
    const rows = [1, 16, 64, 256].map((w) => {
      const r = simulatePool({ ...base, workers: w, cores: w, cellMs });
      return { W: w, cores: w, 'cells/s': Math.round(r.cellsPerSec), 'main busy': `${Math.round(r.mainBusy * 100)} %`, 'wall s': +(r.wallMs / 1000).toFixed(2) };
    });
    const one = rows[0]!['cells/s'];
    console.log(`cells of ${cellMs} ms (steady), ${base.cells} cells; main thread bound ${Math.round(mainThreadBound(base))} cells/s`);
    console.table(rows.map((r) => ({ ...r, speedup: +(r['cells/s'] / one).toFixed(1) })));
  }
}
