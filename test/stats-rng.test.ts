import { describe, expect, it } from 'vitest';
import { CounterRng, keyFromString, random64, rngKey, splitmix64, uniform } from '../src/stats/rng.ts';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';

describe('counter-based SplitMix64', () => {
  it('matches the published splitmix64 sequence for seed 1234567', () => {
    // First outputs of Vigna's splitmix64.c seeded with 1234567.
    expect(splitmix64(1234567n, 0n)).toBe(6457827717110365317n);
    expect(splitmix64(1234567n, 1n)).toBe(3203168211198807973n);
    expect(splitmix64(1234567n, 2n)).toBe(9817491932198370423n);
  });

  it('the 32-bit fast path equals the BigInt reference', () => {
    const seeds = [0n, 1n, 1234567n, 0xffffffffffffffffn, 0x8000000000000000n, 0x9e3779b97f4a7c15n];
    const counters = [0, 1, 2, 31, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, 2 ** 52 + 3];
    for (const s of seeds) {
      const key = rngKey(s);
      for (const c of counters) expect(random64(key, c)).toBe(splitmix64(s, BigInt(c)));
    }
  });

  it("the WASM core's draw equals the JS one bit for bit", () => {
    const arena = Arena.create(planArena(1, 1, 1, 15));
    const seeds = [0n, 1n, 1234567n, 0xffffffffffffffffn, 0x8000000000000000n, 0x9e3779b97f4a7c15n];
    const counters = [0, 1, 2, 31, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, 2 ** 52 + 3, 2 ** 53 - 2];
    for (const s of seeds) {
      const key = rngKey(s);
      for (const c of counters) expect(arena.rngUniform(key.hi, key.lo, c)).toBe(uniform(key, c));
    }
    const key = rngKey(11, 2, 6, 0, 5);
    for (let c = 0; c < 20_000; c++) expect(arena.rngUniform(key.hi, key.lo, c)).toBe(uniform(key, c));
    const wasm = new CounterRng(key, 7, (k, c) => arena.rngUniform(k.hi, k.lo, c));
    const js = new CounterRng(key, 7);
    for (let i = 0; i < 1000; i++) expect([wasm.next(), wasm.int(63), wasm.exponential(2)]).toEqual([js.next(), js.int(63), js.exponential(2)]);
  });

  it('is a pure function of (key, counter)', () => {
    const k = rngKey(42, 3, 7);
    const a = Array.from({ length: 100 }, (_, i) => uniform(k, i));
    const b = Array.from({ length: 100 }, (_, i) => uniform(rngKey(42, 3, 7), i));
    expect(a).toEqual(b);
    expect(uniform(rngKey(42, 3, 8), 0)).not.toBe(a[0]);
    expect(keyFromString('x')).toEqual(keyFromString('x'));
    expect(keyFromString('x')).not.toEqual(keyFromString('y'));
  });

  it('gives uniform doubles in [0, 1) with the right mean and variance', () => {
    const rng = new CounterRng(rngKey(9));
    let sum = 0;
    let sq = 0;
    let lo = Infinity;
    let hi = -Infinity;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (u < lo) lo = u;
      if (u > hi) hi = u;
      sum += u;
      sq += u * u;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const mean = sum / n;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });
});
