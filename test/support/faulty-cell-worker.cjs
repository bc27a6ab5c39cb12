// A cell worker for tests: the real one (build/workers/cell-worker.cjs), wrapped with faults.
// Injected with DRAINLAB_CELL_WORKER=<this file> (src/pool/cell-pool.ts); the production worker
// carries no test hooks. Worker threads share the process's environment, so the faults are set
// there too:
//   FAULTY_WORKER_EXIT=<cellId prefix>[,<prefix>...]  process.exit(70) inside the worker thread on
//                                                    these cells (what a segfault or an OOM kill
//                                                    of the thread looks like to the pool)
//   FAULTY_WORKER_EXIT_ATTEMPTS=<n>                   only on attempts <= n (default: every attempt)
//   FAULTY_WORKER_DELAY_MS=<ms>                       sleep before each cell (so a test can
//                                                    interrupt a sweep mid-way)
const { join } = require('node:path');
const real = require(join(__dirname, '..', '..', 'build', 'workers', 'cell-worker.cjs'));
const handle = real.default ?? real;

module.exports = function faulty(task) {
  // A batch (several short cells in one task) meets the same faults, cell by cell.
  if (task.kind === 'batch') return task.cells.map(faulty);
  if (task.kind === 'cell') {
    const delay = Number(process.env.FAULTY_WORKER_DELAY_MS ?? 0);
    if (delay > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
    const spec = process.env.FAULTY_WORKER_EXIT;
    const upTo = Number(process.env.FAULTY_WORKER_EXIT_ATTEMPTS ?? Infinity);
    if (spec && task.attempt <= upTo && spec.split(',').some((p) => p !== '' && task.cellId.startsWith(p))) process.exit(70);
  }
  return handle(task);
};
