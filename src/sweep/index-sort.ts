/**
 * merge's index, sorted in bounded memory (an external merge sort by cellId).
 *
 * Each whole line of every input becomes an entry (cellId, input, byte offset, length). Entries are
 * collected in runs of at most `runEntries`; a full run is sorted and written to a scratch file in
 * the output's staging directory (48 bytes an entry), and the runs are then merged `fanIn` at a
 * time, in more passes when there are more runs than that. A merge that fits one run never touches
 * the disk. Memory: one run of entries plus one read buffer per merged run, whatever the cell count
 * (defaults: 65,536 entries, 3 MiB, and 64 runs x 48 KiB); disk: 48 bytes a cell, twice at most
 * during a pass. The order is the one the whole-index sort gave: cellId, then input, then offset.
 */
import { ScratchFile } from '../io/files.ts';

export interface IndexEntry {
  /** The cell's id: 64 lowercase hex digits (checkCellLine accepts no other). */
  id: string;
  /** The input it was read from (its index in merge's list), its byte offset there and its length. */
  src: number;
  offset: number;
  bytes: number;
}

export interface IndexSortOptions {
  /** Entries held in memory at most (one run). */
  runEntries?: number;
  /** Runs merged at once. */
  fanIn?: number;
}

export const ENTRY_BYTES = 48;
const DEFAULT_RUN_ENTRIES = 65_536;
const DEFAULT_FAN_IN = 64;
/** Entries read from a run file at a time. */
const READ_ENTRIES = 1024;

export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : a.src - b.src || a.offset - b.offset;
}

function encode(e: IndexEntry, buf: Buffer, at: number): void {
  if (buf.write(e.id, at, 32, 'hex') !== 32) throw new Error(`index-sort: cell id ${JSON.stringify(e.id)} is not 64 hex digits`);
  buf.writeUInt32LE(e.src, at + 32);
  buf.writeDoubleLE(e.offset, at + 36);
  buf.writeUInt32LE(e.bytes, at + 44);
}

function decode(buf: Buffer, at: number): IndexEntry {
  return { id: buf.toString('hex', at, at + 32), src: buf.readUInt32LE(at + 32), offset: buf.readDoubleLE(at + 36), bytes: buf.readUInt32LE(at + 44) };
}

/** A sorted run on disk. */
class Run {
  constructor(
    readonly file: ScratchFile,
    readonly entries: number,
  ) {}

  static write(dir: string, flag: string, entries: Iterable<IndexEntry>): Run {
    const file = new ScratchFile(dir, 'merge-run', flag);
    try {
      const buf = Buffer.allocUnsafe(READ_ENTRIES * ENTRY_BYTES);
      let n = 0;
      let total = 0;
      for (const e of entries) {
        encode(e, buf, n * ENTRY_BYTES);
        total++;
        if (++n === READ_ENTRIES) {
          file.append(buf);
          n = 0;
        }
      }
      if (n > 0) file.append(buf.subarray(0, n * ENTRY_BYTES));
      return new Run(file, total);
    } catch (e) {
      file.remove();
      throw e;
    }
  }

  *read(): Generator<IndexEntry> {
    const buf = Buffer.allocUnsafe(READ_ENTRIES * ENTRY_BYTES);
    let pos = 0;
    for (let left = this.entries; left > 0; ) {
      const want = Math.min(left, READ_ENTRIES) * ENTRY_BYTES;
      let got = 0;
      while (got < want) {
        const n = this.file.readAt(buf.subarray(got, want), pos + got);
        if (n === 0) throw new Error(`index-sort: ${this.file.path} ended early`);
        got += n;
      }
      pos += want;
      for (let at = 0; at < want; at += ENTRY_BYTES) yield decode(buf, at);
      left -= want / ENTRY_BYTES;
    }
  }
}

