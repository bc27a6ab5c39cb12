/**
 * `drainlab merge DIR... --out DIR`: joins shard outputs (or any outputs of one sweep) into one
 * cells.jsonl sorted by cellId. Refuses to mix sweeps (different config hashes) or lab versions.
 * The same cell in two inputs is kept once if the two records agree once provenance is removed,
 * and is an error if they do not (the simulation is deterministic, so a difference means a
 * different build or a bug, and silently keeping one would hide it).
 *
 * Memory is bounded whatever the cell count: the index of (cellId, input, byte offset, length) per
 * line is sorted by an external merge sort (src/sweep/index-sort.ts: runs of 65,536 entries, on disk
 * in the staging directory beyond one run), and the lines themselves are read back one at a time
 * while writing, so records never pile up in memory, whatever their size. Nothing is written on
 * refusal: the output is staged in temporary files and renamed into place at the end.
 */
import { closeSync, existsSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { AtomicFile, checkInputFile, readJsonInput, writeError } from '../io/files.ts';
import { canonicalJson, canonicalLine, checkCellLine, sealLine, sha256 } from './canonical.ts';
import { checkManifest } from './manifest.ts';
import { readAt, readLines, tornTailBytes } from './jsonl.ts';
import { IndexSort, type IndexEntry, type IndexSortOptions } from './index-sort.ts';
import { CELLS_FILE, FAILED_FILE, SWEEP_FILE, checkSamePlugins, type SweepManifest } from './runner.ts';

export interface MergeOptions {
  out: string;
  /** Write canonical lines (record.provenance removed): byte-comparable across runs and hosts. */
  canonical?: boolean;
  log: (line: string) => void;
  /** The index sort's run size and fan-in (tests make them tiny to exercise the disk passes). */
  sort?: IndexSortOptions;
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
  /** Shards missing in all, when more than missingShards lists. */
  missingShardCount?: number;
  complete: boolean;
}

function manifestOf(dir: string, flag = 'merge'): SweepManifest {
  const p = join(dir, SWEEP_FILE);
  if (!existsSync(p)) throw new UsageError(`${flag}: ${dir} has no ${SWEEP_FILE}; give directories written by drainlab sweep --out`);
  const m = checkManifest(readJsonInput(p, flag), p);
  // The config hash is the sweep's fingerprint: merge trusts the manifest's sweep (its cell count says
  // what is missing) only if it still hashes to it; an edited or damaged sweep.json is bad input.
  if (sha256(canonicalJson(m.sweep)) !== m.configHash) {
    throw new UsageError(`${p}: the sweep it describes does not match its configHash ${m.configHash.slice(0, 12)} (the file was edited or damaged); rerun the sweep with --resume to rewrite it`);
  }
  return m;
}

/** Shards listed by number in the summary; more are counted. */
const MAX_LISTED_SHARDS = 1000;

/**
 * Merges; throws UsageError (and writes nothing) when the inputs cannot be merged. The output goes
 * to temporary files first (in a temporary sibling directory when --out does not exist yet), renamed
 * into place only once everything has been checked.
 */
export function mergeSweeps(dirs: string[], opts: MergeOptions): MergeSummary {
  if (dirs.length === 0) throw new UsageError('merge: give at least one sweep output directory');
  const out = opts.out;
  if (out === '') throw new UsageError('--out: give a directory name');
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  for (const d of dirs) {
    if (!existsSync(d)) throw new UsageError(`merge: ${d}: no such directory`);
    if (!statSync(d).isDirectory()) throw new UsageError(`merge: ${d}: not a directory; give sweep output directories`);
    if (real(d) === real(out)) throw new UsageError(`merge: --out ${out} is also an input; write the merge to a new directory`);
  }
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out}: not a directory`);
  const manifests = dirs.map((d) => manifestOf(d));

  // 1. One lab version, one sweep config.
  const versions = new Set(manifests.map((m) => m.lab.version));
  if (versions.size > 1) {
    throw new UsageError(`merge: the inputs come from different drainlab versions (cell ids differ between versions): ${dirs.map((d, i) => `${d}: ${manifests[i]!.lab.version}`).join('; ')}`);
  }
  const hashes = new Set(manifests.map((m) => m.configHash));
  if (hashes.size > 1) {
    throw new UsageError(`merge: the inputs are different sweeps (config hashes differ; only shards of one sweep can be merged): ${dirs.map((d, i) => `${d}: "${manifests[i]!.sweep.name}" config ${manifests[i]!.configHash.slice(0, 12)}`).join('; ')}`);
  }
  const first = manifests[0]!;
  // Shards run with different versions of a user strategy file are not one sweep.
  for (let i = 1; i < manifests.length; i++) checkSamePlugins(first.plugins, manifests[i]!.plugins, 'merge', [`${dirs[0]} ran`, `${dirs[i]} ran`]);
  const outManifest = join(out, SWEEP_FILE);
  if (existsSync(outManifest)) {
    const m = manifestOf(out, '--out');
    if (m.configHash !== first.configHash || m.lab.version !== first.lab.version) throw new UsageError(`merge: --out ${out} holds another sweep ("${m.sweep.name}"); choose another --out`);
  }
  // Inputs must be regular files (a symlink to /dev/zero or a FIFO would never end); their size is not limited: they are streamed.
  const cellsOf = dirs.map((d) => {
    const p = join(d, CELLS_FILE);
    return existsSync(p) ? (checkInputFile(p, 'merge', { limit: Number.POSITIVE_INFINITY }), p) : undefined;
  });
  const failedOf = dirs.map((d) => {
    const p = join(d, FAILED_FILE);
    return existsSync(p) ? (checkInputFile(p, 'merge'), p) : undefined;
  });

  // 2. Stage: the output goes to temporary files (refusal removes them and writes nothing); the
  // index's sorted runs, when it needs any, go beside them.
  const fresh = !existsSync(out);
  const stage = fresh ? `${resolve(out)}.${process.pid}.merge-tmp` : out;
  const staged: AtomicFile[] = [];
  const fds = cellsOf.map((p) => (p ? openSync(p, 'r') : -1));
  let index: IndexSort | undefined;
  let cells = 0;
  let duplicates = 0;
  try {
    const cellsFile = new AtomicFile(join(stage, CELLS_FILE), '--out');
    staged.push(cellsFile);
    index = new IndexSort(stage, '--out', opts.sort);

    // 3. Index every whole line (the same judgement as --resume: a damaged line is left out, by line number).
    const perInput = dirs.map(() => 0);
    cellsOf.forEach((path, src) => {
      if (!path) return;
      const { size, keep } = tornTailBytes(path);
      if (keep < size) opts.log(`merge: ${path} ends in a torn line (${size - keep} bytes); left out`);
      const bad: string[] = [];
      for (const l of readLines(path)) {
        if (l.text.trim() === '') continue;
        const c = checkCellLine(l.text);
        if (!c.ok) {
          bad.push(`${l.lineNo} (${c.why})`);
          continue;
        }
        index!.add({ id: c.cellId, src, offset: l.offset, bytes: l.bytes });
        perInput[src]!++;
      }
      if (bad.length) opts.log(`merge: ${path}: ${bad.length} damaged line(s) left out (--resume in that directory runs their cells again): line ${bad.slice(0, 20).join(', line ')}${bad.length > 20 ? ` and ${bad.length - 20} more` : ''}`);
    });

    // Failed cells (last report of each wins), kept only while no input has completed them.
    const failedById = new Map<string, string>();
    failedOf.forEach((path) => {
      if (!path) return;
      for (const l of readLines(path)) {
        try {
          const id = (JSON.parse(l.text) as { cellId?: unknown }).cellId;
          if (typeof id === 'string') failedById.set(id, l.text);
        } catch {
          opts.log(`merge: ${path}:${l.lineNo}: unreadable, skipped`);
        }
      }
    });

    // 4. Sorted, deduplicated lines to the staged cells.jsonl: each line is read back from its input.
    let prev: IndexEntry | undefined;
    let prevCanon: string | undefined;
    let prevLine = '';
    for (const e of index.sorted()) {
      if (prev && e.id === prev.id) {
        prevCanon ??= canonicalLine(prevLine);
        if (canonicalLine(readAt(fds[e.src]!, e.offset, e.bytes)) !== prevCanon) {
          throw new UsageError(`merge: cell ${e.id} differs between ${dirs[prev.src]} and ${dirs[e.src]} (provenance aside): the inputs were not made by the same build, or the simulation is not deterministic`);
        }
        duplicates++;
        continue;
      }
      const line = readAt(fds[e.src]!, e.offset, e.bytes);
      cellsFile.write((opts.canonical ? sealLine(canonicalLine(line)) : line) + '\n');
      cells++;
      failedById.delete(e.id);
      prev = e;
      prevLine = line;
      prevCanon = undefined;
    }
    index.dispose();

    const failedLines = [...failedById.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t + '\n');
    if (failedLines.length) {
      const f = new AtomicFile(join(stage, FAILED_FILE), '--out');
      staged.push(f);
      for (const l of failedLines) f.write(l);
    }

    // 5. Coverage and the merged manifest.
    const counts = new Set(manifests.map((m) => m.shard?.count ?? 1));
    const missingShards: number[] = [];
    let missingShardCount = 0;
    if (counts.size === 1 && manifests.every((m) => m.shard)) {
      const n = [...counts][0]!;
      const have = new Set(manifests.map((m) => m.shard!.index));
      missingShardCount = n - have.size;
      for (let i = 0; i < n && missingShards.length < MAX_LISTED_SHARDS; i++) if (!have.has(i)) missingShards.push(i);
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
      ...(missingShardCount > missingShards.length ? { missingShardCount } : {}),
      complete: cells === expected,
    };
    const manifest: SweepManifest = {
      ...first,
      shard: null,
      totals: { cells: expected, shardCells: cells },
      summary: null,
      mergedFrom: dirs.map((d, i) => ({ dir: d, shard: manifests[i]!.shard, cells: perInput[i]! })),
    };
    const m = new AtomicFile(join(stage, SWEEP_FILE), '--out');
    staged.push(m);
    m.write(JSON.stringify({ ...manifest, merge: summary }, null, 2) + '\n');

    // 6. Commit: every staged file renamed into place (a fresh --out: the staging directory renamed to it).
    for (const f of staged) f.commit();
    if (fresh) {
      try {
        renameSync(stage, out);
      } catch (e) {
        throw writeError('--out', out, e);
      }
    } else if (failedLines.length === 0) rmSync(join(out, FAILED_FILE), { force: true });
    return summary;
  } catch (e) {
    index?.dispose();
    for (const f of staged) f.abort();
    if (fresh) rmSync(stage, { recursive: true, force: true });
    throw e;
  } finally {
    for (const fd of fds) if (fd >= 0) closeSync(fd);
  }
}

export function mergeLine(s: MergeSummary): string {
  const gaps = s.missingShards.length ? `; shards ${s.missingShards.join(', ')} missing` : '';
  return `merge: ${s.cells}/${s.expected} cells from ${s.inputs} input(s) (${s.duplicates} duplicate(s) dropped, ${s.failed} failed)${s.complete ? '' : `, ${s.missing} MISSING${gaps}`} -> ${join(s.out, CELLS_FILE)}`;
}

