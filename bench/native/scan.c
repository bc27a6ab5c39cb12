/*
 * Native reference for the scan benchmarks: the tag pass (OP3.2) and the re-check (OP2.2c) of
 * assembly/scan.ts and the 64-ary tag hierarchy of assembly/tags.ts, ported line for line to C, on
 * the same page population as bench/data.ts (one xorshift32 draw per page, same decoding).
 *
 * Two variants of the same loops, so the WASM core can be compared with what a C programmer gets:
 *   plain  tagPassScalar / recheckScalar as plain C (gcc 12 -O3 does not vectorize the mask
 *          building: "unsupported data-type uint64_t"; -fopt-info-vec-all)
 *   sse2   tagPassSimd / recheckSimd with SSE2 intrinsics, one intrinsic per WASM SIMD op
 *          (i32x4 = __m128i, 128-bit vectors like WASM SIMD128)
 * Tag words are updated with the same atomic read-modify-writes the core uses.
 *
 * usage: scan PAGES SEED TIME_MS WARMUP_MS MIN_SAMPLES
 * prints one JSON object: the counts (checked against the TS side) and every sample in ms.
 */
#define _POSIX_C_SOURCE 200809L
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NONE 0xffffffffu
#define MAX_LEVELS 8
#define MAX_SAMPLES 100000
#define DENSE_WORD 6 /* assembly/scan.ts: below this many tags a word is visited bit by bit */

static uint32_t *ref, *map;
static uint64_t *tree;
static uint32_t pstride, nlevels;
static uint32_t lvl_off[MAX_LEVELS], lvl_words[MAX_LEVELS]; /* in u64 words */

/* ---- population: bench/data.ts population() ---------------------------------------------- */
static uint32_t xs;
static uint32_t xorshift32(void) {
  xs ^= xs << 13;
  xs ^= xs >> 17;
  xs ^= xs << 5;
  return xs;
}

static uint32_t populate(uint32_t pages, uint32_t seed) {
  uint32_t pinned = 0;
  xs = seed ? seed : 1;
  for (uint32_t p = 0; p < pages; p++) {
    uint32_t x = xorshift32();
    if ((x & 0xff) == 0) { ref[p] = 0; map[p] = 0; continue; }
    uint32_t mapped = ((x >> 8) & 7) == 0;
    uint32_t pins = (x >> 11) % 100 == 0 ? 1 + ((x >> 30) & 1) : 0;
    ref[p] = 1 + mapped + pins;
    map[p] = mapped;
    pinned += pins > 0;
  }
  return pinned;
}

/* ---- tag hierarchy: assembly/tags.ts -------------------------------------------------------- */
static uint64_t *word_ptr(uint32_t level, uint32_t idx) { return tree + lvl_off[level] + idx; }

static void set_bits(uint32_t level, uint32_t idx) {
  uint32_t top = nlevels - 1;
  for (;;) {
    uint64_t old = __atomic_fetch_or(word_ptr(level, idx >> 6), (uint64_t)1 << (idx & 63), __ATOMIC_SEQ_CST);
    if (old != 0 || level == top) return;
    level++;
    idx >>= 6;
  }
}

static void or_word(uint32_t w, uint64_t mask) {
  if (mask == 0) return;
  uint64_t old = __atomic_fetch_or(word_ptr(0, w), mask, __ATOMIC_SEQ_CST);
  if (old == 0 && nlevels > 1) set_bits(1, w);
}

static void clear_word(uint32_t w, uint64_t mask) {
  if (mask == 0) return;
  uint64_t old = __atomic_fetch_and(word_ptr(0, w), ~mask, __ATOMIC_SEQ_CST);
  if (old == 0 || (old & ~mask) != 0) return;
  uint32_t top = nlevels - 1, level = 0, idx = w;
  while (level < top) {
    level++;
    uint64_t bit = (uint64_t)1 << (idx & 63);
    old = __atomic_fetch_and(word_ptr(level, idx >> 6), ~bit, __ATOMIC_SEQ_CST);
    if ((old & ~bit) != 0) return;
    idx >>= 6;
  }
}

static uint32_t tag_next(uint32_t from) {
  uint32_t top = nlevels - 1, level = 0, i = from;
  if (from >= pstride) return NONE;
  for (;;) {
    uint32_t w = i >> 6;
    if (w >= lvl_words[level]) return NONE;
    uint64_t bits = __atomic_load_n(word_ptr(level, w), __ATOMIC_SEQ_CST) & (~(uint64_t)0 << (i & 63));
    if (bits != 0) {
      i = (w << 6) + (uint32_t)__builtin_ctzll(bits);
      while (level > 0) {
        level--;
        i = (i << 6) + (uint32_t)__builtin_ctzll(__atomic_load_n(word_ptr(level, i), __ATOMIC_SEQ_CST));
      }
      return i;
    }
    if (level == top) return NONE;
    level++;
    i = w + 1;
  }
}

static uint64_t range_mask(uint32_t w, uint32_t lo, uint32_t hi) {
  uint32_t base = w << 6;
  uint64_t m = ~(uint64_t)0;
  if (lo > base) m &= ~(uint64_t)0 << (lo - base);
  if (hi < base + 64) m &= ~(~(uint64_t)0 << (hi - base));
  return m;
}

