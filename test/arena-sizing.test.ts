// Memory is sized from (files, pages, cpus) before anything is allocated (foundation item 3).
import { describe, expect, it } from 'vitest';
import { planArena, bytesPerPage, maxPagesFor, MAX_BYTES } from '../src/wasm/layout.ts';
import { Arena } from '../src/wasm/core.ts';
import { UsageError } from '../src/errors.ts';

describe('arena sizing', () => {
  it('uses at most 12 bytes of WASM memory per page', () => {
    for (const pages of [64, 1 << 20, 16 << 20, 64 << 20]) {
      expect(bytesPerPage(planArena(1, pages, 1024, 14))).toBeLessThanOrEqual(12);
    }
  });

  it('allocates 64M pages x 1024 CPUs', () => {
    const arena = Arena.create(planArena(1, 64 << 20, 1024, 14));
    arena.fault(1023, 0, (64 << 20) - 2, 64 << 20);
    expect(arena.refcount(0, (64 << 20) - 1)).toBe(3);
    expect(arena.memory.buffer.byteLength).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('refuses 1G pages before allocating, naming the largest page count that fits', () => {
    const max = maxPagesFor(1, 1024, 14);
    expect(() => planArena(1, 1 << 30, 1024, 14)).toThrow(UsageError);
    expect(() => planArena(1, 1 << 30, 1024, 14)).toThrow(new RegExp(`at most ${max} pages per file fit with 1024 CPUs`));
    expect(planArena(1, max, 1024, 14).bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(() => planArena(1, max + 1, 1024, 14)).toThrow(UsageError);
  });
});
