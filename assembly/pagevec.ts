// Per-CPU pagevecs (docs/kernel-model.md A2) and the page operations that fill them (OP7, A2 fill rule).
// A CPU's pagevecs are only touched by the thread that runs that CPU, so nr and the entries are
// plain loads and stores; refcounts and flags are shared by every CPU and use atomics so that
// concurrent drains on different workers stay exact (docs/toolchain.md, "Atomics and threads": atomic adds are exact).
import {
  hdr, refPtr, mapPtr, flgPtr, pvecPtr, H_PVCAP, H_LRU_DISABLED, H_MGLRU,
  PV_LRU_ADD, PV_ACTIVATE, PV_KINDS,
  PG_PRESENT, PG_LRU, PG_ACTIVE, PG_REFERENCED, PG_COMPOUND,
} from './layout';

// A2 drain rule: move every page to the LRU (lru_add: SetPageLRU; activate: SetPageActive if on
// the LRU and not yet active), then release_pages drops the reference the pagevec held
// (v4.14 mm/swap.c:188-215, "line 213" [M7]). Returns the number of pages drained.
export function drainPvec(cpu: u32, kind: u32): u32 {
  const pv = pvecPtr(cpu, kind);
  const nr = load<u32>(pv);
  for (let i: u32 = 1; i <= nr; i++) {
    const g = load<u32>(pv + (<usize>i << 2));
    const fp = flgPtr(g);
    if (kind == PV_LRU_ADD) {
      atomic.or<u8>(fp, PG_LRU);
    } else {
      // __activate_page: PageLRU && !PageActive -> activate. Flag ORs commute across workers.
      if ((atomic.load<u8>(fp) & PG_LRU) != 0) atomic.or<u8>(fp, PG_ACTIVE);
    }
    atomic.sub<u32>(refPtr(g), 1);
  }
  store<u32>(pv, 0);
  return nr;
}

/** OP4 lru_add_drain(): this CPU's pagevecs, all kinds. Returns pages drained. */
export function drainCpu(cpu: u32): u32 {
  let n: u32 = 0;
  for (let k: u32 = 0; k < PV_KINDS; k++) {
    if (load<u32>(pvecPtr(cpu, k)) != 0) n += drainPvec(cpu, k);
  }
  return n;
}

/** OP5.4: the sum of the CPU's pagevec counts (drain_all queues work when it is non-zero). */
export function pvecCount(cpu: u32): u32 {
  let n: u32 = 0;
  for (let k: u32 = 0; k < PV_KINDS; k++) n += load<u32>(pvecPtr(cpu, k));
  return n;
}

// A2 fill rule: take a reference, append; drain at once when the pagevec is now full, when the
// page is compound (THP, v6.18 folio_may_be_lru_cached), or while LRU caching is disabled (v5.13).
// Returns 1 when the add drained the pagevec.
function pvecAdd(cpu: u32, kind: u32, g: u32): u32 {
  atomic.add<u32>(refPtr(g), 1);
  const pv = pvecPtr(cpu, kind);
  const nr = load<u32>(pv) + 1;
  store<u32>(pv + (<usize>nr << 2), g);
  store<u32>(pv, nr);
  if (nr >= hdr(H_PVCAP) || (load<u8>(flgPtr(g)) & PG_COMPOUND) != 0 || hdr(H_LRU_DISABLED) != 0) {
    drainPvec(cpu, kind);
    return 1;
  }
  return 0;
}

// OP7: shmem_getpage_gfp allocates a missing page, inserts it into the page cache (+1 ref), and
// lru_cache_add_anon puts it in the current CPU's lru_add pagevec (+1 ref). A write (SGP_WRITE)
// also marks the new page referenced. Returns 1 if the page was allocated.
function allocIfMissing(cpu: u32, g: u32, compound: bool, referenced: bool): u32 {
  const fp = flgPtr(g);
  if ((load<u8>(fp) & PG_PRESENT) != 0) return 0;
  let f: u8 = PG_PRESENT;
  if (compound) f |= PG_COMPOUND;
  if (referenced) f |= PG_REFERENCED;
  store<u8>(fp, f);
  atomic.add<u32>(refPtr(g), 1);
  pvecAdd(cpu, PV_LRU_ADD, g);
  return 1;
}