/* ---- plain loops: tagPassScalar / recheckScalar ------------------------------------------- */
static uint32_t tag_pass_plain(uint32_t lo, uint32_t hi) {
  uint32_t n = 0, p = lo;
  while (p < hi) {
    uint32_t w = p >> 6;
    uint32_t end = hi < ((w + 1) << 6) ? hi : ((w + 1) << 6);
    uint64_t mask = 0;
    for (; p < end; p++) {
      if (ref[p] - map[p] > 1) mask |= (uint64_t)1 << (p & 63);
    }
    n += (uint32_t)__builtin_popcountll(mask);
    or_word(w, mask);
  }
  return n;
}

static uint64_t released(uint32_t g) {
  uint32_t r = ref[g];
  return (uint64_t)((r == 0) | (r - map[g] == 1));
}

static uint64_t released_bits(uint32_t g0, uint64_t bits) {
  uint64_t clear = 0;
  while (bits != 0) {
    uint32_t b = (uint32_t)__builtin_ctzll(bits);
    bits &= bits - 1;
    clear |= released(g0 + b) << b;
  }
  return clear;
}

typedef uint64_t (*dense_fn)(uint32_t);

/* recheckWord */
static inline uint32_t recheck_word(uint32_t w, uint32_t lo, uint32_t hi, int ends, int last, dense_fn dense) {
  uint64_t tagged = __atomic_load_n(word_ptr(0, w), __ATOMIC_SEQ_CST);
  if (ends) tagged &= range_mask(w, lo, hi);
  uint64_t clear = dense && __builtin_popcountll(tagged) >= DENSE_WORD ? tagged & dense(w << 6) : released_bits(w << 6, tagged);
  uint64_t drop = last ? tagged : clear;
  if (drop != 0) clear_word(w, drop);
  return (uint32_t)__builtin_popcountll(tagged & ~clear);
}

/* recheckWords: the first non-empty word through tag_next, the next ones through the set bits of
 * their level-1 word (loaded once per 64 words), tag_next again past an empty level-1 word. */
static uint32_t recheck(uint32_t lo, uint32_t hi, int last, dense_fn dense) {
  uint32_t p0 = tag_next(lo);
  if (p0 == NONE || p0 >= hi) return 0;
  uint32_t w_lo = p0 >> 6, w_last = (hi - 1) >> 6;
  if (nlevels == 1) return recheck_word(w_lo, lo, hi, 1, last, dense);
  uint32_t pinned = 0, w = w_lo;
  for (;;) {
    uint32_t group = w >> 6;
    uint64_t ahead = __atomic_load_n(word_ptr(1, group), __ATOMIC_SEQ_CST) & (~(uint64_t)0 << (w & 63));
    while (ahead != 0) {
      w = (group << 6) + (uint32_t)__builtin_ctzll(ahead);
      if (w > w_last) return pinned;
      ahead &= ahead - 1;
      pinned += recheck_word(w, lo, hi, w == w_lo || w == w_last, last, dense);
    }
    uint32_t p = tag_next((group + 1) << 12);
    if (p == NONE) return pinned;
    w = p >> 6;
  }
}

/* ---- SSE2: pinned16 / released16 of assembly/scan.ts, instruction for instruction ----------
 * i16x8.narrow_i32x4_s = packssdw, i8x16.narrow_i16x8_s = packsswb, i8x16.min_u = pminub. */
static __m128i narrow16(__m128i a, __m128i b, __m128i c, __m128i d) {
  return _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
}

static uint64_t pinned16_sse2(const __m128i *r, const __m128i *m) {
  __m128i x = narrow16(_mm_sub_epi32(_mm_load_si128(r), _mm_load_si128(m)),
                       _mm_sub_epi32(_mm_load_si128(r + 1), _mm_load_si128(m + 1)),
                       _mm_sub_epi32(_mm_load_si128(r + 2), _mm_load_si128(m + 2)),
                       _mm_sub_epi32(_mm_load_si128(r + 3), _mm_load_si128(m + 3)));
  return (uint64_t)(~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(1)), x)) & 0xffff);
}

static uint64_t pinned_mask_sse2(uint32_t g0) {
  const __m128i *r = (const __m128i *)(ref + g0), *m = (const __m128i *)(map + g0);
  uint64_t mask = 0;
  for (uint32_t j = 0; j < 4; j++) mask |= pinned16_sse2(r + 4 * j, m + 4 * j) << (16 * j);
  return mask;
}

static uint64_t released16_sse2(const __m128i *r, const __m128i *m) {
  __m128i r0 = _mm_load_si128(r), r1 = _mm_load_si128(r + 1), r2 = _mm_load_si128(r + 2), r3 = _mm_load_si128(r + 3);
  __m128i d = narrow16(_mm_sub_epi32(r0, _mm_load_si128(m)), _mm_sub_epi32(r1, _mm_load_si128(m + 1)),
                       _mm_sub_epi32(r2, _mm_load_si128(m + 2)), _mm_sub_epi32(r3, _mm_load_si128(m + 3)));
  __m128i gone = _mm_cmpeq_epi8(narrow16(r0, r1, r2, r3), _mm_setzero_si128());
  return (uint64_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(d, _mm_set1_epi8(1)), gone));
}

