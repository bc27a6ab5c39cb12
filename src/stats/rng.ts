/**
 * A counter-based PRNG: SplitMix64 evaluated at an arbitrary position. The value at (key, counter)
 * is a pure function of both, so any stream can be split by (replication, CPU, stream) without
 * sharing state, and a bootstrap resample is reproducible from its index alone (and
 * nothing in the lab uses Math.random).
 *
 *   output(key, i) = mix64(key + GAMMA * (i + 1))          (mod 2^64)
 *
 * which is exactly the i-th output of Vigna's splitmix64 seeded with `key`. The hot path works on
 * two uint32 halves with Math.imul so it never allocates a BigInt; `splitmix64()` is the BigInt
 * reference the tests compare it with.
 */

/** A 64-bit stream key as two uint32 halves. Make one with `rngKey()` or `keyFromString()`. */
export interface RngKey {
  readonly hi: number;
  readonly lo: number;
}

const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;
const M1 = 0xbf58476d1ce4e5b9n;
const M2 = 0x94d049bb133111ebn;

/** Reference SplitMix64: the `counter`-th output (0-based) of the generator seeded with `seed`. */
export function splitmix64(seed: bigint, counter: bigint): bigint {
  let z = (seed + GAMMA * (counter + 1n)) & MASK64;
  z = ((z ^ (z >> 30n)) * M1) & MASK64;
  z = ((z ^ (z >> 27n)) * M2) & MASK64;
  return z ^ (z >> 31n);
}

// Scratch registers of the 32-bit path. A typed array, not module-level `let`s: V8 boxes every
// uint32 >= 2^31 stored into a context slot as a fresh HeapNumber (~3 % of a busy cell's garbage).
const R = new Uint32Array(2);

/** (ah:al) * (bh:bl) mod 2^64 into R[0] (high) : R[1] (low). */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  R[1] = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const hiFull = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R[0] = (hiFull + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
}

const G_HI = 0x9e3779b9;
const G_LO = 0x7f4a7c15;
const M1_HI = 0xbf58476d;
const M1_LO = 0x1ce4e5b9;
const M2_HI = 0x94d049bb;
const M2_LO = 0x133111eb;
const TWO32 = 4294967296;

/** SplitMix64 at (key, counter) into R[0]:R[1]. counter: an integer in [0, 2^53 - 1). */
function mix(key: RngKey, counter: number): void {
  const c = counter + 1;
  const cLo = c >>> 0;
  const cHi = Math.floor(c / TWO32) >>> 0;
  mul64(G_HI, G_LO, cHi, cLo);
  const sumLo = key.lo + R[1];
  let lo = sumLo >>> 0;
  let hi = (key.hi + R[0] + (sumLo > 0xffffffff ? 1 : 0)) >>> 0;
  // z ^= z >> 30; z *= M1
  lo = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0;
  hi = (hi ^ (hi >>> 30)) >>> 0;
  mul64(hi, lo, M1_HI, M1_LO);
  lo = R[1];
  hi = R[0];
  // z ^= z >> 27; z *= M2
  lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
  hi = (hi ^ (hi >>> 27)) >>> 0;
  mul64(hi, lo, M2_HI, M2_LO);
  lo = R[1];
  hi = R[0];
  // z ^= z >> 31
  R[1] = (lo ^ ((lo >>> 31) | (hi << 1))) >>> 0;
  R[0] = (hi ^ (hi >>> 31)) >>> 0;
}

function toKey(v: bigint): RngKey {
  const x = v & MASK64;
  return Object.freeze({ hi: Number(x >> 32n), lo: Number(x & 0xffffffffn) });
}

/**
 * A key for one stream: the seed, then each stream index folded in with one SplitMix64 step, so
 * rngKey(seed, replication, cpu, stream) gives independent-looking keys for neighbouring tuples.
 */
export function rngKey(seed: number | bigint, ...streams: number[]): RngKey {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new RangeError(`rngKey: seed must be a safe integer, got ${seed}`);
  }
  let k = BigInt(seed) & MASK64;
  for (const s of streams) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`rngKey: stream index must be a non-negative safe integer, got ${s}`);
    k = splitmix64(k, BigInt(s));
  }
  return toKey(k);
}

/** A key from a string label (FNV-1a 64 over its UTF-16 code units, then one SplitMix64 step). */
export function keyFromString(label: string, seed: number | bigint = 0): RngKey {
  let h = 0xcbf29ce484222325n ^ (BigInt(seed) & MASK64);
  for (let i = 0; i < label.length; i++) {
    h ^= BigInt(label.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  return toKey(splitmix64(h, 0n));
}

/** The 64-bit output at (key, counter) as a BigInt (slow; for tests and rare callers). */
export function random64(key: RngKey, counter: number): bigint {
  mix(key, counter);
  return (BigInt(R[0]) << 32n) | BigInt(R[1]);
}

/** The high 32 bits of the output at (key, counter), as an unsigned integer. */
export function randomU32(key: RngKey, counter: number): number {
  mix(key, counter);
  return R[0];
}

/** A double in [0, 1) with 53 random bits, from the output at (key, counter). */
export function uniform(key: RngKey, counter: number): number {
  mix(key, counter);
  return (R[0] * 2097152 + (R[1] >>> 11)) / 9007199254740992;
}

/** An integer in [0, n) from the output at (key, counter). Bias is below 2^-53 * n (n is small here). */
export function randomInt(key: RngKey, counter: number, n: number): number {
  return Math.floor(uniform(key, counter) * n);
}

/**
 * Fills out[0..count) with integers in [0, n): block `block` of the stream `key`. The block's
 * state comes from two SplitMix64 outputs (counters 2*block and 2*block+1) and the integers from
 * Chris Doty-Humphrey's sfc32 run from that state, scaled by multiply-shift (bias < n / 2^32).
 * So every value is still a pure function of (key, block, i), while the hot loop costs a few
 * 32-bit adds and shifts per draw instead of three 64-bit multiplies. The bootstrap uses one
 * block per resample.
 */
export function fillRandomIndices(key: RngKey, block: number, n: number, out: Uint32Array, count: number): void {
  mix(key, 2 * block);
  let a = R[0];
  let b = R[1];
  mix(key, 2 * block + 1);
  let c = R[0];
  let d = R[1];
  let t = 0;
  for (let i = 0; i < 12 + count; i++) {
    // sfc32 step
    t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    if (i >= 12) out[i - 12] = Math.floor(((t >>> 0) * n) / TWO32);
  }
}

/** `uniform`, or an implementation equal to it bit for bit (the WASM core's: src/wasm/core.ts). */
export type UniformAt = (key: RngKey, counter: number) => number;

/** Sequential convenience over the counter-based functions: the i-th call reads counter start+i. */
export class CounterRng {
  readonly key: RngKey;
  counter: number;
  private readonly uniformAt: UniformAt;
  constructor(key: RngKey, start = 0, uniformAt: UniformAt = uniform) {
    this.key = key;
    this.counter = start;
    this.uniformAt = uniformAt;
  }
  /** A double in [0, 1). */
  next(): number {
    return this.uniformAt(this.key, this.counter++);
  }
  /** An integer in [0, n) (as randomInt). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A standard normal variate (Box-Muller; uses two counters). */
  normal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  /** An exponential variate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}
