// One test per kernel rule of the WASM core, named after its place in `docs/kernel-model.md`.
import { describe, expect, it } from 'vitest';
import { Arena } from '../src/wasm/core.ts';
import { planArena, PG } from '../src/wasm/layout.ts';
import { KERNEL_CONSTANTS } from '../src/kernel/versions.ts';

const arena = (pages: number, cpus: number, pvecSize: number) => Arena.create(planArena(1, pages, cpus, pvecSize));

describe('A2 fill rule', () => {
  for (const [kernel, n] of [['4.14', 14], ['4.16', 15], ['6.9', 31], ['6.18', 31]] as const) {
    it(`${kernel}: the ${n}th add drains the pagevec, the ${n - 1}th does not`, () => {
      const a = arena(64, 2, KERNEL_CONSTANTS[kernel].pagevecSize);
      a.write(1, 0, 0, n - 1);
      expect(a.pvecCount(1)).toBe(n - 1);
      expect(a.refcount(0, 0)).toBe(2); // cache + pagevec
      a.write(1, 0, n - 1, n);
      expect(a.pvecCount(1)).toBe(0);
      for (let p = 0; p < n; p++) {
        expect(a.refcount(0, p)).toBe(1);
        expect(a.flags(0, p) & PG.LRU).toBe(PG.LRU);
      }
    });
  }

  it('a compound page drains at once (THP never lingers)', () => {
    const a = arena(64, 2, 14);
    a.write(1, 0, 0, 3);
    a.write(1, 0, 3, 4, true);
    expect(a.pvecCount(1)).toBe(0);
    expect(a.refcount(0, 0)).toBe(1);
  });
});

describe('A1 key rule: a page in a pagevec holds a reference', () => {
  it('the reference is dropped when the pagevec drains (OP4, release_pages)', () => {
    const a = arena(64, 4, 14);
    a.fault(2, 0, 0, 1);
    expect([a.refcount(0, 0), a.mapcount(0, 0)]).toEqual([3, 1]); // cache + pagevec + PTE
    expect(a.drainCpu(1)).toBe(0); // another CPU's drain does not touch it
    expect(a.drainCpu(2)).toBe(1);
    expect([a.refcount(0, 0), a.mapcount(0, 0)]).toEqual([2, 1]);
  });

  it('mark_page_accessed parks an LRU page in the activate pagevec, with a reference', () => {
    const a = arena(64, 2, 14);
    a.write(0, 0, 0, 1); // new, referenced
    a.drainCpu(0);
    a.write(1, 0, 0, 1); // second access on CPU 1: activate_page
    expect(a.refcount(0, 0)).toBe(2);
    expect(a.pvecPages(1, 1)).toEqual([{ file: 0, page: 0 }]);
    a.drainCpu(1);
    expect(a.flags(0, 0) & PG.ACTIVE).toBe(PG.ACTIVE);
    expect(a.refcount(0, 0)).toBe(1);
  });
});

describe('OP3.2 "> 1" against OP2.2c "!= 1"', () => {
  it('the tag pass tags refcount - mapcount > 1 only; the re-check clears == 1 and keeps the rest', () => {
    const a = arena(64, 2, 14);
    a.write(0, 0, 0, 4);
    a.drainCpu(0); // pages 0-3: refcount 1
    a.fault(0, 0, 1, 2); // page 1: mapped, 2 - 1 = 1: not tagged
    a.drainCpu(0);
    a.pin(0, 0, 2, 3); // page 2: pinned, 2 - 0 = 2: tagged
    a.write(1, 0, 3, 4); // page 3 exists: marked accessed (referenced -> activate pagevec on CPU 1)
    expect(a.tagPass(0)).toBe(2);
    expect([0, 1, 2, 3].map((p) => a.tagTest(0, p))).toEqual([false, false, true, true]);
    a.drainCpu(1); // page 3's pagevec reference goes
    expect(a.recheck(0, false)).toBe(1); // page 2 still pinned, page 3 released
    expect([a.tagTest(0, 2), a.tagTest(0, 3)]).toEqual([true, false]);
    expect(a.recheck(0, true)).toBe(1); // last pass: counted, and cleared anyway
    expect(a.tagAny(0)).toBe(false);
  });

  it('scalar and SIMD passes agree', () => {
    const a = arena(1000, 2, 14);
    a.write(1, 0, 0, 1000);
    expect(a.tagPass(0, 0, 1000, false)).toBe(a.tagPass(0, 0, 1000, true));
  });
});

describe('A1 PINNED tag hierarchy: next-tagged skips empty subtrees', () => {
  it('finds sparse tags across 64, 4096 and 262144 boundaries in 16M pages', () => {
    const n = 16 << 20;
    const a = arena(n, 1, 14);
    const tags = [0, 63, 64, 4095, 4096, 262143, 262144, 9_999_999, n - 1];
    for (const p of tags) a.tagSet(0, p);
    const found: number[] = [];
    for (let p = a.tagNext(0, 0); p >= 0; p = a.tagNext(0, p + 1)) found.push(p);
    expect(found).toEqual(tags);
    expect(a.tagCount(0)).toBe(tags.length);
    for (const p of tags) a.tagClear(0, p);
    expect(a.tagAny(0)).toBe(false);
    expect(a.tagNext(0, 0)).toBe(-1);
  });
});