static uint64_t released_mask_sse2(uint32_t g0) {
  const __m128i *r = (const __m128i *)(ref + g0), *m = (const __m128i *)(map + g0);
  uint64_t mask = 0;
  for (uint32_t j = 0; j < 4; j++) mask |= released16_sse2(r + 4 * j, m + 4 * j) << (16 * j);
  return mask;
}

static uint32_t tag_pass_sse2(uint32_t lo, uint32_t hi) {
  if (lo >= hi) return 0;
  uint32_t n = 0, w_lo = lo >> 6, w_last = (hi - 1) >> 6;
  for (uint32_t w = w_lo; w <= w_last; w++) {
    uint64_t mask = pinned_mask_sse2(w << 6);
    if (w == w_lo || w == w_last) mask &= range_mask(w, lo, hi);
    if (mask != 0) {
      n += (uint32_t)__builtin_popcountll(mask);
      or_word(w, mask);
    }
  }
  return n;
}

/* ---- timing ---------------------------------------------------------------------------------- */
static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void reset_tags(void) { memset(tree, 0, (size_t)lvl_off[nlevels - 1] * 8 + 64); }

static double samples[MAX_SAMPLES];
static volatile uint32_t sink;

/* Runs `what` (0 = tag pass, 1 = re-check) like tinybench: warm up, then sample until both the
 * time budget and the minimum sample count are reached. Tags are reset before each tag-pass
 * sample (a seal's tag pass starts from an untagged file) outside the timed region. */
static int measure(int what, int sse2, uint32_t pages, double time_ms, double warmup_ms, int min_samples) {
  int n = 0;
  for (int phase = 0; phase < 2; phase++) {
    double budget = phase == 0 ? warmup_ms : time_ms, spent = 0;
    n = 0;
    while ((spent < budget || (phase == 1 && n < min_samples)) && n < MAX_SAMPLES) {
      if (what == 0) reset_tags();
      double t0 = now_ms();
      sink = what == 0 ? (sse2 ? tag_pass_sse2(0, pages) : tag_pass_plain(0, pages))
                       : recheck(0, pages, 0, sse2 ? released_mask_sse2 : NULL);
      double dt = now_ms() - t0;
      spent += dt;
      samples[n++] = dt;
    }
  }
  return n;
}

static void print_samples(int n) {
  printf("[");
  for (int i = 0; i < n; i++) printf(i ? ",%.6f" : "%.6f", samples[i]);
  printf("]");
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s PAGES SEED TIME_MS WARMUP_MS MIN_SAMPLES\n", argv[0]);
    return 2;
  }
  uint32_t pages = (uint32_t)strtoul(argv[1], 0, 10), seed = (uint32_t)strtoul(argv[2], 0, 10);
  double time_ms = atof(argv[3]), warmup_ms = atof(argv[4]);
  int min_samples = atoi(argv[5]);
  if (pages == 0 || min_samples < 1) return 2;

  /* src/wasm/layout.ts: pstride = pages rounded up to 64; each level 64-byte aligned */
  pstride = (pages + 63) & ~63u;
  uint32_t words = pstride / 64, off = 0;
  for (nlevels = 0;; ) {
    lvl_off[nlevels] = off;
    lvl_words[nlevels++] = words;
    off += (words + 7) & ~7u;
    if (words == 1) break;
    words = (words + 63) / 64;
  }
  ref = aligned_alloc(64, (size_t)pstride * 4);
  map = aligned_alloc(64, (size_t)pstride * 4);
  tree = aligned_alloc(64, (size_t)(off + 8) * 8);
  if (!ref || !map || !tree) return 3;
  memset(ref, 0, (size_t)pstride * 4);
  memset(map, 0, (size_t)pstride * 4);
  reset_tags();
  uint32_t expected = populate(pages, seed);

  printf("{\"pages\":%u,\"seed\":%u,\"pinned\":%u,\"variants\":{", pages, seed, expected);
  for (int sse2 = 0; sse2 < 2; sse2++) {
    reset_tags();
    uint32_t tagged = sse2 ? tag_pass_sse2(0, pages) : tag_pass_plain(0, pages);
    uint32_t still = recheck(0, pages, 0, sse2 ? released_mask_sse2 : NULL);
    printf("%s\"%s\":{\"tagged\":%u,\"stillPinned\":%u,\"tagPass\":", sse2 ? "," : "", sse2 ? "sse2" : "plain", tagged, still);
    print_samples(measure(0, sse2, pages, time_ms, warmup_ms, min_samples));
    /* the timed re-checks start from the tags the last tag-pass sample left */
    printf(",\"recheck\":");
    print_samples(measure(1, sse2, pages, time_ms, warmup_ms, min_samples));
    printf("}");
  }
  printf("}}\n");
  return 0;
}
