// Property test: random operation sequences through the WASM core and the plain-TS reference
// model, comparing the whole state (refcounts, mapcounts, flags, tags, pagevecs, and the tag
// hierarchy's summary bits) after every step (foundation item 4).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { ReferenceModel } from '../src/reference/model.ts';

const RUNS = 10_000;

type Op =
  | { op: 'write' | 'fault' | 'pin'; cpu: number; file: number; lo: number; n: number; compound: boolean }
  | { op: 'read'; cpu: number; file: number; lo: number; n: number }
  | { op: 'unmap' | 'truncate'; file: number; lo: number; n: number }
  | { op: 'unpin'; which: number }
  | { op: 'drain'; cpu: number }
  | { op: 'tag'; file: number; lo: number; n: number; simd: boolean }
  | { op: 'recheck'; file: number; lo: number; n: number; last: boolean; simd: boolean }
  | { op: 'lruDisable'; on: boolean } | { op: 'mglru'; on: boolean };

const config = fc.record({
  files: fc.integer({ min: 1, max: 2 }),
  pages: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 60, max: 300 })),
  cpus: fc.integer({ min: 1, max: 6 }),
  pvecSize: fc.oneof(fc.constantFrom(14, 15, 31), fc.integer({ min: 1, max: 4 })),
});

const ops = (files: number, pages: number, cpus: number) => {
  const cpu = fc.integer({ min: 0, max: cpus - 1 });
  const file = fc.integer({ min: 0, max: files - 1 });
  const lo = fc.integer({ min: 0, max: pages - 1 });
  const n = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: pages }));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('write' as const, 'fault' as const, 'pin' as const), cpu, file, lo, n, compound: fc.integer({ min: 0, max: 9 }).map((x) => x === 0) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), cpu, file, lo, n }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('unmap' as const, 'truncate' as const), file, lo, n }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('unpin' as const), which: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('drain' as const), cpu }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('tag' as const), file, lo, n, simd: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('recheck' as const), file, lo, n, last: fc.boolean(), simd: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('lruDisable' as const), on: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('mglru' as const), on: fc.boolean() }) },
  );
  return fc.array(op, { minLength: 1, maxLength: 24 });
};

const scenario = config.chain((c) => ops(c.files, c.pages, c.cpus).map((seq) => ({ c, seq })));

describe('WASM core against the reference model', () => {
  it(`agrees on ${RUNS} random operation sequences, state compared after every step`, () => {
    fc.assert(
      fc.property(scenario, ({ c, seq }) => {
        const arena = Arena.create(planArena(c.files, c.pages, c.cpus, c.pvecSize));
        const ref = new ReferenceModel(c.files, c.pages, c.cpus, c.pvecSize);
        const pins: { file: number; lo: number; hi: number }[] = [];
        for (const o of seq) {
          let a: unknown;
          let b: unknown;
          if ('lo' in o) {
            const hi = Math.min(c.pages, o.lo + o.n);
            switch (o.op) {
              case 'write': a = arena.write(o.cpu, o.file, o.lo, hi, o.compound); b = ref.write(o.cpu, o.file, o.lo, hi, o.compound); break;
              case 'fault': a = arena.fault(o.cpu, o.file, o.lo, hi, o.compound); b = ref.fault(o.cpu, o.file, o.lo, hi, o.compound); break;
              case 'pin':
                a = arena.pin(o.cpu, o.file, o.lo, hi, o.compound); b = ref.pin(o.cpu, o.file, o.lo, hi, o.compound);
                pins.push({ file: o.file, lo: o.lo, hi });
                break;
              case 'read': arena.read(o.cpu, o.file, o.lo, hi); ref.read(o.cpu, o.file, o.lo, hi); break;
              case 'unmap': a = arena.unmap(o.file, o.lo, hi); b = ref.unmap(o.file, o.lo, hi); break;
              case 'truncate': a = arena.truncate(o.file, o.lo, hi); b = ref.truncate(o.file, o.lo, hi); break;
              case 'tag': a = arena.tagPass(o.file, o.lo, hi, o.simd); b = ref.tagPass(o.file, o.lo, hi); break;
              case 'recheck': a = arena.recheck(o.file, o.last, o.lo, hi, o.simd); b = ref.recheck(o.file, o.last, o.lo, hi); break;
            }
          } else if (o.op === 'unpin') {
            if (pins.length === 0) continue;
            const [p] = pins.splice(o.which % pins.length, 1);
            arena.unpin(p.file, p.lo, p.hi);
            ref.unpin(p.file, p.lo, p.hi);
          } else if (o.op === 'drain') {
            a = arena.drainCpu(o.cpu);
            b = ref.drainCpu(o.cpu);
          } else if (o.op === 'mglru') {
            arena.setMglru(o.on);
            ref.mglru = o.on;
          } else {
            arena.setLruDisabled(o.on ? 1 : 0);
            ref.lruDisabled = o.on ? 1 : 0;
          }
          expect(a).toEqual(b);
          expect(arena.snapshot()).toEqual(ref.snapshot());
          for (let f = 0; f < c.files; f++) expect(arena.tagAny(f)).toBe(ref.tagAny(f));
        }
      }),
      { numRuns: RUNS, seed: 20171102 },
    );
  });
});
