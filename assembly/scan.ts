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
import { hdr, refPtr, mapPtr, treePtr, levelPtr, H_PSTRIDE, H_TAGLEVELS, NONE } from './layout';
import { orWord, clearWord, tagNext, rangeMask } from './tags';

// @ts-ignore: decorator
@inline function fileBase(file: u32): u32 {
  return file * hdr(H_PSTRIDE);
}

// Performance notes (figures in bench/README.md; bench/native/scan.c is the same code in C):
// - column and tag-level pointers are read from the header once per call, not once per page;
// - SIMD masks are built 16 pages at a time: 4 differences narrowed to 16 bytes, one 8-bit
//   compare, one bitmask (not 4 compares and 4 bitmasks of 4 lanes);
// - the range mask is applied to the first and the last word only (peeled off the loop);
// - a write to a per-instance sink after each 16 pages keeps V8 from hoisting all 32 loads of a
//   word above the arithmetic and spilling (see `sink` below);
// - the re-check steps to the next non-empty word through the level-1 summary word, not through
//   a tagNext() call per word, and calls clearWord only when there is something to clear.

/** Scalar tag pass. Returns the number of pages tagged in [lo, hi). */
export function tagPassScalar(file: u32, lo: u32, hi: u32): u32 {
  const tree = treePtr(file);
  const base = fileBase(file);
  const rp = refPtr(base);
  const mp = mapPtr(base);
  let n: u32 = 0;
  let p = lo;
  while (p < hi) {
    const w = p >> 6;
    const end = min(hi, (w + 1) << 6);
    let mask: u64 = 0;
    for (; p < end; p++) {
      const o = <usize>p << 2;
      if (load<u32>(rp + o) - load<u32>(mp + o) > 1) mask |= <u64>1 << (p & 63);
    }
    n += <u32>popcnt(mask);
    orWord(tree, w, mask);
  }
  return n;
}

