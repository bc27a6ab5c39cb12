// A sweep interrupted with SIGINT mid-way exits 130 with only whole lines written; a torn final
// line (a hard kill mid-append) is cut off by --resume, which then completes the sweep with
// exactly the cells of an uninterrupted run (compared canonically: provenance removed, by cellId).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalLine } from '../src/sweep/canonical.ts';

const root = mkdtempSync(join(tmpdir(), 'drainlab-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = new URL('../bin/drainlab.js', import.meta.url).pathname;

const sweepFile = join(root, 'sweep.json');
writeFileSync(sweepFile, JSON.stringify({ name: 'resume', base: 'fuse-selftest', params: { cpus: { from: 2, to: 16, step: 'x2' } }, replications: 6, strategies: ['v4.14', 'no-drain'] }));
const TOTAL = 24;

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((res) => child.on('exit', (code, signal) => res({ code, signal, stderr })));
  return { child, done };
}

const lines = (dir: string) => (existsSync(join(dir, 'cells.jsonl')) ? readFileSync(join(dir, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean) : []);
const canonical = (dir: string) => lines(dir).map(canonicalLine).sort().join('\n');

describe('sweep --resume', () => {
  it('completes a SIGINT-interrupted sweep (with a torn tail) to exactly the cells of a full run', async () => {
    const full = join(root, 'full');
    const r0 = await cli(['sweep', '--file', sweepFile, '--out', full, '--workers', '1', '--quiet']).done;
    expect(r0.code, r0.stderr).toBe(0);
    expect(lines(full)).toHaveLength(TOTAL);

    // Slow cells (test/support/faulty-cell-worker.cjs) so the interrupt lands mid-sweep.
    const part = join(root, 'part');
    const { child, done } = cli(['sweep', '--file', sweepFile, '--out', part, '--workers', '2'], { DRAINLAB_CELL_WORKER: new URL('./support/faulty-cell-worker.cjs', import.meta.url).pathname, FAULTY_WORKER_DELAY_MS: '150' });
    while (lines(part).length < 4) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const r1 = await done;
    expect(r1.code, r1.stderr).toBe(130);
    expect(r1.stderr).toMatch(/INTERRUPTED \(SIGINT\)/);
    const got = lines(part);
    expect(got.length).toBeGreaterThanOrEqual(4);
    expect(got.length).toBeLessThan(TOTAL);
    // Only whole lines: every one parses, and the file ends with a newline.
    for (const l of got) expect(() => JSON.parse(l)).not.toThrow();
    expect(readFileSync(join(part, 'cells.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    const manifest = JSON.parse(readFileSync(join(part, 'sweep.json'), 'utf8'));
    expect(manifest.summary).toMatchObject({ interrupted: 'SIGINT', complete: false });

    // Then a hard kill mid-append: half of a line for a cell that is not there yet.
    const have = new Set(got.map((l) => JSON.parse(l).cellId));
    const missing = lines(full).find((l) => !have.has(JSON.parse(l).cellId))!;
    appendFileSync(join(part, 'cells.jsonl'), missing.slice(0, missing.length >> 1));

    const r2 = await cli(['sweep', '--file', sweepFile, '--out', part, '--workers', '2', '--resume']).done;
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/cut a torn final line/);
    expect(r2.stderr).toMatch(new RegExp(`${TOTAL}/${TOTAL} cells \\(${got.length} resumed, ${TOTAL - got.length} run, 0 failed\\)`));
    const ids = lines(part).map((l) => JSON.parse(l).cellId);
    expect(new Set(ids).size).toBe(TOTAL);
    expect(canonical(part)).toBe(canonical(full));

    // Resuming a complete sweep runs nothing; starting over in the same --out without --resume is refused.
    const r3 = await cli(['sweep', '--file', sweepFile, '--out', part, '--resume', '--quiet']).done;
    expect(r3.code).toBe(0);
    expect(r3.stderr).toMatch(/\(24 resumed, 0 run, 0 failed\)/);
    const r4 = await cli(['sweep', '--file', sweepFile, '--out', part]).done;
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/already holds a sweep.*--resume/);
  });

  it('refuses to resume a different sweep in the same directory', async () => {
    const other = join(root, 'other.json');
    writeFileSync(other, JSON.stringify({ name: 'resume', base: 'fuse-selftest', params: { cpus: [2, 4] }, replications: 1, strategies: ['v4.14'] }));
    const r = await cli(['sweep', '--file', other, '--out', join(root, 'full'), '--resume']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume: .* holds another sweep/);
  });
});
