// Arena.reset and the ZeroPages range pass write only the OS pages that hold something
// (assembly/bulk.ts zeroBytes); the result must still be exactly a fresh arena, and a pass on
// [lo, hi) must clear those pages' columns and nothing else, whatever the alignment.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, RangeOp } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';

describe('arena reset', () => {
  it('leaves the state and every byte after the header of a fresh arena', () => {
    fc.assert(
      fc.property(
        fc.record({
          pages: fc.integer({ min: 1, max: 40_000 }),
          files: fc.integer({ min: 1, max: 3 }),
          ops: fc.array(fc.tuple(fc.constantFrom('write', 'fault', 'pin', 'tag'), fc.nat(), fc.integer({ min: 1, max: 3000 }), fc.nat(3)), { maxLength: 12 }),
        }),
        (c) => {
          const plan = planArena(c.files, c.pages, 4, 14);
          const a = Arena.create(plan);
          const fresh = Arena.create(plan).snapshot();
          for (const [op, at, len, cpu] of c.ops) {
            const file = at % c.files;
            const lo = at % c.pages;
            const hi = Math.min(c.pages, lo + len);
            if (op === 'tag') a.tagPass(file, 0, c.pages);
            else a[op](cpu, file, lo, hi);
          }
          a.reset();
          expect(a.snapshot()).toEqual(fresh);
          const bytes = new Uint8Array(a.memory.buffer, plan.ref, plan.bytes - plan.ref);
          expect(bytes.findIndex((b) => b !== 0)).toBe(-1);
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });

  it('a ZeroPages pass clears exactly the pages of its range', () => {
    const pages = 20_000;
    const plan = planArena(1, pages, 1, 14);
    const a = Arena.create(plan);
    const n = plan.files * plan.pstride;
    const ref = new Uint32Array(a.memory.buffer, plan.ref, n);
    const map = new Uint32Array(a.memory.buffer, plan.map, n);
    const flg = new Uint8Array(a.memory.buffer, plan.flg, n);
    fc.assert(
      fc.property(fc.nat(pages), fc.nat(pages), (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        for (let g = 0; g < n; g++) [ref[g], map[g], flg[g]] = [g + 1, (g % 7) + 1, (g % 5) + 1];
        a.exec(RangeOp.ZeroPages, [], lo, hi);
        for (let g = 0; g < n; g++) {
          const inside = g >= lo && g < hi;
          if ((ref[g] === 0) !== inside || (map[g] === 0) !== inside || (flg[g] === 0) !== inside) {
            throw new Error(`page ${g} after ZeroPages [${lo}, ${hi}): ref ${ref[g]} map ${map[g]} flg ${flg[g]}`);
          }
        }
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});
