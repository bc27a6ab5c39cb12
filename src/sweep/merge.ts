/**
 * `drainlab merge DIR... --out DIR`: joins shard outputs (or any outputs of one sweep) into one
 * cells.jsonl sorted by cellId. Refuses to mix sweeps (different config hashes) or lab versions.
 * The same cell in two inputs is kept once if the two records agree once provenance is removed,
 * and is an error if they do not (the simulation is deterministic, so a difference means a
 * different build or a bug, and silently keeping one would hide it).
 *
 * Memory: an index of (cellId, input, byte offset, length) per line is sorted; the lines themselves
 * are read back one at a time while writing, so records never pile up in memory.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { writeAtomic } from '../io/files.ts';
import { canonicalLine, cellIdOfLine } from './canonical.ts';
import { readAt, readLines, tornTailBytes } from './jsonl.ts';
import { CELLS_FILE, FAILED_FILE, SWEEP_FILE, type SweepManifest } from './runner.ts';

export interface MergeOptions {
  out: string;
  /** Write canonical lines (record.provenance removed): byte-comparable across runs and hosts. */
  canonical?: boolean;
  log: (line: string) => void;
}

export interface MergeSummary {
  out: string;
  inputs: number;
  /** Distinct cells written. */
  cells: number;
  /** Identical copies dropped. */
  duplicates: number;
  /** Cells of the whole sweep, and how many of them no input has. */
  expected: number;
  missing: number;
  /** Cells listed as failed in an input and absent from every cells.jsonl. */
  failed: number;
  /** Shards (0-based) of the sweep's shard count that no input covers; empty when unsharded. */
  missingShards: number[];
  complete: boolean;
}

function manifestOf(dir: string): SweepManifest {
  const p = join(dir, SWEEP_FILE);
  if (!existsSync(p)) throw new UsageError(`merge: ${dir} has no ${SWEEP_FILE}; give directories written by drainlab sweep --out`);
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as SweepManifest;
    if (m.schema !== 'drainlab/sweep-run@1') throw new Error(`schema is ${JSON.stringify(m.schema)}, expected "drainlab/sweep-run@1"`);
    return m;
  } catch (e) {
    throw new UsageError(`merge: ${p}: not a sweep manifest (${(e as Error).message})`);
  }
}

interface Entry {
  id: string;
  src: number;
  offset: number;
  bytes: number;
}

const BUF = 4 << 20;

