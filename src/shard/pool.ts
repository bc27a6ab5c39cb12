/**
 * Fans one scenario out over W threads sharing its WASM memory: the main thread runs the event
 * loop and, for each large range pass (tag pass, re-check, bulk page ops), bumps an epoch that
 * wakes W-1 piscina workers; each takes its 64-page-aligned shard, the main thread takes shard 0,
 * and an Atomics barrier collects the partial results in worker order. Every pass is set-only,
 * clear-only, or on pages its shard owns, and the sums are order-independent, so the state and
 * the results are the same for any W (docs/architecture.md, "Determinism").
 *
 * Starting never waits: the workers boot (~0.1 s) while the main thread already simulates, and
 * a pass runs wholly in the main thread until every worker has attached, except a pass so large
 * that waiting for them pays (ATTACH_WAIT_PAGES). That is safe because a
 * worker records the epoch it has seen before it counts itself ready, and the main thread bumps
 * the epoch only once all have.
 */
import { Piscina } from 'piscina';
import { workerEntry } from '../io/worker-entry.ts';
import type { Arena, RangeOp, RangeRunner } from '../wasm/core.ts';
import { coreModule } from '../wasm/core.ts';
import { C, CTRL_BYTE_OFFSET, CTRL_WORDS, MAX_WORKERS, OP_QUIT, SPIN_US, shardOf, spinThenWait, type ShardTask } from './protocol.ts';

const PASS_TIMEOUT_MS = 120_000;

/**
 * A pass of this many pages or more, before the workers have attached, waits for them (up to
 * ATTACH_WAIT_MS after the pool's start, in all: workers that never attach cost it once) instead
 * of running alone. Such a pass early in a run is the first write of a
 * large file: it first-touches the arena's memory, and page faults split well. On the 2-vCPU AMD
 * VM (docs/scaling.md section 8), 16M pages: 480 ms alone against ~275 ms split after a wait of
 * 60-80 ms for the worker. A later pass of that size takes ~10 ms, but by then the workers have
 * attached and nothing waits.
 */
export const ATTACH_WAIT_PAGES = 1 << 23;
const ATTACH_WAIT_MS = 250;

export class ShardPool implements RangeRunner {
  private readonly ctrl: Int32Array;
  private readonly u: Uint32Array;
  private readonly done: Promise<unknown>[] = [];
  private attached = false;
  /** Passes split so far (the rest ran in this thread alone, before the workers attached). */
  splitPasses = 0;
  private closing = false;
  private failed: unknown;

  private constructor(
    readonly workers: number,
    private readonly arena: Arena,
    private readonly pool: Piscina,
    private readonly attachDeadline: number,
  ) {
    this.ctrl = new Int32Array(arena.memory.buffer, CTRL_BYTE_OFFSET, CTRL_WORDS);
    this.u = new Uint32Array(arena.memory.buffer, CTRL_BYTE_OFFSET, CTRL_WORDS);
  }

  /**
   * Starts W-1 workers on the arena's memory and makes the pool the arena's range runner.
   * `attachWaitMs`: how long a large pass before they attach waits for them (ATTACH_WAIT_PAGES).
   */
  static async start(arena: Arena, workers: number, attachWaitMs = ATTACH_WAIT_MS): Promise<ShardPool> {
    if (workers < 2 || workers > MAX_WORKERS) throw new RangeError(`workers must be 2..${MAX_WORKERS}`);
    const pool = new Piscina({ ...workerEntry('shard-worker'), minThreads: workers - 1, maxThreads: workers - 1, idleTimeout: 60_000, atomics: 'disabled' });
    const sp = new ShardPool(workers, arena, pool, performance.now() + attachWaitMs);
    Atomics.store(sp.ctrl, C.READY, 0);
    Atomics.store(sp.u, C.OP, 0);
    const module = coreModule();
    for (let i = 1; i < workers; i++) {
      const task: ShardTask = { memory: arena.memory, module, plan: arena.plan, index: i, workers };
      // A worker that fails to start never attaches: its passes stay in the main thread, and
      // close() reports the failure.
      sp.done.push(pool.run(task).catch((e) => (sp.closing ? undefined : (sp.failed ??= e))));
    }
    await new Promise((r) => setImmediate(r)); // piscina hands the tasks to the workers' ports
    arena.runner = sp;
    return sp;
  }

  run(op: RangeOp, args: readonly number[], lo: number, hi: number): number {
    const { ctrl, u } = this;
    if (!this.attached) {
      if (hi - lo >= ATTACH_WAIT_PAGES) this.waitForWorkers();
      if (Atomics.load(ctrl, C.READY) < this.workers - 1) return this.arena.exec(op, args, lo, hi);
      this.attached = true;
    }
    this.splitPasses++;
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
      if (!spinThenWait(ctrl, C.DONE, d, SPIN_US, PASS_TIMEOUT_MS)) throw new Error(`shard pool: a worker did not finish a pass in ${PASS_TIMEOUT_MS} ms`);
    }
    for (let i = 1; i < this.workers; i++) sum += u[C.RES + i];
    return sum;
  }

  /** Blocks until every worker has attached, or the attach deadline has passed. */
  private waitForWorkers(): void {
    for (let r = Atomics.load(this.ctrl, C.READY); r < this.workers - 1; r = Atomics.load(this.ctrl, C.READY)) {
      const left = this.attachDeadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(this.ctrl, C.READY, r, left);
    }
  }

  /** Did every worker attach (so that passes are split from now on)? */
  get split(): boolean {
    return this.attached || Atomics.load(this.ctrl, C.READY) === this.workers - 1;
  }

  /** Resolves once every worker has attached (benchmarks and tests that must measure split passes). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.split) {
      if (this.failed !== undefined) throw new Error(`shard pool: a worker failed to start: ${String(this.failed)}`);
      if (performance.now() > deadline) throw new Error(`shard pool: workers not attached after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Tells the workers to quit and closes the pool (workers still booting are not waited for), then
   * throws if a worker failed. The arena runs passes in-thread again.
   */
  async close(): Promise<void> {
    this.u[C.OP] = OP_QUIT;
    Atomics.add(this.ctrl, C.EPOCH, 1);
    Atomics.notify(this.ctrl, C.EPOCH);
    if (this.attached) await Promise.all(this.done);
    this.closing = true;
    await this.pool.destroy();
    this.arena.runner = { workers: 1, run: (op, a, lo, hi) => this.arena.exec(op, a, lo, hi) };
    if (this.failed !== undefined) throw new Error(`shard pool: a worker failed: ${String(this.failed)}`);
  }
}