/** Merges sorted sequences into one (a binary heap over their heads). */
function* mergeSorted(sources: Iterator<IndexEntry>[]): Generator<IndexEntry> {
  const heads: IndexEntry[] = [];
  const from: number[] = [];
  const less = (i: number, j: number) => compareEntries(heads[i]!, heads[j]!) < 0 || (compareEntries(heads[i]!, heads[j]!) === 0 && from[i]! < from[j]!);
  const swap = (i: number, j: number) => {
    [heads[i], heads[j]] = [heads[j]!, heads[i]!];
    [from[i], from[j]] = [from[j]!, from[i]!];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heads.length && less(l, m)) m = l;
      if (r < heads.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  sources.forEach((s, k) => {
    const n = s.next();
    if (!n.done) {
      heads.push(n.value);
      from.push(k);
    }
  });
  for (let i = (heads.length >> 1) - 1; i >= 0; i--) down(i);
  while (heads.length > 0) {
    yield heads[0]!;
    const n = sources[from[0]!]!.next();
    if (n.done) {
      const lastHead = heads.pop()!;
      const lastFrom = from.pop()!;
      if (heads.length === 0) break;
      heads[0] = lastHead;
      from[0] = lastFrom;
    } else heads[0] = n.value;
    down(0);
  }
}

/**
 * Collects entries with `add`, then yields them sorted once with `sorted()`. `dispose()` removes
 * every scratch file (call it on success and on failure; process exit removes them too).
 * Entries are held encoded (48 bytes each, in one buffer per run): no object and no string per
 * entry, so nothing an entry came from (a cell id sliced out of its line) stays reachable.
 */
export class IndexSort {
  private readonly runEntries: number;
  private readonly fanIn: number;
  private readonly buf: Buffer;
  private n = 0;
  private runs: Run[] = [];
  /** Every run file not yet removed (those of a pass in progress included). */
  private readonly live = new Set<Run>();
  /** Runs written in all, merge passes included (for tests and the docs' figures). */
  runsWritten = 0;

  constructor(
    private readonly dir: string,
    private readonly flag = '--out',
    opts: IndexSortOptions = {},
  ) {
    this.runEntries = Math.max(1, opts.runEntries ?? DEFAULT_RUN_ENTRIES);
    this.fanIn = Math.max(2, opts.fanIn ?? DEFAULT_FAN_IN);
    this.buf = Buffer.alloc(this.runEntries * ENTRY_BYTES);
  }

  add(e: IndexEntry): void {
    encode(e, this.buf, this.n * ENTRY_BYTES);
    if (++this.n === this.runEntries) this.spill();
  }

  /** The buffered entries in order (a sorted permutation of the buffer). */
  private *buffered(): Generator<IndexEntry> {
    const buf = this.buf;
    const order = new Uint32Array(this.n);
    for (let i = 0; i < order.length; i++) order[i] = i * ENTRY_BYTES;
    order.sort((a, b) => {
      // The id's first 4 bytes decide nearly always (ids are hashes); then the whole id, the input, the offset.
      const x = buf.readUInt32BE(a);
      const y = buf.readUInt32BE(b);
      if (x !== y) return x < y ? -1 : 1;
      return buf.compare(buf, b, b + 32, a, a + 32) || buf.readUInt32LE(a + 32) - buf.readUInt32LE(b + 32) || buf.readDoubleLE(a + 36) - buf.readDoubleLE(b + 36);
    });
    for (const at of order) yield decode(buf, at);
  }

  private spill(): void {
    if (this.n === 0) return;
    this.runs.push(this.write(this.buffered()));
    this.n = 0;
  }

  private write(entries: Iterable<IndexEntry>): Run {
    const r = Run.write(this.dir, this.flag, entries);
    this.live.add(r);
    this.runsWritten++;
    return r;
  }

  private remove(r: Run): void {
    r.file.remove();
    this.live.delete(r);
  }

  /** Every entry added, in order: cellId, input, offset. */
  *sorted(): Generator<IndexEntry> {
    if (this.runs.length === 0) {
      // Everything fits one run: no disk.
      yield* this.buffered();
      this.n = 0;
      return;
    }
    this.spill();
    // Merge passes until one pass can merge every run.
    while (this.runs.length > this.fanIn) {
      const next: Run[] = [];
      for (let i = 0; i < this.runs.length; i += this.fanIn) {
        const group = this.runs.slice(i, i + this.fanIn);
        if (group.length === 1) {
          next.push(group[0]!);
          continue;
        }
        next.push(this.write(mergeSorted(group.map((r) => r.read()))));
        for (const r of group) this.remove(r);
      }
      this.runs = next;
    }
    yield* mergeSorted(this.runs.map((r) => r.read()));
  }

  dispose(): void {
    for (const r of [...this.live]) this.remove(r);
    this.runs = [];
    this.n = 0;
  }
}
