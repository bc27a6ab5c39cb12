// The PINNED tag (A1) as a 64-ary hierarchy of bitmaps, like the radix tree's tag bits: a bit at
// level k says "some bit below is set". Sets and clears propagate upward only on the 0 <-> non-zero
// transition of a word, seen through the atomic's old value, so concurrent set-only (tag pass) or
// clear-only (re-check) epochs on different workers keep every level exact. The host never mixes
// sets and clears in one epoch (docs/architecture.md, "Determinism").
import { hdr, treePtr, levelPtr, H_TAGLEVELS, H_PSTRIDE, H_LVLN, NONE } from './layout';

// @ts-ignore: decorator
@inline function wordPtr(tree: usize, level: u32, idx: u32): usize {
  return levelPtr(tree, level) + (<usize>idx << 3);
}

/** Sets bit `idx` of `level` and above, stopping where the word was already non-zero. */
export function setBits(tree: usize, level: u32, idx: u32): void {
  const top = hdr(H_TAGLEVELS) - 1;
  while (true) {
    const old = atomic.or<u64>(wordPtr(tree, level, idx >> 6), <u64>1 << (idx & 63));
    if (old != 0 || level == top) return;
    level++;
    idx >>= 6;
  }
}

/** ORs `mask` into level-0 word `w`, propagating when the word became non-zero. */
export function orWord(tree: usize, w: u32, mask: u64): void {
  if (mask == 0) return;
  const old = atomic.or<u64>(wordPtr(tree, 0, w), mask);
  if (old == 0 && hdr(H_TAGLEVELS) > 1) setBits(tree, 1, w);
}

/** Clears `mask` in level-0 word `w`, propagating when the word became zero. */
export function clearWord(tree: usize, w: u32, mask: u64): void {
  if (mask == 0) return;
  let old = atomic.and<u64>(wordPtr(tree, 0, w), ~mask);
  if (old == 0 || (old & ~mask) != 0) return;
  const top = hdr(H_TAGLEVELS) - 1;
  let level: u32 = 0;
  let idx = w;
  while (level < top) {
    level++;
    const bit = <u64>1 << (idx & 63);
    old = atomic.and<u64>(wordPtr(tree, level, idx >> 6), ~bit);
    if ((old & ~bit) != 0) return;
    idx >>= 6;
  }
}

export function tagSet(file: u32, p: u32): void {
  orWord(treePtr(file), p >> 6, <u64>1 << (p & 63));
}

export function tagClear(file: u32, p: u32): void {
  clearWord(treePtr(file), p >> 6, <u64>1 << (p & 63));
}

export function tagTest(file: u32, p: u32): bool {
  return ((atomic.load<u64>(wordPtr(treePtr(file), 0, p >> 6)) >> (p & 63)) & 1) != 0;
}

/** OP2.2a: radix_tree_tagged(root, PINNED), one load of the root word. */
export function tagAny(file: u32): bool {
  return atomic.load<u64>(levelPtr(treePtr(file), hdr(H_TAGLEVELS) - 1)) != 0;
}

/**
 * The first tagged page >= from, or NONE. Climbs while the rest of a word is empty and descends
 * through the first set bit, so empty subtrees of 64^k pages cost one load each.
 */
export function tagNext(file: u32, from: u32): u32 {
  const tree = treePtr(file);
  const top = hdr(H_TAGLEVELS) - 1;
  const stride = hdr(H_PSTRIDE);
  if (from >= stride) return NONE;
  let level: u32 = 0;
  let i = from; // a bit index at `level`
  while (true) {
    const w = i >> 6;
    // Past the last word of a level: no page after `from` is tagged.
    if (w >= hdr(H_LVLN + level)) return NONE;
    const bits = atomic.load<u64>(wordPtr(tree, level, w)) & (<u64>-1 << (i & 63));
    if (bits != 0) {
      i = (w << 6) + <u32>ctz(bits);
      while (level > 0) {
        level--;
        i = (i << 6) + <u32>ctz(atomic.load<u64>(wordPtr(tree, level, i)));
      }
      return i;
    }
    if (level == top) return NONE;
    level++;
    i = w + 1;
  }
}

/** How many pages of the file are tagged in [lo, hi) (skips empty words through the hierarchy). */
export function tagCount(file: u32, lo: u32, hi: u32): u32 {
  const tree = treePtr(file);
  let n: u32 = 0;
  let p = tagNext(file, lo);
  while (p != NONE && p < hi) {
    const w = p >> 6;
    n += <u32>popcnt(atomic.load<u64>(wordPtr(tree, 0, w)) & rangeMask(w, lo, hi));
    p = tagNext(file, (w + 1) << 6);
  }
  return n;
}

/** Bits of level-0 word `w` whose pages lie in [lo, hi). */
export function rangeMask(w: u32, lo: u32, hi: u32): u64 {
  const base = w << 6;
  let m: u64 = <u64>-1;
  if (lo > base) m &= <u64>-1 << (lo - base);
  if (hi < base + 64) m &= ~(<u64>-1 << (hi - base));
  return m;
}
