// Short cells go to the pool in batches (src/sweep/runner.ts BatchSizer): one task, one round trip
// for several cells. Batches change nothing a sweep writes: every line's record equals the cell
// simulated alone in this thread, and a worker dying in a batch costs no cell (each cell of the
// batch runs again alone, as its last attempt) or exactly the one that keeps killing it.
// Cost: ~5-10 s (three sweeps of 60 one-strategy fuse-selftest cells at W = 2).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweep } from '../src/sweep/grid.ts';
import { BATCH_MAX, BATCH_TARGET_MS, BatchSizer, runSweep } from '../src/sweep/runner.ts';
import { runResolved } from '../src/sim/run.ts';

const EXIT_ENV = 'FAULTY_WORKER_EXIT';
const ATTEMPTS_ENV = 'FAULTY_WORKER_EXIT_ATTEMPTS';
process.env.DRAINLAB_CELL_WORKER = new URL('./support/faulty-cell-worker.cjs', import.meta.url).pathname;

const root = mkdtempSync(join(tmpdir(), 'drainlab-batch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env[EXIT_ENV];
  delete process.env[ATTEMPTS_ENV];
});

const sweep = Sweep.fromJson({ name: 'batch', base: 'fuse-selftest', params: { cpus: [2, 3, 4, 5, 6] }, replications: 12, strategies: ['v4.14'] });
const cells = [...sweep.cells()];
// In the middle of a batch (cells 49-55).
const victim = cells[50]!.cellId;
const lines = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
// Batches of 7 (fixed, so that the test does not depend on how fast cells run here): 60 cells in 9 tasks.
const run = (out: string) => runSweep(sweep, { out, workers: 2, shard: null, resume: false, progress: false, log: () => {}, handleSignals: false, batchCells: 7 });
const strip = (r: unknown) => JSON.stringify({ ...(r as object), provenance: undefined });

describe('batches of short cells', () => {
  it('size follows the slowest recent cell, the cap and an even share of what is left', () => {
    const b = new BatchSizer(2);
    expect(b.size(1000)).toBe(1); // nothing measured yet
    b.observe(1);
    expect(b.size(1000)).toBe(BATCH_TARGET_MS); // 50 cells of 1 ms
    expect(b.size(30)).toBe(7); // 30 left over 4 slots
    expect(b.size(3)).toBe(1);
    b.observe(BATCH_TARGET_MS * 2); // one slow cell in the window: one cell per task
    expect(b.size(1000)).toBe(1);
    const fast = new BatchSizer(1);
    for (let i = 0; i < 20; i++) fast.observe(0.001);
    expect(fast.size(1e6)).toBe(BATCH_MAX);
  });

  it('write every cell as simulated alone, in fewer tasks than cells', async () => {
    const out = join(root, 'plain');
    const s = await run(out);
    expect(s).toMatchObject({ cells: 60, ran: 60, failed: 0, complete: true, tasks: 9 });
    const byId = new Map(lines(join(out, 'cells.jsonl')).map((l) => [l.cellId, l]));
    expect(byId.size).toBe(60);
    for (const c of cells) expect(strip(byId.get(c.cellId)!.record)).toBe(strip(runResolved(c.scenario)));
  });

  it('a worker that dies once in a batch costs no cell', async () => {
    process.env[EXIT_ENV] = victim;
    process.env[ATTEMPTS_ENV] = '1';
    const out = join(root, 'once');
    const s = await run(out);
    expect(s).toMatchObject({ cells: 60, ran: 60, failed: 0, complete: true, tasks: 9 });
    expect(existsSync(join(out, 'failed.jsonl'))).toBe(false);
  });

  it('a cell that always kills its worker fails alone, after two attempts', async () => {
    process.env[EXIT_ENV] = victim;
    const out = join(root, 'always');
    const s = await run(out);
    expect(s).toMatchObject({ cells: 60, ran: 59, failed: 1, complete: false });
    const failed = lines(join(out, 'failed.jsonl'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ cellId: victim, cause: 'worker-exit', attempts: 2 });
  });
});
