// Three shards run as separate processes (`node bin/drainlab.js sweep --shard i/3`, one of them
// given its index by the environment as a Kubernetes Indexed Job would), merged, equal a
// single-process run byte for byte in canonical form (record.provenance removed, sorted by cellId).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalLine, checkCellLine } from '../src/sweep/canonical.ts';

const root = mkdtempSync(join(tmpdir(), 'drainlab-shard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = new URL('../bin/drainlab.js', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((res) => child.on('exit', (code) => res({ code, stderr })));
}
const read = (p: string) => readFileSync(p, 'utf8');
const cellLines = (dir: string) => read(join(dir, 'cells.jsonl')).split('\n').filter(Boolean);

describe('shard and merge', () => {
  it('merges 3 shard processes into exactly the single-process result', async () => {
    const file = join(root, 'sweep.json');
    writeFileSync(file, JSON.stringify({
      name: 'shards', base: 'rt-spinner',
      params: { cpus: { from: 2, to: 16, step: 'x2' }, hz: [250, 1000] }, constraints: ['cpus * hz <= 8000'],
      replications: 2, strategies: ['v4.14', 'drain-unlocked', 'remote-drain'],
    }));
    const total = 14; // 7 points (cpus 16 only with hz 250) x 2 replications
    const single = join(root, 'single');
    const shards = [0, 1, 2].map((i) => join(root, `shard-${i}`));
    const runs = await Promise.all([
      cli(['sweep', '--file', file, '--out', single, '--workers', '2', '--quiet']),
      cli(['sweep', '--file', file, '--out', shards[0]!, '--shard', '0/3', '--workers', '1', '--quiet']),
      cli(['sweep', '--file', file, '--out', shards[1]!, '--workers', '1', '--quiet'], { JOB_COMPLETION_INDEX: '1', DRAINLAB_SHARDS: '3' }),
      cli(['sweep', '--file', file, '--out', shards[2]!, '--shard', '2', '--shards', '3', '--workers', '1', '--quiet']),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);

    // Each shard holds its share (14 cells on 3 shards: 4 or 5 each), no cell twice.
    const sizes = shards.map((d) => cellLines(d).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(total);
    for (const n of sizes) expect([4, 5]).toContain(n);
    const ids = shards.flatMap((d) => cellLines(d).map((l) => JSON.parse(l).cellId));
    expect(new Set(ids).size).toBe(total);
    expect(shards.map((d) => JSON.parse(read(join(d, 'sweep.json'))).shard)).toMatchObject([{ index: 0, count: 3 }, { index: 1, count: 3, source: 'JOB_COMPLETION_INDEX' }, { index: 2, count: 3 }]);

    const merged = join(root, 'merged');
    const m = await cli(['merge', ...shards, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toMatch(/merge: 14\/14 cells from 3 input\(s\)/);
    const mergedLines = cellLines(merged);
    const mergedIds = mergedLines.map((l) => JSON.parse(l).cellId);
    expect(mergedIds).toEqual([...mergedIds].sort());

    // Byte equality in canonical form.
    const canonicalSingle = cellLines(single).map(canonicalLine).sort((a, b) => (JSON.parse(a).cellId < JSON.parse(b).cellId ? -1 : 1));
    expect(mergedLines.map(canonicalLine).join('\n')).toBe(canonicalSingle.join('\n'));
    // merge --canonical writes that form directly, for the single run as for the shards.
    const [c1, c2] = await Promise.all([cli(['merge', ...shards, '--out', join(root, 'c-shards'), '--canonical']), cli(['merge', single, '--out', join(root, 'c-single'), '--canonical'])]);
    expect(c1.code).toBe(0);
    expect(c2.code).toBe(0);
    expect(read(join(root, 'c-shards', 'cells.jsonl'))).toBe(read(join(root, 'c-single', 'cells.jsonl')));
    // ... each line carrying its checksum (lineSum), which canonicalLine sets aside.
    const cShards = read(join(root, 'c-shards', 'cells.jsonl')).split('\n').filter(Boolean);
    for (const l of cShards) expect(checkCellLine(l).ok).toBe(true);
    expect(cShards.map(canonicalLine).join('\n')).toBe(canonicalSingle.join('\n'));

    // Merging the single run with the shards again: every cell twice, identical, kept once.
    const dup = await cli(['merge', single, ...shards, '--out', join(root, 'dup')]);
    expect(dup.code).toBe(0);
    expect(dup.stderr).toMatch(/14\/14 cells .*14 duplicate\(s\) dropped/);
  });
});