// mark_page_accessed (v4.14 mm/swap.c): the second access to an inactive page activates it; on
// the LRU that goes through this CPU's activate pagevec (A2, with a reference), otherwise
// __lru_cache_activate_page marks it active where it waits in the local lru_add pagevec.
// With the multi-gen LRU enabled (v6.1+ folio_mark_accessed: `if (lru_gen_enabled()) {
// folio_inc_refs(folio); return; }`), the access only sets PG_referenced (then counts refs in the
// flags): no batch, no reference held.
function markAccessed(cpu: u32, g: u32): void {
  const fp = flgPtr(g);
  const f = load<u8>(fp);
  if (hdr(H_MGLRU) != 0) {
    if ((f & PG_REFERENCED) == 0) atomic.or<u8>(fp, PG_REFERENCED);
    return;
  }
  if ((f & PG_ACTIVE) == 0 && (f & PG_REFERENCED) != 0) {
    if ((f & PG_LRU) != 0) {
      pvecAdd(cpu, PV_ACTIVATE, g);
    } else if (inLocalLruAdd(cpu, g)) {
      atomic.or<u8>(fp, PG_ACTIVE);
    }
    atomic.and<u8>(fp, ~PG_REFERENCED);
  } else if ((f & PG_REFERENCED) == 0) {
    atomic.or<u8>(fp, PG_REFERENCED);
  }
}

function inLocalLruAdd(cpu: u32, g: u32): bool {
  const pv = pvecPtr(cpu, PV_LRU_ADD);
  for (let i = load<u32>(pv); i >= 1; i--) {
    if (load<u32>(pv + (<usize>i << 2)) == g) return true;
  }
  return false;
}

/** write(): allocate missing pages (SGP_WRITE), mark existing ones accessed. Returns pages allocated. */
export function opWrite(cpu: u32, lo: u32, hi: u32, compound: bool): u32 {
  let n: u32 = 0;
  for (let g = lo; g < hi; g++) {
    if (allocIfMissing(cpu, g, compound, true) == 0) markAccessed(cpu, g);
    else n++;
  }
  return n;
}

/** A fault through a PTE: allocate if missing, then map (+1 ref, +1 mapcount; A1). */
export function opFault(cpu: u32, lo: u32, hi: u32, compound: bool): u32 {
  let n: u32 = 0;
  for (let g = lo; g < hi; g++) {
    n += allocIfMissing(cpu, g, compound, false);
    atomic.add<u32>(refPtr(g), 1);
    atomic.add<u32>(mapPtr(g), 1);
  }
  return n;
}

/** Remove one PTE mapping from each mapped page (-1 ref, -1 mapcount). Returns pages unmapped. */
export function opUnmap(lo: u32, hi: u32): u32 {
  let n: u32 = 0;
  for (let g = lo; g < hi; g++) {
    if (atomic.load<u32>(mapPtr(g)) == 0) continue;
    atomic.sub<u32>(mapPtr(g), 1);
    atomic.sub<u32>(refPtr(g), 1);
    n++;
  }
  return n;
}

/** OP6 get_user_pages: faults a missing page in (OP7), then +1 ref per page. Returns pages allocated. */
export function opPin(cpu: u32, lo: u32, hi: u32, compound: bool): u32 {
  let n: u32 = 0;
  for (let g = lo; g < hi; g++) {
    n += allocIfMissing(cpu, g, compound, false);
    atomic.add<u32>(refPtr(g), 1);
  }
  return n;
}

/** OP6: the pin's reference is dropped. */
export function opUnpin(lo: u32, hi: u32): void {
  for (let g = lo; g < hi; g++) atomic.sub<u32>(refPtr(g), 1);
}

/**
 * Truncation of a page range (shmem_undo_range -> truncate_inode_page, or a hole punch): each
 * present page leaves the page cache (-1 ref) and every mapping of it (unmap_mapping_range: -1
 * ref and -1 mapcount each) and loses its flags, so the next write of the slot allocates a fresh
 * page (OP7). A reference a pagevec or a pin still holds stays until that holder drops it, as the
 * kernel frees a truncated page only then. Tags are left alone (a truncated file is never sealed
 * in this lab: the scenario resolver refuses it). Returns the pages removed.
 */
export function opTruncate(lo: u32, hi: u32): u32 {
  let n: u32 = 0;
  for (let g = lo; g < hi; g++) {
    const fp = flgPtr(g);
    if ((atomic.load<u8>(fp) & PG_PRESENT) == 0) continue;
    const maps = atomic.load<u32>(mapPtr(g));
    atomic.store<u32>(mapPtr(g), 0);
    atomic.sub<u32>(refPtr(g), 1 + maps);
    atomic.store<u8>(fp, 0);
    n++;
  }
  return n;
}

/** read(): mark_page_accessed on the pages that exist (a hole reads as zeroes, allocates nothing). */
export function opRead(cpu: u32, lo: u32, hi: u32): void {
  for (let g = lo; g < hi; g++) {
    if ((load<u8>(flgPtr(g)) & PG_PRESENT) != 0) markAccessed(cpu, g);
  }
}
