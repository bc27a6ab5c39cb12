/**
 * A shard worker: one long piscina task that attaches to the arena's memory and serves range
 * passes until told to quit. It blocks in Atomics.wait between passes (its event loop is not
 * needed: everything it reads and writes is in the shared memory). It may attach after the main
 * thread has already run passes alone (src/shard/pool.ts).
 */
import { Arena, type RangeOp } from '../wasm/core.ts';
import { C, CTRL_BYTE_OFFSET, CTRL_WORDS, OP_QUIT, SPIN_US, shardOf, spinThenWait, type ShardTask } from './protocol.ts';

export default function shardWorker(t: ShardTask): number {
  const arena = Arena.attach(t.plan, t.memory, t.module);
  const ctrl = new Int32Array(t.memory.buffer, CTRL_BYTE_OFFSET, CTRL_WORDS);
  const u = new Uint32Array(t.memory.buffer, CTRL_BYTE_OFFSET, CTRL_WORDS);
  // The epoch first, then READY: the main thread bumps the epoch only once all are ready, so no
  // pass is missed. A pool closed before this worker attached has already set QUIT.
  let seen = Atomics.load(ctrl, C.EPOCH);
  Atomics.add(ctrl, C.READY, 1);
  Atomics.notify(ctrl, C.READY); // a main thread may be waiting to split its first large pass
  if (Atomics.load(ctrl, C.OP) === OP_QUIT) return 0;
  let passes = 0;
  for (;;) {
    spinThenWait(ctrl, C.EPOCH, seen, SPIN_US);
    const epoch = Atomics.load(ctrl, C.EPOCH);
    if (epoch === seen) continue;
    seen = epoch;
    const op = Atomics.load(ctrl, C.OP);
    if (op === OP_QUIT) return passes;
    const [lo, hi] = shardOf(t.index, t.workers, u[C.LO], u[C.HI]);
    const args = [u[C.ARG0], u[C.ARG0 + 1], u[C.ARG0 + 2], u[C.ARG0 + 3]];
    const res = lo < hi ? arena.exec(op as RangeOp, args, lo, hi) : 0;
    Atomics.store(u, C.RES + t.index, res);
    passes++;
    if (Atomics.add(ctrl, C.DONE, 1) + 1 === t.workers - 1) Atomics.notify(ctrl, C.DONE);
  }
}
