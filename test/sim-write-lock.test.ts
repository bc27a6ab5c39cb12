// write() takes the inode lock: with the lock free it runs inside its event (the inline path in
// src/sim/ops.ts), with the lock held it waits for the holder and runs after the hand-off.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { Machine, Task } from '../src/sim/machine.ts';
import { applyOp, producePage, type Op, type OpContext } from '../src/sim/ops.ts';
import { strategy } from '../src/strategies/registry.ts';

describe('write() and the inode lock', () => {
  it('runs at once when the lock is free, and after the holder releases it otherwise', () => {
    const s = resolveScenario({ cpus: 2, pages: 8, horizonMs: 10, strategies: ['v4.14'] }, '(test)');
    const arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
    const m = new Machine(s, arena);
    const ctx: OpContext = { m, addSeals: strategy('v4.14').addSeals, seals: [], started: 0 };
    const write = (lo: number, hi: number): Op => ({ op: 'write', atMs: 0, cpu: 1, file: 0, pages: 0, compound: false, ranges: [[lo, hi]] });

    applyOp(ctx, write(0, 2));
    expect(arena.pvecCount(1)).toBe(2);

    const holder = new Task(0);
    const lock = m.file(0).inodeLock;
    m.engine.spawn(m.lock(holder, lock));
    expect(lock.free).toBe(false);
    applyOp(ctx, write(2, 4));
    expect(arena.pvecCount(1)).toBe(2); // blocked behind the holder
    m.unlock(holder, lock);
    expect(arena.pvecCount(1)).toBe(2); // the hand-off takes mutexHandoffNs
    m.engine.run(1e6);
    expect(arena.pvecCount(1)).toBe(4);
    expect(lock.free).toBe(true);

    // The producers' single-page path (no op built) waits the same way.
    producePage(m, 'write', 1, 0, 4);
    expect(arena.pvecCount(1)).toBe(5);
    m.engine.spawn(m.lock(holder, lock));
    producePage(m, 'write', 1, 0, 5);
    expect(arena.pvecCount(1)).toBe(5);
    m.unlock(holder, lock);
    m.engine.run(2e6);
    expect(arena.pvecCount(1)).toBe(6);
  });
});
