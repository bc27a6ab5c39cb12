// The arena the host lays out in the shared memory. The core never allocates: every region's
// byte offset is read from a header the host writes once (src/wasm/layout.ts mirrors this file).
//
//   0 ........ 64 KiB   reserved: AssemblyScript's static area (empty: the core has no data)
//   HOST_BASE          header: u32 words, H_* below
//   H_REF  ──────────► refcount  u32[NFILES × PSTRIDE]   page g = file × PSTRIDE + index
//   H_MAP  ──────────► mapcount  u32[NFILES × PSTRIDE]
//   H_FLG  ──────────► flags     u8 [NFILES × PSTRIDE]   PG_* below
//   H_TAG  ──────────► PINNED tag trees, one per file, H_TAGSTRIDE bytes each:
//                        level 0: u64[ceil(PSTRIDE/64)]   bit i = page i tagged
//                        level k: u64[ceil(words(k-1)/64)] bit i = word i of level k-1 non-zero
//                        top level: one u64, the radix-tree root tag (OP2.2a "any tagged", O(1))
//   H_PVEC ──────────► per-CPU pagevecs: NCPUS × PV_KINDS × PV_WORDS u32
//                        word 0 = nr, words 1..PVCAP = global page indices (A2)
//
// PSTRIDE is the page count rounded up to 64, so a level-0 word never spans two files and the
// padding pages (refcount 0) are never tagged.

export const HOST_BASE: u32 = 65536;

export const H_NPAGES: u32 = 0; // pages per file
export const H_NFILES: u32 = 1;
export const H_NCPUS: u32 = 2;
export const H_PVCAP: u32 = 3; // PAGEVEC_SIZE of the kernel version (C1: 14, 15, 31)
export const H_PSTRIDE: u32 = 4;
export const H_REF: u32 = 5;
export const H_MAP: u32 = 6;
export const H_FLG: u32 = 7;
export const H_TAG: u32 = 8;
export const H_TAGSTRIDE: u32 = 9;
export const H_TAGLEVELS: u32 = 10;
export const H_PVEC: u32 = 11;
export const H_LRU_DISABLED: u32 = 12; // lru_disable_count (OP5' v5.13): non-zero = every add drains at once
export const H_MGLRU: u32 = 13; // the multi-gen LRU is enabled (v6.1+): mark_accessed parks nothing
export const H_LVL0: u32 = 16; // H_LVL0 + k: byte offset of tag level k inside a tree (k < 8)
export const H_LVLN: u32 = 24; // H_LVLN + k: number of u64 words in tag level k

export const PV_KINDS: u32 = 2;
export const PV_LRU_ADD: u32 = 0; // lru_add_pvec (A2): every new memfd page passes through it
export const PV_ACTIVATE: u32 = 1; // activate_page_pvecs (A2): mark_page_accessed on an LRU page
export const PV_WORDS: u32 = 32; // nr + up to 31 entries (C1: PAGEVEC_SIZE <= 31)

// Page flags (A1, A2).
export const PG_PRESENT: u8 = 1; // in the page cache (holds the cache reference)
export const PG_LRU: u8 = 2;
export const PG_ACTIVE: u8 = 4;
export const PG_REFERENCED: u8 = 8;
export const PG_COMPOUND: u8 = 16; // a THP / large folio: never lingers in a pagevec

export const NONE: u32 = 0xffffffff;

// @ts-ignore: decorator
@inline export function hdr(field: u32): u32 {
  return load<u32>(HOST_BASE + (field << 2));
}
// @ts-ignore: decorator
@inline export function refPtr(g: u32): usize {
  return <usize>hdr(H_REF) + (<usize>g << 2);
}
// @ts-ignore: decorator
@inline export function mapPtr(g: u32): usize {
  return <usize>hdr(H_MAP) + (<usize>g << 2);
}
// @ts-ignore: decorator
@inline export function flgPtr(g: u32): usize {
  return <usize>hdr(H_FLG) + <usize>g;
}
// @ts-ignore: decorator
@inline export function pvecPtr(cpu: u32, kind: u32): usize {
  return <usize>hdr(H_PVEC) + (<usize>(cpu * PV_KINDS + kind) * PV_WORDS << 2);
}
// @ts-ignore: decorator
@inline export function treePtr(file: u32): usize {
  return <usize>hdr(H_TAG) + <usize>file * <usize>hdr(H_TAGSTRIDE);
}
// @ts-ignore: decorator
@inline export function levelPtr(tree: usize, level: u32): usize {
  return tree + <usize>hdr(H_LVL0 + level);
}
