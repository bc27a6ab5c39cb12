// The two per-page passes of the seal path, each on a page range [lo, hi) of one file so the host
// can split a file across workers (ranges split at multiples of 64 pages: each level-0 tag word
// then belongs to one worker).
//
//   tag pass  (OP3.2):  tag every page with refcount - mapcount > 1          (v4.14 shmem.c:2632)
//   re-check  (OP2.2c): over tagged pages only, clear the tag when
//                       refcount - mapcount == 1 (released), or the page is gone;
//                       on the last pass clear every tag and count the still-pinned ones.
//
// The u32 difference wraps exactly as the kernel's int arithmetic does for these counts; absent
// pages (refcount 0) give 0 and are never tagged.
import { hdr, refPtr, mapPtr, treePtr, levelPtr, H_PSTRIDE, NONE } from './layout';
import { orWord, clearWord, tagNext, rangeMask } from './tags';

// @ts-ignore: decorator
@inline function fileBase(file: u32): u32 {
  return file * hdr(H_PSTRIDE);
}

/** Scalar tag pass. Returns the number of pages tagged in [lo, hi). */
export function tagPassScalar(file: u32, lo: u32, hi: u32): u32 {
  const tree = treePtr(file);
  const base = fileBase(file);
  let n: u32 = 0;
  let p = lo;
  while (p < hi) {
    const w = p >> 6;
    const end = min(hi, (w + 1) << 6);
    let mask: u64 = 0;
    for (; p < end; p++) {
      const g = base + p;
      if (load<u32>(refPtr(g)) - load<u32>(mapPtr(g)) > 1) mask |= <u64>1 << (p & 63);
    }
    n += <u32>popcnt(mask);
    orWord(tree, w, mask);
  }
  return n;
}

// 64 pages -> a 64-bit mask of (refcount - mapcount > 1), four lanes at a time.
// @ts-ignore: decorator
@inline function pinnedMask64(g0: u32): u64 {
  const rp = refPtr(g0);
  const mp = mapPtr(g0);
  const one = i32x4.splat(1);
  let m: u64 = 0;
  for (let j: u32 = 0; j < 16; j++) {
    const d = i32x4.sub(v128.load(rp + (<usize>j << 4)), v128.load(mp + (<usize>j << 4)));
    m |= <u64>i32x4.bitmask(i32x4.gt_u(d, one)) << (j << 2);
  }
  return m;
}

// 64 pages -> a mask of "released": refcount - mapcount == 1, or refcount == 0 (page gone, OP2.2c).
// @ts-ignore: decorator
@inline function releasedMask64(g0: u32): u64 {
  const rp = refPtr(g0);
  const mp = mapPtr(g0);
  const one = i32x4.splat(1);
  const zero = i32x4.splat(0);
  let m: u64 = 0;
  for (let j: u32 = 0; j < 16; j++) {
    const r = v128.load(rp + (<usize>j << 4));
    const rel = v128.or(i32x4.eq(i32x4.sub(r, v128.load(mp + (<usize>j << 4))), one), i32x4.eq(r, zero));
    m |= <u64>i32x4.bitmask(rel) << (j << 2);
  }
  return m;
}

/** SIMD tag pass: whole words of 64 pages with i32x4 compares and bitmasks. Same result as scalar. */
export function tagPassSimd(file: u32, lo: u32, hi: u32): u32 {
  const tree = treePtr(file);
  const base = fileBase(file); // a multiple of 64, so every word's columns are 16-byte aligned
  let n: u32 = 0;
  const wEnd = (hi + 63) >> 6;
  for (let w = lo >> 6; w < wEnd; w++) {
    const mask = pinnedMask64(base + (w << 6)) & rangeMask(w, lo, hi);
    n += <u32>popcnt(mask);
    orWord(tree, w, mask);
  }
  return n;
}

// @ts-ignore: decorator
@inline function releasedScalar(g: u32): bool {
  const r = load<u32>(refPtr(g));
  return r == 0 || r - load<u32>(mapPtr(g)) == 1;
}

/**
 * Re-check of the tagged pages in [lo, hi). Not last: clear the tags of released pages. Last
 * (OP2.2c, scan == LAST_SCAN): clear every tag. Returns the number of tagged pages still pinned.
 * Scalar: one page at a time, visiting only set bits.
 */
export function recheckScalar(file: u32, lo: u32, hi: u32, last: bool): u32 {
  const tree = treePtr(file);
  const base = fileBase(file);
  let pinned: u32 = 0;
  let p = tagNext(file, lo);
  while (p != NONE && p < hi) {
    const w = p >> 6;
    const tagged = atomic.load<u64>(levelWord(tree, w)) & rangeMask(w, lo, hi);
    let clear: u64 = 0;
    let bits = tagged;
    while (bits != 0) {
      const b = <u32>ctz(bits);
      bits &= bits - 1;
      if (releasedScalar(base + (w << 6) + b)) clear |= <u64>1 << b;
    }
    pinned += <u32>popcnt(tagged & ~clear);
    clearWord(tree, w, last ? tagged : clear);
    p = tagNext(file, (w + 1) << 6);
  }
  return pinned;
}

// Below this many tags in a word, visiting set bits beats comparing all 64 pages.
const DENSE_WORD: u64 = 6;

/** Re-check with SIMD on dense words (all 64 pages compared at once), scalar on sparse ones. */
export function recheckSimd(file: u32, lo: u32, hi: u32, last: bool): u32 {
  const tree = treePtr(file);
  const base = fileBase(file);
  let pinned: u32 = 0;
  let p = tagNext(file, lo);
  while (p != NONE && p < hi) {
    const w = p >> 6;
    const tagged = atomic.load<u64>(levelWord(tree, w)) & rangeMask(w, lo, hi);
    let clear: u64 = 0;
    if (popcnt(tagged) >= DENSE_WORD) {
      clear = tagged & releasedMask64(base + (w << 6));
    } else {
      let bits = tagged;
      while (bits != 0) {
        const b = <u32>ctz(bits);
        bits &= bits - 1;
        if (releasedScalar(base + (w << 6) + b)) clear |= <u64>1 << b;
      }
    }
    pinned += <u32>popcnt(tagged & ~clear);
    clearWord(tree, w, last ? tagged : clear);
    p = tagNext(file, (w + 1) << 6);
  }
  return pinned;
}

// @ts-ignore: decorator
@inline function levelWord(tree: usize, w: u32): usize {
  return levelPtr(tree, 0) + (<usize>w << 3);
}
