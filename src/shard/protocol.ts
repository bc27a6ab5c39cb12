/**
 * The shard pool's protocol: a control block of u32 words in the arena's shared memory, between
 * the header and the page columns (src/wasm/layout.ts reserves HOST_BASE + 1024 .. + 4096).
 *
 *   EPOCH   bumped by the main thread for every range pass (workers Atomics.wait on it)
 *   OP      the RangeOp, or QUIT
 *   LO, HI  the page range [LO, HI) of the pass
 *   ARG0..3 the pass's arguments
 *   DONE    workers that finished this epoch (the main thread Atomics.wait's on it)
 *   READY   workers attached to the arena
 *   RES + i worker i's partial result (u32)
 */
import { HOST_BASE } from '../wasm/layout.ts';

export const CTRL_BYTE_OFFSET = HOST_BASE + 1024;
export const CTRL_WORDS = 64;
export const C = { EPOCH: 0, OP: 1, LO: 2, HI: 3, ARG0: 4, DONE: 8, READY: 9, RES: 16 } as const;
export const OP_QUIT = 255;
export const MAX_WORKERS = CTRL_WORDS - C.RES;

/**
 * Waits until ctrl[i] !== value: spins for up to `spinUs` first, then sleeps in Atomics.wait (up
 * to `timeoutMs`). Passes come in bursts (a seal's tag walk is tens of them a few microseconds
 * apart), and waking a sleeping thread costs tens of microseconds on a VM (futex wake, an IPI to a
 * halted vCPU), as much as a short pass. Returns false if it timed out.
 */
export function spinThenWait(ctrl: Int32Array, i: number, value: number, spinUs: number, timeoutMs = Infinity): boolean {
  const until = performance.now() + spinUs / 1000;
  for (let n = 0; Atomics.load(ctrl, i) === value; n++) {
    if ((n & 255) === 255 && performance.now() > until) return Atomics.wait(ctrl, i, value, timeoutMs) !== 'timed-out' || Atomics.load(ctrl, i) !== value;
  }
  return true;
}

/** How long a shard worker, and the main thread at a barrier, spin before sleeping (µs). */
export const SPIN_US = 200;

/** Shard i of W of [lo, hi): boundaries at multiples of 64 pages, so no tag word is shared. */
export function shardOf(i: number, w: number, lo: number, hi: number): [number, number] {
  const size = Math.ceil((hi - lo) / w / 64) * 64;
  const base = Math.floor(lo / 64) * 64;
  const a = i === 0 ? lo : Math.min(hi, Math.max(lo, base + i * size));
  const b = i === w - 1 ? hi : Math.min(hi, Math.max(lo, base + (i + 1) * size));
  return [a, b];
}

/** What a shard worker gets once, as its piscina task. */
export interface ShardTask {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  plan: import('../wasm/layout.ts').ArenaPlan;
  index: number;
  workers: number;
}
