// merge refuses (exit 2, a message that says why, nothing written) to mix different sweeps or lab
// versions, and to keep one of two different records under one cellId; it exits 1 when cells are
// missing, unless --allow-partial.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { Sweep } from '../src/sweep/grid.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { sealLine } from '../src/sweep/canonical.ts';

const root = mkdtempSync(join(tmpdir(), 'drainlab-refuse-'));
let stderr = '';
beforeAll(async () => {
  const run = (o: Record<string, unknown>, out: string, shard: { index: number; count: number } | null) =>
    runSweep(Sweep.fromJson({ base: 'fuse-selftest', strategies: ['v4.14'], ...o }), { out: join(root, out), workers: 1, shard: shard && { ...shard, source: '--shard' }, resume: false, progress: false, log: () => {}, handleSignals: false });
  const a = { name: 'a', params: { cpus: [2, 4, 8] }, replications: 2 };
  await run(a, 'a0', { index: 0, count: 2 });
  await run(a, 'a1', { index: 1, count: 2 });
  await run({ ...a, replications: 3 }, 'b', null);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

async function merge(...args: string[]): Promise<number> {
  stderr = '';
  return main(['merge', ...args]);
}
const d = (n: string) => join(root, n);

describe('merge refuses', () => {
  it('to mix different sweep configs', async () => {
    expect(await merge(d('a0'), d('b'), '--out', d('out1'))).toBe(2);
    expect(stderr).toMatch(/different sweeps \(config hashes differ; only shards of one sweep can be merged\)/);
    expect(existsSync(d('out1'))).toBe(false);
  });

  it('to mix lab versions', async () => {
    cpSync(d('a1'), d('a1-old'), { recursive: true });
    const p = join(d('a1-old'), 'sweep.json');
    const m = JSON.parse(readFileSync(p, 'utf8'));
    m.lab.version = '0.0.1';
    writeFileSync(p, JSON.stringify(m));
    expect(await merge(d('a0'), d('a1-old'), '--out', d('out2'))).toBe(2);
    expect(stderr).toMatch(/different drainlab versions.*0\.0\.1/);
    expect(existsSync(d('out2'))).toBe(false);
  });

  it('to keep one of two different records under one cellId', async () => {
    cpSync(d('a0'), d('a0-bad'), { recursive: true });
    const p = join(d('a0-bad'), 'cells.jsonl');
    const lines = readFileSync(p, 'utf8').split('\n').filter(Boolean);
    const c = JSON.parse(lines[0]!);
    c.record.runs[0].summary.seals += 1;
    delete c.lineSum; // a different build's whole line (its own checksum), not a damaged one
    lines[0] = sealLine(JSON.stringify(c));
    writeFileSync(p, lines.join('\n') + '\n');
    expect(await merge(d('a0'), d('a0-bad'), '--out', d('out3'))).toBe(2);
    expect(stderr).toMatch(/cell [0-9a-f]{64} differs between/);
    expect(existsSync(join(d('out3'), 'cells.jsonl'))).toBe(false);
  });

  it('a manifest whose sweep no longer matches its configHash (its cell count would decide what is missing)', async () => {
    cpSync(d('a1'), d('a1-edited'), { recursive: true });
    const p = join(d('a1-edited'), 'sweep.json');
    const m = JSON.parse(readFileSync(p, 'utf8'));
    m.sweep.cells = 8193;
    writeFileSync(p, JSON.stringify(m));
    expect(await merge(d('a1-edited'), '--out', d('out5'))).toBe(2);
    expect(stderr).toMatch(/a1-edited\/sweep\.json: the sweep it describes does not match its configHash/);
    expect(existsSync(d('out5'))).toBe(false);
  });

  it('a directory that is not a sweep output', async () => {
    expect(await merge(root, '--out', d('out4'))).toBe(2);
    expect(stderr).toMatch(/has no sweep\.json/);
  });
});

describe('merge of an incomplete sweep', () => {
  it('exits 1 and names the missing shard, or 0 with --allow-partial', async () => {
    expect(await merge(d('a0'), '--out', d('part'))).toBe(1);
    expect(stderr).toMatch(/MISSING; shards 1 missing/);
    expect(await merge(d('a0'), '--out', d('part'), '--allow-partial')).toBe(0);
    expect(await merge(d('a0'), d('a1'), '--out', d('whole'))).toBe(0);
    expect(stderr).toMatch(/6\/6 cells/);
    const m = JSON.parse(readFileSync(join(d('whole'), 'sweep.json'), 'utf8'));
    expect(m.shard).toBeNull();
    expect(m.mergedFrom).toHaveLength(2);
  });
});
