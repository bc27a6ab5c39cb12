// merge sorts its index in bounded memory (issue 18): an external merge sort by cellId over runs in
// the output's staging directory. With runs of a few entries and a fan-in of 2 (several merge
// passes on disk) the merged output must be byte-identical to the in-memory sort's, a refusal must
// leave nothing behind (no output, no staging directory, no run file), and the sort itself must give
// exactly the order of a whole-array sort. ~5 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweep } from '../src/sweep/grid.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { mergeSweeps } from '../src/sweep/merge.ts';
import { checkCellLine, sealLine } from '../src/sweep/canonical.ts';
import { compareEntries, IndexSort, type IndexEntry } from '../src/sweep/index-sort.ts';
import { UsageError } from '../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'drainlab-extsort-'));
const d = (n: string) => join(root, n);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under a directory, relative names (run files are hidden dot-files). */
const tree = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort() : []);

describe('IndexSort', () => {
  it('gives the whole-array order through several merge passes on disk, and removes its runs', () => {
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const hex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
    const ids = Array.from({ length: 40 }, hex);
    // Duplicated ids across inputs and offsets, as merge sees them.
    const entries: IndexEntry[] = Array.from({ length: 300 }, (_, i) => ({ id: ids[Math.floor(rnd() * ids.length)]!, src: Math.floor(rnd() * 3), offset: i * 4097 + 2 ** 33, bytes: 1 + Math.floor(rnd() * 1e6) }));
    const dir = d('sort');
    mkdirSync(dir);
    const sort = new IndexSort(dir, '--out', { runEntries: 7, fanIn: 3 });
    for (const e of entries) sort.add(e);
    expect(tree(dir).length).toBe(Math.floor(300 / 7)); // full runs spilled as they filled
    const got = [...sort.sorted()];
    expect(got).toEqual([...entries].sort(compareEntries));
    expect(sort.runsWritten).toBeGreaterThan(Math.ceil(300 / 7)); // merge passes wrote runs too
    sort.dispose();
    expect(tree(dir)).toEqual([]);
    // One run's worth never touches the disk.
    const small = new IndexSort(dir, '--out', { runEntries: 1000 });
    for (const e of entries) small.add(e);
    expect([...small.sorted()]).toEqual([...entries].sort(compareEntries));
    expect(small.runsWritten).toBe(0);
  });
});

describe('checkCellLine', () => {
  it('takes only a 64-hex lowercase cell id, also on a line whose checksum holds (the sort stores ids as 32 bytes)', () => {
    const rec = { schema: 'drainlab/run@1', runs: [] };
    expect(checkCellLine(sealLine(JSON.stringify({ cellId: 'a'.repeat(64), record: rec })))).toEqual({ ok: true, cellId: 'a'.repeat(64) });
    for (const id of ['A'.repeat(64), 'a'.repeat(63), 'x', '../a']) expect(checkCellLine(sealLine(JSON.stringify({ cellId: id, record: rec })))).toEqual({ ok: false, why: 'no cellId' });
  });
});

describe('merge with an external sort', () => {
  beforeAll(async () => {
    const run = (out: string, shard: { index: number; count: number } | null) =>
      runSweep(Sweep.fromJson({ name: 'xs', base: 'fuse-selftest', strategies: ['v4.14'], params: { cpus: [2, 4, 8] }, replications: 3 }), { out: d(out), workers: 1, shard: shard && { ...shard, source: '--shard' }, resume: false, progress: false, log: () => {}, handleSignals: false });
    await run('s0', { index: 0, count: 2 });
    await run('s1', { index: 1, count: 2 });
    await run('all', null);
  }, 120_000);

  it('writes the same bytes with tiny runs (several passes) as with one in-memory run, and no run file stays', () => {
    const log = () => {};
    for (const canonical of [false, true]) {
      const a = d(`mem-${canonical}`);
      const b = d(`disk-${canonical}`);
      // Three inputs, one of them holding every cell again: duplicates across runs and inputs.
      const sa = mergeSweeps([d('s0'), d('s1'), d('all')], { out: a, canonical, log });
      const sb = mergeSweeps([d('s0'), d('s1'), d('all')], { out: b, canonical, log, sort: { runEntries: 2, fanIn: 2 } });
      expect(sb).toEqual({ ...sa, out: b });
      expect(sa.cells).toBe(9);
      expect(sa.duplicates).toBe(9);
      expect(readFileSync(join(b, 'cells.jsonl'))).toEqual(readFileSync(join(a, 'cells.jsonl')));
      expect(tree(b)).toEqual(['cells.jsonl', 'sweep.json']);
      // Into an existing directory (runs staged in it): the same bytes, nothing else left.
      const sc = mergeSweeps([d('s1'), d('s0')], { out: b, canonical, log, sort: { runEntries: 3, fanIn: 2 } });
      expect(sc.cells).toBe(9);
      expect(readFileSync(join(b, 'cells.jsonl'))).toEqual(readFileSync(join(a, 'cells.jsonl')));
      expect(tree(b)).toEqual(['cells.jsonl', 'sweep.json']);
    }
  });

  it('a refusal found while writing leaves no output, no staging directory and no run file', () => {
    cpSync(d('s0'), d('s0-bad'), { recursive: true });
    const p = join(d('s0-bad'), 'cells.jsonl');
    const lines = readFileSync(p, 'utf8').split('\n').filter(Boolean);
    const c = JSON.parse(lines[lines.length - 1]!);
    c.record.runs[0].summary.seals += 1;
    delete c.lineSum;
    lines[lines.length - 1] = sealLine(JSON.stringify(c));
    writeFileSync(p, lines.join('\n') + '\n');
    const before = readdirSync(root).sort();
    expect(() => mergeSweeps([d('s0'), d('s1'), d('s0-bad')], { out: d('refused'), log: () => {}, sort: { runEntries: 2, fanIn: 2 } })).toThrow(UsageError);
    expect(readdirSync(root).sort()).toEqual(before);
    // The same into an existing output directory: it keeps exactly what it had.
    const had = tree(d('disk-true'));
    expect(() => mergeSweeps([d('s0'), d('s1'), d('s0-bad')], { out: d('disk-true'), log: () => {}, sort: { runEntries: 2, fanIn: 2 } })).toThrow(/differs between/);
    expect(tree(d('disk-true'))).toEqual(had);
  });
});
