// The arena the host lays out in the shared memory. The core never allocates: every region's
// byte offset is read from a header the host writes once (src/wasm/layout.ts plans it; both read
// their constants from assembly/arena-constants.ts).
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

export {
  HOST_BASE, H_NPAGES, H_NFILES, H_NCPUS, H_PVCAP, H_PSTRIDE, H_REF, H_MAP, H_FLG, H_TAG, H_TAGSTRIDE, H_TAGLEVELS, H_PVEC, H_LRU_DISABLED, H_MGLRU, H_LVL0, H_LVLN, PV_KINDS, PV_LRU_ADD, PV_ACTIVATE, PV_WORDS, PG_PRESENT, PG_LRU, PG_ACTIVE, PG_REFERENCED, PG_COMPOUND, NONE,
} from './arena-constants';
import { HOST_BASE, H_REF, H_MAP, H_FLG, H_PVEC, H_TAG, H_TAGSTRIDE, H_LVL0, PV_KINDS, PV_WORDS } from './arena-constants';

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
