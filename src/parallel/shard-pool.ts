/**
 * Fans one scenario out over W threads sharing its WASM memory: the main thread runs the event
 * loop and, for each large range pass (tag pass, re-check, bulk page ops), bumps an epoch that
 * wakes W-1 piscina workers; each takes its 64-page-aligned shard, the main thread takes shard 0,
 * and an Atomics barrier collects the partial results in worker order. Every pass is set-only,
 * clear-only, or on pages its shard owns, and the sums are order-independent, so the state and
 * the results are the same for any W (docs/architecture.md, "Determinism").
 */
import { Piscina } from 'piscina';
import { workerEntry } from './worker-entry.ts';
import type { Arena, RangeOp, RangeRunner } from '../wasm/core.ts';
import { coreModule } from '../wasm/core.ts';
import { C, CTRL_BYTE_OFFSET, CTRL_WORDS, MAX_WORKERS, OP_QUIT, shardOf, type ShardTask } from './shard-protocol.ts';

const START_TIMEOUT_MS = 60_000;
const PASS_TIMEOUT_MS = 120_000;


export class ShardPool implements RangeRunner {
  private readonly ctrl: Int32Array;
  private readonly u: Uint32Array;
  private readonly done: Promise<unknown>[];

  private constructor(
    readonly workers: number,
    private readonly arena: Arena,
    private readonly pool: Piscina,
  ) {
    this.ctrl = new Int32Array(arena.memory.buffer, CTRL_BYTE_OFFSET, CTRL_WORDS);
    this.u = new Uint32Array(arena.memory.buffer, CTRL_BYTE_OFFSET, CTRL_WORDS);
    this.done = [];
  }

  /** Starts W-1 workers on the arena's memory and waits until all are attached. */
  static async start(arena: Arena, workers: number): Promise<ShardPool> {
    if (workers < 2 || workers > MAX_WORKERS) throw new RangeError(`workers must be 2..${MAX_WORKERS}`);
    const pool = new Piscina({ ...workerEntry('shard-worker'), minThreads: workers - 1, maxThreads: workers - 1, idleTimeout: 60_000, atomics: 'disabled' });
    const sp = new ShardPool(workers, arena, pool);
    Atomics.store(sp.ctrl, C.READY, 0);
    const module = coreModule();
    for (let i = 1; i < workers; i++) {
      const task: ShardTask = { memory: arena.memory, module, plan: arena.plan, index: i, workers };
      sp.done.push(pool.run(task));
    }
    // Wait without blocking the event loop (piscina starts its workers through it); a worker that
    // fails to start rejects its task, and we give up after START_TIMEOUT_MS.
    let failed: unknown;
    sp.done.forEach((p) => p.catch((e) => (failed ??= e)));
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (Atomics.load(sp.ctrl, C.READY) < workers - 1) {
      if (failed !== undefined || performance.now() > deadline) {
        await pool.destroy();
        throw new Error(`shard pool: ${failed !== undefined ? `a worker failed to start: ${String(failed)}` : `workers not ready after ${START_TIMEOUT_MS} ms`}`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    arena.runner = sp;
    return sp;
  }

  run(op: RangeOp, args: readonly number[], lo: number, hi: number): number {
    const { ctrl, u } = this;
    u[C.OP] = op;
    u[C.LO] = lo;
    u[C.HI] = hi;
    for (let i = 0; i < 4; i++) u[C.ARG0 + i] = args[i] ?? 0;
    Atomics.store(ctrl, C.DONE, 0);
    Atomics.add(ctrl, C.EPOCH, 1);
    Atomics.notify(ctrl, C.EPOCH);
    const [a, b] = shardOf(0, this.workers, lo, hi);
    let sum = a < b ? this.arena.exec(op, args, a, b) : 0;
    // A worker that died would leave us waiting forever: a pass never takes this long.
    for (let d = Atomics.load(ctrl, C.DONE); d < this.workers - 1; d = Atomics.load(ctrl, C.DONE)) {
      if (Atomics.wait(ctrl, C.DONE, d, PASS_TIMEOUT_MS) === 'timed-out' && Atomics.load(ctrl, C.DONE) === d) {
        throw new Error(`shard pool: a worker did not finish a pass in ${PASS_TIMEOUT_MS} ms`);
      }
    }
    for (let i = 1; i < this.workers; i++) sum += u[C.RES + i];
    return sum;
  }

  /** Tells the workers to quit, and closes the pool. The arena runs passes in-thread again. */
  async close(): Promise<void> {
    this.u[C.OP] = OP_QUIT;
    Atomics.add(this.ctrl, C.EPOCH, 1);
    Atomics.notify(this.ctrl, C.EPOCH);
    await Promise.all(this.done);
    await this.pool.destroy();
    this.arena.runner = { workers: 1, run: (op, a, lo, hi) => this.arena.exec(op, a, lo, hi) };
  }
}
