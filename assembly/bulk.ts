// Bulk page operations in a form that can be split across workers (docs/architecture.md,
// "Fan-out inside one scenario"). A large write/fault/pin over pages that are all absent, or all
// present, is decomposed by the host into: range passes below, each on a page range that one
// worker owns, and a pagevec step done once on the main thread. The result equals the sequential
// opWrite/opFault/opPin (test/bulk-decomposition.test.ts checks it against both).
import { refPtr, mapPtr, flgPtr, pvecPtr, PG_PRESENT } from './layout';

/** How many pages of [lo, hi) are present. */
export function countPresent(lo: u32, hi: u32): u32 {
  let n: u32 = 0;
  for (let g = lo; g < hi; g++) n += <u32>(load<u8>(flgPtr(g)) & PG_PRESENT);
  return n;
}

/** Absent pages of [lo, hi) become present with these flags and counts (plain stores: the range is owned). */
export function allocFresh(lo: u32, hi: u32, flags: u8, refs: u32, maps: u32): void {
  for (let g = lo; g < hi; g++) {
    store<u8>(flgPtr(g), flags);
    store<u32>(refPtr(g), refs);
    store<u32>(mapPtr(g), maps);
  }
}

/** Present pages of [lo, hi) gain references and mappings (atomics: other ranges may share nothing, but stay exact anyway). */
export function addCounts(lo: u32, hi: u32, refs: u32, maps: u32): void {
  for (let g = lo; g < hi; g++) {
    if (refs != 0) atomic.add<u32>(refPtr(g), refs);
    if (maps != 0) atomic.add<u32>(mapPtr(g), maps);
  }
}

/** Appends pages [lo, hi) to a pagevec, which the host knows has room (no fill rule here). */
export function pvecAppend(cpu: u32, kind: u32, lo: u32, hi: u32): void {
  const pv = pvecPtr(cpu, kind);
  let nr = load<u32>(pv);
  for (let g = lo; g < hi; g++) {
    nr++;
    store<u32>(pv + (<usize>nr << 2), g);
  }
  store<u32>(pv, nr);
}

/** Pages [lo, hi) back to absent: their three columns zeroed (Arena.reset, split across workers). */
export function zeroPages(lo: u32, hi: u32): void {
  if (hi <= lo) return;
  const n = <usize>(hi - lo);
  zeroBytes(refPtr(lo), n << 2);
  zeroBytes(mapPtr(lo), n << 2);
  zeroBytes(flgPtr(lo), n);
}

/**
 * Zeroes bytes [p, p + n), writing only the 4 KiB blocks (OS pages) that hold a nonzero byte.
 * Why not memory.fill: a page that was only ever read is mapped to the kernel's shared zero page,
 * and a store to it faults, allocates a page and flushes the TLB of every CPU running another
 * thread of this process (an IPI each). A reset of a sparse arena did that for every page it
 * had scanned: ~100K shootdowns a second with two threads, 27 % slower cells (docs/scaling.md).
 */
export function zeroBytes(p: usize, n: usize): void {
  const end = p + n;
  while (p < end) {
    let next = (p + 4096) & ~(<usize>4095);
    if (next > end) next = end;
    if (!allZero(p, next)) memory.fill(p, 0, next - p);
    p = next;
  }
}

function allZero(p: usize, end: usize): bool {
  for (; p < end && (p & 15) != 0; p++) if (load<u8>(p) != 0) return false;
  for (; p + 64 <= end; p += 64) {
    const v = v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48)));
    if (v128.any_true(v)) return false;
  }
  for (; p < end; p++) if (load<u8>(p) != 0) return false;
  return true;
}