export function mergeSweeps(dirs: string[], opts: MergeOptions): MergeSummary {
  if (dirs.length === 0) throw new UsageError('merge: give at least one sweep output directory');
  const out = opts.out;
  for (const d of dirs) if (resolve(d) === resolve(out)) throw new UsageError(`merge: --out ${out} is also an input; write the merge to a new directory`);
  const manifests = dirs.map(manifestOf);

  // 1. One lab version, one sweep config.
  const versions = new Set(manifests.map((m) => m.lab?.version));
  if (versions.size > 1) {
    throw new UsageError(`merge: the inputs come from different drainlab versions (cell ids differ between versions): ${dirs.map((d, i) => `${d}: ${manifests[i]!.lab?.version}`).join('; ')}`);
  }
  const hashes = new Set(manifests.map((m) => m.configHash));
  if (hashes.size > 1) {
    throw new UsageError(`merge: the inputs are different sweeps (config hashes differ; only shards of one sweep can be merged): ${dirs.map((d, i) => `${d}: "${manifests[i]!.sweep?.name}" config ${manifests[i]!.configHash?.slice(0, 12)}`).join('; ')}`);
  }
  const first = manifests[0]!;
  const outManifest = join(out, SWEEP_FILE);
  if (existsSync(outManifest)) {
    const m = manifestOf(out);
    if (m.configHash !== first.configHash || m.lab?.version !== first.lab?.version) throw new UsageError(`merge: --out ${out} holds another sweep ("${m.sweep?.name}"); choose another --out`);
  }

  // 2. Index every complete line.
  const entries: Entry[] = [];
  dirs.forEach((d, src) => {
    const path = join(d, CELLS_FILE);
    const { size, keep } = tornTailBytes(path);
    if (keep < size) opts.log(`merge: ${path} ends in a torn line (${size - keep} bytes); left out`);
    for (const l of readLines(path)) {
      if (l.text.trim() === '') continue;
      const id = cellIdOfLine(l.text);
      if (id === undefined) throw new UsageError(`merge: ${path}:${l.lineNo}: not a sweep cell line`);
      entries.push({ id, src, offset: l.offset, bytes: l.bytes });
    }
  });
  entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.src - b.src || a.offset - b.offset));

  // 3. Write sorted, deduplicated lines to a temporary file, then rename it into place.
  mkdirSync(out, { recursive: true });
  const fds = dirs.map((d) => (existsSync(join(d, CELLS_FILE)) ? openSync(join(d, CELLS_FILE), 'r') : -1));
  const tmp = join(out, `${CELLS_FILE}.${process.pid}.tmp`);
  const ofd = openSync(tmp, 'w');
  let cells = 0;
  let duplicates = 0;
  const merged = new Set<string>();
  try {
    let buf: string[] = [];
    let bufLen = 0;
    const flush = () => {
      if (buf.length) writeSync(ofd, buf.join(''));
      buf = [];
      bufLen = 0;
    };
    for (let i = 0; i < entries.length; ) {
      const e = entries[i]!;
      const line = readAt(fds[e.src]!, e.offset, e.bytes);
      let j = i + 1;
      if (j < entries.length && entries[j]!.id === e.id) {
        const canon = canonicalLine(line);
        for (; j < entries.length && entries[j]!.id === e.id; j++) {
          const o = entries[j]!;
          if (canonicalLine(readAt(fds[o.src]!, o.offset, o.bytes)) !== canon) {
            throw new UsageError(`merge: cell ${e.id} differs between ${dirs[e.src]} and ${dirs[o.src]} (provenance aside): the inputs were not made by the same build, or the simulation is not deterministic`);
          }
          duplicates++;
        }
      }
      const text = (opts.canonical ? canonicalLine(line) : line) + '\n';
      buf.push(text);
      bufLen += text.length;
      if (bufLen >= BUF) flush();
      cells++;
      merged.add(e.id);
      i = j;
    }
    flush();
    fsyncSync(ofd);
  } catch (e) {
    closeSync(ofd);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    for (const fd of fds) if (fd >= 0) closeSync(fd);
  }
  closeSync(ofd);
  renameSync(tmp, join(out, CELLS_FILE));

  // 4. Failed cells no input completed (last report of each wins).
  const failedById = new Map<string, string>();
  for (const d of dirs) {
    for (const l of readLines(join(d, FAILED_FILE))) {
      try {
        const id = (JSON.parse(l.text) as { cellId?: string }).cellId;
        if (id && !merged.has(id)) failedById.set(id, l.text);
      } catch {
        opts.log(`merge: ${join(d, FAILED_FILE)}:${l.lineNo}: unreadable, skipped`);
      }
    }
  }
  const failedLines = [...failedById.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t + '\n');
  if (failedLines.length) writeAtomic(join(out, FAILED_FILE), failedLines.join(''));
  else rmSync(join(out, FAILED_FILE), { force: true });

  // 5. Coverage and the merged manifest.
  const counts = new Set(manifests.map((m) => m.shard?.count ?? 1));
  const missingShards: number[] = [];
  if (counts.size === 1 && manifests.every((m) => m.shard)) {
    const n = [...counts][0]!;
    const have = new Set(manifests.map((m) => m.shard!.index));
    for (let i = 0; i < n; i++) if (!have.has(i)) missingShards.push(i);
  }
  const expected = first.sweep.cells;
  const summary: MergeSummary = {
    out,
    inputs: dirs.length,
    cells,
    duplicates,
    expected,
    missing: Math.max(0, expected - cells),
    failed: failedLines.length,
    missingShards,
    complete: cells === expected,
  };
  const manifest: SweepManifest = {
    ...first,
    shard: null,
    totals: { cells: expected, shardCells: cells },
    summary: null,
    mergedFrom: dirs.map((d, i) => ({ dir: d, shard: manifests[i]!.shard, cells: entries.filter((e) => e.src === i).length })),
  };
  writeAtomic(outManifest, JSON.stringify({ ...manifest, merge: summary }, null, 2) + '\n');
  return summary;
}

export function mergeLine(s: MergeSummary): string {
  const gaps = s.missingShards.length ? `; shards ${s.missingShards.join(', ')} missing` : '';
  return `merge: ${s.cells}/${s.expected} cells from ${s.inputs} input(s) (${s.duplicates} duplicate(s) dropped, ${s.failed} failed)${s.complete ? '' : `, ${s.missing} MISSING${gaps}`} -> ${join(s.out, CELLS_FILE)}`;
}

