// The arena's constants have one definition (assembly/arena-constants.ts) read by the core and
// the host. This checks the invariants the header layout relies on, on the host's view of them.
import { describe, expect, it } from 'vitest';
import * as K from '../assembly/arena-constants.ts';
import { H, PV_NAMES, headerWords, planArena } from '../src/wasm/layout.ts';

describe('arena constants', () => {
  it('header words are distinct and the per-level tables (8 levels each) do not overlap', () => {
    const words = Object.values(H);
    expect(new Set(words).size).toBe(words.length);
    const scalars = words.filter((w) => w !== H.LVL0 && w !== H.LVLN);
    expect(Math.max(...scalars)).toBeLessThan(H.LVL0);
    expect(H.LVL0 + 8).toBeLessThanOrEqual(H.LVLN);
    expect(headerWords(planArena(1, 64, 1, 14)).length).toBeGreaterThanOrEqual(H.LVLN + 8);
  });
  it('pagevec kinds index PV_NAMES, and a pagevec holds its count plus the largest PAGEVEC_SIZE', () => {
    expect(PV_NAMES[K.PV_LRU_ADD]).toBe('lru_add');
    expect(PV_NAMES[K.PV_ACTIVATE]).toBe('activate');
    expect(PV_NAMES.length).toBe(K.PV_KINDS);
    expect(K.PV_WORDS - 1).toBeGreaterThanOrEqual(31);
  });
  it('page flags are distinct single bits', () => {
    const flags = [K.PG_PRESENT, K.PG_LRU, K.PG_ACTIVE, K.PG_REFERENCED, K.PG_COMPOUND];
    for (const f of flags) expect(f & (f - 1)).toBe(0);
    expect(flags.reduce((a, b) => a | b, 0)).toBe(flags.reduce((a, b) => a + b, 0));
  });
});