// 16 u32 lanes at p, p+16, p+32, p+48 narrowed to 16 bytes with signed saturation (i32 -> i16 ->
// i8): 0 stays 0, 1 stays 1, 2 .. 2^31-1 become 2 .. 127, and 2^31 .. 2^32-1 (negative as i32)
// become -128 .. -1, i.e. 128 .. 255 as u8. So "x > 1", "x == 1" and "x == 0" of a u32 lane
// read the same on its byte: one 8-bit compare then tests 16 pages.
// @ts-ignore: decorator
@inline function narrow16(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

// 16 pages at rp/mp (16-byte aligned) -> 16 bits of (refcount - mapcount > 1): the bytes with
// min_u(x, 1) == x are the quiet ones (x <= 1); the mask is their complement (xor, zero-extended:
// one instruction fewer than not/and/sign-extend).
// @ts-ignore: decorator
@inline function pinned16(rp: usize, mp: usize): u64 {
  const x = narrow16(
    i32x4.sub(v128.load(rp), v128.load(mp)),
    i32x4.sub(v128.load(rp, 16), v128.load(mp, 16)),
    i32x4.sub(v128.load(rp, 32), v128.load(mp, 32)),
    i32x4.sub(v128.load(rp, 48), v128.load(mp, 48)),
  );
  return <u64><u32>(i8x16.bitmask(i8x16.eq(i8x16.min_u(x, i8x16.splat(1)), x)) ^ 0xffff);
}

/**
 * Written after each 16 pages of the tag pass and never read by the simulation: a scheduling
 * fence for V8, in this instance's own storage (each thread has its own instance, so no cache
 * line is shared). TurboFan keeps memory loads in program order on its effect chain but places
 * pure SIMD arithmetic as late as it can, so without an effectful use of each 16-page mask it
 * issues all 32 loads of a 64-page word first and spills 16 of them to the stack (16 stores and
 * 16 reloads a word; V8 11.3, `node --print-wasm-code`). A global.set is on the effect chain: the
 * next 16 pages' loads stay behind it and 8 vector registers suffice. bench/README.md has the
 * figures. Exported (through scanSink()) only so that Binaryen keeps the writes.
 */
let sink: u64 = 0;

/** The last value written to the tag pass's scheduling sink (no meaning; keeps the sink alive). */
export function scanSink(): u64 {
  return sink;
}

// 64 pages at r (ref column) and r + d (map column) -> a 64-bit mask of (refcount - mapcount > 1),
// 16 pages at a time with the sink between them.
// @ts-ignore: decorator
@inline function pinnedMask64(r: usize, d: usize): u64 {
  const m0 = pinned16(r, r + d);
  sink = m0;
  const m1 = pinned16(r + 64, r + d + 64);
  sink = m1;
  const m2 = pinned16(r + 128, r + d + 128);
  sink = m2;
  const m3 = pinned16(r + 192, r + d + 192);
  return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}

// 16 pages -> 16 bits of "released": refcount - mapcount == 1, or refcount == 0 (page gone, OP2.2c).
// @ts-ignore: decorator
@inline function released16(rp: usize, mp: usize): u64 {
  const r0 = v128.load(rp);
  const r1 = v128.load(rp, 16);
  const r2 = v128.load(rp, 32);
  const r3 = v128.load(rp, 48);
  const d = narrow16(
    i32x4.sub(r0, v128.load(mp)),
    i32x4.sub(r1, v128.load(mp, 16)),
    i32x4.sub(r2, v128.load(mp, 32)),
    i32x4.sub(r3, v128.load(mp, 48)),
  );
  const gone = i8x16.eq(narrow16(r0, r1, r2, r3), i8x16.splat(0));
  return <u64>i8x16.bitmask(v128.or(i8x16.eq(d, i8x16.splat(1)), gone));
}

// @ts-ignore: decorator
@inline function releasedMask64(rp: usize, mp: usize): u64 {
  let m: u64 = 0;
  for (let j: u32 = 0; j < 4; j++) m |= released16(rp + (j << 6), mp + (j << 6)) << (<u64>j << 4);
  return m;
}

/**
 * SIMD tag pass: whole words of 64 pages. Same result as scalar. The first and the last word take
 * the range mask; the words between run in a loop that steps one column pointer (the map column
 * is a fixed distance away) and touches the tree only for a non-empty word.
 */
export function tagPassSimd(file: u32, lo: u32, hi: u32): u32 {
  if (lo >= hi) return 0;
  const tree = treePtr(file);
  const base = fileBase(file); // a multiple of 64, so every word's columns are 16-byte aligned
  const wLo = lo >> 6;
  const wLast = (hi - 1) >> 6;
  const d = mapPtr(base) - refPtr(base);
  let r = refPtr(base) + (<usize>wLo << 8);
  let mask = pinnedMask64(r, d) & rangeMask(wLo, lo, hi);
  let n = <u32>popcnt(mask);
  orWord(tree, wLo, mask);
  if (wLast == wLo) return n;
  for (let w = wLo + 1; w < wLast; w++) {
    r += 256;
    mask = pinnedMask64(r, d);
    if (mask != 0) {
      n += <u32>popcnt(mask);
      orWord(tree, w, mask);
    }
  }
  r += 256;
  mask = pinnedMask64(r, d) & rangeMask(wLast, lo, hi);
  n += <u32>popcnt(mask);
  orWord(tree, wLast, mask);
  return n;
}

// 1 when page p is released (both loads always issued: no branch to mispredict).
// @ts-ignore: decorator
@inline function releasedAt(rp: usize, mp: usize, p: u32): u64 {
  const o = <usize>p << 2;
  const r = load<u32>(rp + o);
  return <u64>(<u32>(r == 0) | <u32>(r - load<u32>(mp + o) == 1));
}

// The released pages among the set bits of `bits`, page by page (word w's pages).
// @ts-ignore: decorator
@inline function releasedBits(rp: usize, mp: usize, w: u32, bits: u64): u64 {
  let clear: u64 = 0;
  while (bits != 0) {
    const b = ctz(bits);
    bits &= bits - 1;
    clear |= releasedAt(rp, mp, (w << 6) + <u32>b) << b;
  }
  return clear;
}

// Below this many tags in a word, visiting set bits beats comparing all 64 pages.
const DENSE_WORD: u64 = 6;

// One non-empty tag word of the re-check: the released pages' tags cleared (every tag when last).
// Returns the word's tagged pages still pinned.
// @ts-ignore: decorator
@inline function recheckWord(
  tree: usize, l0: usize, rp: usize, mp: usize, w: u32, lo: u32, hi: u32, ends: bool, last: bool, simd: bool,
): u32 {
  let tagged = atomic.load<u64>(l0 + (<usize>w << 3));
  if (ends) tagged &= rangeMask(w, lo, hi);
  let clear: u64;
  if (simd && popcnt(tagged) >= DENSE_WORD) {
    const o = <usize>w << 8;
    clear = tagged & releasedMask64(rp + o, mp + o);
  } else {
    clear = releasedBits(rp, mp, w, tagged);
  }
  const drop = last ? tagged : clear;
  if (drop != 0) clearWord(tree, w, drop); // a call that would return at once otherwise
  return <u32>popcnt(tagged & ~clear);
}

/**
 * Re-check of the tagged pages in [lo, hi). Not last: clear the tags of released pages. Last
 * (OP2.2c, scan == LAST_SCAN): clear every tag. Returns the number of tagged pages still pinned.
 * Visits only non-empty tag words: the first through tagNext, the next ones through the set bits
 * of their level-1 word (loaded once per 64 words), and tagNext again past an empty level-1
 * word. Clearing a word touches only its own level-1 bit, so the bits ahead stay valid, and no
 * other worker owns a word of [lo, hi). `simd` compares dense words 64 pages at once; otherwise
 * every tagged page is visited alone.
 */
// @ts-ignore: decorator
@inline function recheckWords(file: u32, lo: u32, hi: u32, last: bool, simd: bool): u32 {
  const p0 = tagNext(file, lo);
  if (p0 == NONE || p0 >= hi) return 0;
  const tree = treePtr(file);
  const l0 = levelPtr(tree, 0);
  const base = fileBase(file);
  const rp = refPtr(base);
  const mp = mapPtr(base);
  const wLo = p0 >> 6;
  const wLast = (hi - 1) >> 6;
  if (hdr(H_TAGLEVELS) == 1) return recheckWord(tree, l0, rp, mp, wLo, lo, hi, true, last, simd); // one word
  const l1 = levelPtr(tree, 1);
  let pinned: u32 = 0;
  let w = wLo;
  while (true) {
    const group = w >> 6;
    let ahead = atomic.load<u64>(l1 + (<usize>group << 3)) & (<u64>-1 << (w & 63));
    while (ahead != 0) {
      w = (group << 6) + <u32>ctz(ahead);
      if (w > wLast) return pinned;
      ahead &= ahead - 1;
      pinned += recheckWord(tree, l0, rp, mp, w, lo, hi, w == wLo || w == wLast, last, simd);
    }
    const p = tagNext(file, (group + 1) << 12);
    if (p == NONE) return pinned;
    w = p >> 6;
  }
}

/** Scalar re-check: one page at a time, visiting only set bits. */
export function recheckScalar(file: u32, lo: u32, hi: u32, last: bool): u32 {
  return recheckWords(file, lo, hi, last, false);
}

/** Re-check with SIMD on dense words (all 64 pages compared at once), scalar on sparse ones. */
export function recheckSimd(file: u32, lo: u32, hi: u32, last: bool): u32 {
  return recheckWords(file, lo, hi, last, true);
}
