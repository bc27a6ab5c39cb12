// The tag pass and the re-check on files large enough for 3 and 4 tag levels, sparse and dense,
// against the reference model: the re-check's level-1 walk (assembly/scan.ts recheckWords) jumps
// across empty level-1 words through tagNext, which the small-file oracle test never reaches.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { ReferenceModel } from '../src/reference/model.ts';

interface Case {
  pages: number;
  /** Pages pinned (+1 ref after a write and a drain). */
  pinned: number[];
  /** Pins dropped between the tag pass and the re-checks. */
  released: number[];
  ranges: { lo: number; hi: number; last: boolean; simd: boolean }[];
}

const caseOf = fc
  .record({
    pages: fc.oneof(fc.integer({ min: 4000, max: 5000 }), fc.integer({ min: 260_000, max: 300_000 })),
    density: fc.constantFrom(0.0001, 0.003, 0.2),
    clustered: fc.boolean(),
  })
  .chain(({ pages, density, clustered }) => {
    const n = Math.max(1, Math.round(pages * density));
    const page = fc.integer({ min: 0, max: pages - 1 });
    const pinned = clustered
      ? fc.array(fc.tuple(page, fc.integer({ min: 1, max: 200 })), { minLength: 1, maxLength: Math.max(1, n / 50) })
          .map((runs) => runs.flatMap(([lo, len]) => Array.from({ length: Math.min(len, pages - lo) }, (_, i) => lo + i)))
      : fc.uniqueArray(page, { minLength: 1, maxLength: n });
    const range = fc
      .tuple(fc.integer({ min: 0, max: pages }), fc.integer({ min: 0, max: pages }), fc.boolean(), fc.boolean())
      .map(([a, b, last, simd]) => ({ lo: Math.min(a, b), hi: Math.max(a, b), last, simd }));
    return pinned.chain((pins) => {
      const uniq = [...new Set(pins)];
      return fc.record({
        pages: fc.constant(pages),
        pinned: fc.constant(uniq),
        released: fc.subarray(uniq),
        ranges: fc.array(fc.oneof(range, fc.constant({ lo: 0, hi: pages, last: false, simd: true })), { minLength: 1, maxLength: 4 }),
      });
    });
  });

function build(c: Case): { arena: Arena; ref: ReferenceModel } {
  const arena = Arena.create(planArena(1, c.pages, 1, 14));
  const ref = new ReferenceModel(1, c.pages, 1, 14);
  for (const m of [arena, ref]) {
    m.write(0, 0, 0, c.pages);
    m.drainCpu(0);
    for (const p of c.pinned) m.pin(0, 0, p, p + 1);
  }
  return { arena, ref };
}

describe('tag pass and re-check on multi-level tag trees', () => {
  it('agree with the reference model (sparse, dense and clustered tags; 3 and 4 levels)', () => {
    fc.assert(
      fc.property(caseOf, (c) => {
        const { arena, ref } = build(c);
        expect(arena.tagPass(0, 0, c.pages, true)).toBe(ref.tagPass(0, 0, c.pages));
        for (const m of [arena, ref]) for (const p of c.released) m.unpin(0, p, p + 1);
        for (const r of c.ranges) {
          expect(arena.recheck(0, r.last, r.lo, r.hi, r.simd)).toBe(ref.recheck(0, r.last, r.lo, r.hi));
          expect(arena.tagCount(0)).toBe(ref.tagged[0].size);
        }
        const tags: number[] = [];
        for (let p = arena.tagNext(0, 0); p >= 0; p = arena.tagNext(0, p + 1)) tags.push(p);
        expect(tags).toEqual([...ref.tagged[0]].sort((a, b) => a - b));
        expect(arena.snapshot().tagLevelsOk).toEqual([true]);
      }),
      { numRuns: 60 },
    );
  });

  it('tags the same pages with the scalar and the SIMD pass on any range', () => {
    fc.assert(
      fc.property(caseOf, fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 300_000 }), (c, a, b) => {
        const lo = Math.min(a, b, c.pages);
        const hi = Math.min(Math.max(a, b), c.pages);
        const x = build(c).arena;
        const y = build(c).arena;
        expect(x.tagPass(0, lo, hi, true)).toBe(y.tagPass(0, lo, hi, false));
        expect(x.tagCount(0)).toBe(y.tagCount(0));
        expect(x.recheck(0, true, 0, c.pages, true)).toBe(y.recheck(0, true, 0, c.pages, false));
      }),
      { numRuns: 30 },
    );
  });
});
