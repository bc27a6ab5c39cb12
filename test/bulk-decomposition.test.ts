// A large write/fault/pin in its decomposed (shardable) form leaves exactly the state of the
// page-by-page op: pagevec fill rule in closed form, flags, counts, pagevec contents.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, SHARD_MIN_PAGES } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';

const PAGES = SHARD_MIN_PAGES + 300;

describe('bulk page operations', () => {
  it('equal the page-by-page ops from any pagevec state', () => {
    fc.assert(
      fc.property(
        fc.record({
          pvecSize: fc.constantFrom(1, 2, 14, 15, 31),
          before: fc.integer({ min: 0, max: 40 }), // pages first written one by one on the CPU
          kind: fc.constantFrom('write' as const, 'fault' as const, 'pin' as const),
          lo: fc.integer({ min: 64, max: 200 }),
          extra: fc.integer({ min: 0, max: 90 }),
          compound: fc.boolean(),
          lruDisabled: fc.boolean(),
          again: fc.boolean(), // a second bulk op over the now-present range
        }),
        (c) => {
          const [bulk, seq] = [true, false].map((on) => {
            const a = Arena.create(planArena(1, PAGES, 2, c.pvecSize));
            a.bulkOps = on;
            for (let p = 0; p < c.before; p++) a.write(1, 0, p, p + 1);
            if (c.lruDisabled) a.setLruDisabled(1);
            const hi = c.lo + SHARD_MIN_PAGES + c.extra;
            const n = a[c.kind](1, 0, c.lo, hi, c.compound);
            const m = c.again && c.kind !== 'write' ? a[c.kind](1, 0, c.lo, hi, c.compound) : 0;
            return { n, m, state: a.snapshot() };
          });
          expect(bulk.n).toBe(seq.n);
          expect(bulk.m).toBe(seq.m);
          expect(bulk.state).toEqual(seq.state);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });
});
