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
