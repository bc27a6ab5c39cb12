// A worker that dies mid-cell (here: process.exit inside the worker thread, injected by test/support/faulty-cell-worker.cjs) gets
// its cell retried once on a fresh worker; a second death records the cell in failed.jsonl with
// the error and counts it in the summary, and the rest of the sweep is unaffected. --resume then
// retries the failed cell.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweep } from '../src/sweep/grid.ts';
import { runSweep } from '../src/sweep/runner.ts';

const TEST_EXIT_ENV = 'FAULTY_WORKER_EXIT';
const TEST_EXIT_ATTEMPTS_ENV = 'FAULTY_WORKER_EXIT_ATTEMPTS';
process.env.DRAINLAB_CELL_WORKER = new URL('./support/faulty-cell-worker.cjs', import.meta.url).pathname;

const root = mkdtempSync(join(tmpdir(), 'drainlab-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env[TEST_EXIT_ENV];
  delete process.env[TEST_EXIT_ATTEMPTS_ENV];
});

const sweep = Sweep.fromJson({ name: 'crash', base: 'fuse-selftest', params: { cpus: [2, 4, 8] }, replications: 2, strategies: ['v4.14'] });
const victim = [...sweep.cells()][3]!.cellId;
const lines = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const run = (out: string, resume = false) => runSweep(sweep, { out, workers: 2, shard: null, resume, progress: false, log: () => {}, handleSignals: false });

describe('a worker killed mid-cell', () => {
  it('is retried once and then recorded as failed; --resume retries it', async () => {
    process.env[TEST_EXIT_ENV] = victim.slice(0, 16);
    const out = join(root, 'always');
    const s = await run(out);
    expect(s).toMatchObject({ cells: 6, ran: 5, failed: 1, complete: false, interrupted: null });
    const cells = lines(join(out, 'cells.jsonl'));
    expect(cells).toHaveLength(5);
    expect(cells.map((c) => c.cellId)).not.toContain(victim);
    const failed = lines(join(out, 'failed.jsonl'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ cellId: victim, cause: 'worker-exit', attempts: 2, params: { cpus: 4 }, replication: 1 });
    expect(failed[0].error.message).toMatch(/worker exited with code: 70/);
    expect(JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).summary).toMatchObject({ failed: 1, ran: 5 });

    delete process.env[TEST_EXIT_ENV];
    const again = await run(out, true);
    expect(again).toMatchObject({ resumed: 5, ran: 1, failed: 0, complete: true });
    expect(lines(join(out, 'cells.jsonl')).map((c) => c.cellId)).toContain(victim);
    expect(existsSync(join(out, 'failed.jsonl'))).toBe(false);
  });

  it('succeeds on the retry when only the first attempt dies', async () => {
    process.env[TEST_EXIT_ENV] = victim;
    process.env[TEST_EXIT_ATTEMPTS_ENV] = '1';
    const out = join(root, 'once');
    const s = await run(out);
    expect(s).toMatchObject({ cells: 6, ran: 6, failed: 0, complete: true });
    expect(lines(join(out, 'cells.jsonl')).map((c) => c.cellId)).toContain(victim);
    expect(existsSync(join(out, 'failed.jsonl'))).toBe(false);
  });
});
