/**
 * The WASM boundary: the only code that knows pointers. Compiles build/core.wasm once per thread,
 * creates the shared memory for an arena plan, writes the header the core reads, builds the typed
 * views once (the memory never grows), and exposes typed operations on (cpu, file, page range).
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { rootPath } from '../io/paths.ts';
import { H, HOST_BASE, PG, PV_KINDS, PV_WORDS, WASM_PAGE, headerWords, type ArenaPlan } from './layout.ts';

export const WASM_PATH = rootPath('build', 'core.wasm');

interface CoreExports {
  heapBase(): number;
  drainCpu(cpu: number): number;
  drainPvec(cpu: number, kind: number): number;
  pvecCount(cpu: number): number;
  opWrite(cpu: number, lo: number, hi: number, compound: number): number;
  opFault(cpu: number, lo: number, hi: number, compound: number): number;
  opUnmap(lo: number, hi: number): number;
  opPin(cpu: number, lo: number, hi: number, compound: number): number;
  opUnpin(lo: number, hi: number): void;
  opRead(cpu: number, lo: number, hi: number): void;
  opTruncate(lo: number, hi: number): number;
  tagSet(file: number, p: number): void;
  tagClear(file: number, p: number): void;
  tagTest(file: number, p: number): number;
  tagAny(file: number): number;
  tagNext(file: number, from: number): number;
  tagCount(file: number, lo: number, hi: number): number;
  tagPassScalar(file: number, lo: number, hi: number): number;
  tagPassSimd(file: number, lo: number, hi: number): number;
  recheckScalar(file: number, lo: number, hi: number, last: number): number;
  recheckSimd(file: number, lo: number, hi: number, last: number): number;
  countPresent(lo: number, hi: number): number;
  allocFresh(lo: number, hi: number, flags: number, refs: number, maps: number): void;
  addCounts(lo: number, hi: number, refs: number, maps: number): void;
  pvecAppend(cpu: number, kind: number, lo: number, hi: number): void;
  zeroPages(lo: number, hi: number): void;
  zeroBytes(ptr: number, len: number): void;
  rngUniform(keyHi: number, keyLo: number, counter: number): number;
}

/**
 * The range passes that can be split across workers (src/shard/pool.ts). Each is
 * set-only, clear-only or on pages one shard owns, so the shards' order never matters.
 */
export const enum RangeOp {
  TagPass = 1, // args: file            (file-local page range; sets tags only)
  Recheck = 2, // args: file, last      (file-local page range; clears tags only)
  CountPresent = 3, //                  (global page range)
  AllocFresh = 4, // args: flags, refs, maps
  AddCounts = 5, // args: refs, maps
  ZeroPages = 6, //                     (global page range)
}

/** Runs a range pass over [lo, hi), split into shards at multiples of 64 pages; returns the sum. */
export interface RangeRunner {
  readonly workers: number;
  run(op: RangeOp, args: readonly number[], lo: number, hi: number): number;
}

/** Ranges at least this long go through the runner (below it a barrier costs more than it saves). */
export const SHARD_MIN_PAGES = 1 << 16;

let compiled: WebAssembly.Module | undefined;
let wasmHash: string | undefined;

/** The compiled core, once per thread (workers receive it through workerData instead). */
export function coreModule(): WebAssembly.Module {
  if (!compiled) {
    if (!existsSync(WASM_PATH)) {
      throw new Error(`${WASM_PATH} is missing: run \`npm run asbuild\` (npm install does it)`);
    }
    const bytes = readFileSync(WASM_PATH);
    wasmHash = createHash('sha256').update(bytes).digest('hex');
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

export function coreSha256(): string {
  coreModule();
  return wasmHash!;
}

export type RecheckResult = number;

/** One simulated machine's page state in one shared memory. */
export class Arena {
  readonly plan: ArenaPlan;
  readonly memory: WebAssembly.Memory;
  /**
   * SplitMix64's counter-th output for the key (hi, lo) as a double in [0, 1): bit for bit
   * src/stats/rng.ts `uniform`, with native 64-bit multiplies (~3.5 ns a draw against ~21 in JS).
   * Touches no memory.
   */
  readonly rngUniform: (keyHi: number, keyLo: number, counter: number) => number;
  private readonly core: CoreExports;
  /** Nothing has run on this arena since it was created or reset: reset() has nothing to clear. */
  private pristine = true;
  /** Typed views: refcount and mapcount columns, flags, pagevec words (read-only use outside this file). */
  private readonly ref: Uint32Array;
  private readonly map: Uint32Array;
  private readonly flg: Uint8Array;
  private readonly pv: Uint32Array;
  private readonly words: BigUint64Array;
  /** Where range passes run: in this thread by default, on a shard pool when one is attached. */
  runner: RangeRunner = { workers: 1, run: (op, args, lo, hi) => this.exec(op, args, lo, hi) };
  /** Large write/fault/pin in the decomposed form (tests turn it off to compare with the page-by-page op). */
  bulkOps = true;

  private constructor(plan: ArenaPlan, memory: WebAssembly.Memory, module: WebAssembly.Module) {
    this.plan = plan;
    this.memory = memory;
    this.core = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as CoreExports;
    if (this.core.heapBase() > HOST_BASE) throw new Error('core static area overlaps the host region');
    this.rngUniform = this.core.rngUniform;
    const buf = memory.buffer;
    const n = plan.files * plan.pstride;
    this.ref = new Uint32Array(buf, plan.ref, n);
    this.map = new Uint32Array(buf, plan.map, n);
    this.flg = new Uint8Array(buf, plan.flg, n);
    this.pv = new Uint32Array(buf, plan.pvec, plan.cpus * PV_KINDS * PV_WORDS);
    this.words = new BigUint64Array(buf, plan.tag, (plan.files * plan.tagStride) / 8);
  }

  /** A fresh arena: allocates the shared memory the plan sized, and writes the header. */
  static create(plan: ArenaPlan): Arena {
    const pages = plan.bytes / WASM_PAGE;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    new Uint32Array(memory.buffer, HOST_BASE, 64).set(headerWords(plan));
    // Touch the flags column by writing it once (1 byte a page). Its first access would otherwise
    // be a read (a bulk write counts present pages first), which maps the kernel's zero page, and
    // the stores that follow then fault again with a TLB shootdown to every other running thread:
    // 3x slower than writing first with two threads on this VM (docs/scaling.md).
    new Uint8Array(memory.buffer, plan.flg, plan.files * plan.pstride).fill(0);
    return new Arena(plan, memory, coreModule());
  }

  /** Another thread's view of an existing arena (same memory, own instance). */
  static attach(plan: ArenaPlan, memory: WebAssembly.Memory, module: WebAssembly.Module): Arena {
    return new Arena(plan, memory, module);
  }

  /** The core's exports. Any call may change the state, so the arena is no longer pristine. */
  private get x(): CoreExports {
    this.pristine = false;
    return this.core;
  }

  /** A range pass on the runner (this thread or the shard pool). */
  private pass(op: RangeOp, args: readonly number[], lo: number, hi: number): number {
    this.pristine = false;
    return this.runner.run(op, args, lo, hi);
  }

  /**
   * Back to the state of a fresh arena (every page absent, no tags, empty pagevecs). A pristine
   * arena is left alone: finding what to clear reads every page, which would map never-touched
   * memory to the zero page and make the first writes fault twice (assembly/bulk.ts zeroBytes).
   */
  reset(): void {
    if (this.pristine) return;
    const { files, pstride, tag, bytes } = this.plan;
    this.pass(RangeOp.ZeroPages, [], 0, files * pstride);
    this.x.zeroBytes(tag, bytes - tag); // tag trees and pagevecs (only the OS pages written to)
    this.setLruDisabled(0);
    this.setMglru(false);
    this.pristine = true;
  }

  private g(file: number, page: number): number {
    return file * this.plan.pstride + page;
  }

  /** One shard of a range pass, in this thread (the shard pool's workers call it too). */
  exec(op: RangeOp, a: readonly number[], lo: number, hi: number): number {
    switch (op) {
      case RangeOp.TagPass:
        return this.x.tagPassSimd(a[0], lo, hi) >>> 0;
      case RangeOp.Recheck:
        return this.x.recheckScalar(a[0], lo, hi, a[1]) >>> 0;
      case RangeOp.CountPresent:
        return this.x.countPresent(lo, hi) >>> 0;
      case RangeOp.AllocFresh:
        this.x.allocFresh(lo, hi, a[0], a[1], a[2]);
        return 0;
      case RangeOp.AddCounts:
        this.x.addCounts(lo, hi, a[0], a[1]);
        return 0;
      case RangeOp.ZeroPages:
        this.x.zeroPages(lo, hi);
        return 0;
    }
  }

  // --- page operations (OP6, OP7, A2) -----------------------------------------------------------
  write(cpu: number, file: number, lo: number, hi: number, compound = false): number {
    return this.bulk('write', cpu, file, lo, hi, compound) ?? this.x.opWrite(cpu, this.g(file, lo), this.g(file, hi), compound ? 1 : 0);
  }
  fault(cpu: number, file: number, lo: number, hi: number, compound = false): number {
    return this.bulk('fault', cpu, file, lo, hi, compound) ?? this.x.opFault(cpu, this.g(file, lo), this.g(file, hi), compound ? 1 : 0);
  }
  unmap(file: number, lo: number, hi: number): number {
    return this.x.opUnmap(this.g(file, lo), this.g(file, hi));
  }
  pin(cpu: number, file: number, lo: number, hi: number, compound = false): number {
    return this.bulk('pin', cpu, file, lo, hi, compound) ?? this.x.opPin(cpu, this.g(file, lo), this.g(file, hi), compound ? 1 : 0);
  }

  /**
   * A large write/fault/pin in its decomposed form, or undefined when the range is short or mixes
   * absent and present pages (the sequential op then runs). For absent pages the A2 fill rule is
   * solved in closed form: with c0 pages already in the CPU's lru_add pagevec and n new ones,
   * the pagevec drains whenever it reaches PAGEVEC_SIZE, so the initial pages drain (if it fills
   * at all) and the last (c0 + n) mod PAGEVEC_SIZE new pages stay; every other new page ends on
   * the LRU with its pagevec reference already dropped. Same state as the page-by-page op.
   */
  bulk(kind: 'write' | 'fault' | 'pin', cpu: number, file: number, lo: number, hi: number, compound: boolean): number | undefined {
    const n = hi - lo;
    if (!this.bulkOps || n < SHARD_MIN_PAGES) return undefined;
    const glo = this.g(file, lo);
    const ghi = this.g(file, hi);
    const present = this.pass(RangeOp.CountPresent, [], glo, ghi);
    const extraRef = kind === 'write' ? 0 : 1;
    const maps = kind === 'fault' ? 1 : 0;
    if (present === n && kind !== 'write') {
      this.pass(RangeOp.AddCounts, [extraRef, maps], glo, ghi);
      return 0;
    }
    if (present !== 0) return undefined;
    const cap = this.plan.pvecSize;
    const c0 = this.pv[cpu * PV_KINDS * PV_WORDS];
    const immediate = compound || this.lruDisabled() !== 0;
    const fills = immediate || c0 + n >= cap;
    const left = immediate ? 0 : fills ? (c0 + n) % cap : n;
    if (fills && c0 > 0) this.x.drainPvec(cpu, 0);
    const flags = PG.PRESENT | (kind === 'write' ? PG.REFERENCED : 0) | (compound ? PG.COMPOUND : 0);
    this.pass(RangeOp.AllocFresh, [flags | PG.LRU, 1 + extraRef, maps], glo, ghi - left);
    if (left > 0) {
      this.pass(RangeOp.AllocFresh, [flags, 2 + extraRef, maps], ghi - left, ghi);
      this.x.pvecAppend(cpu, 0, ghi - left, ghi);
    }
    return n;
  }

  private lruDisabled(): number {
    return Atomics.load(new Uint32Array(this.memory.buffer, HOST_BASE, 64), H.LRU_DISABLED);
  }
  unpin(file: number, lo: number, hi: number): void {
    this.x.opUnpin(this.g(file, lo), this.g(file, hi));
  }
  read(cpu: number, file: number, lo: number, hi: number): void {
    this.x.opRead(cpu, this.g(file, lo), this.g(file, hi));
  }
  /** Truncates pages [lo, hi) (a hole punch): the next write allocates fresh pages. Returns pages removed. */
  truncate(file: number, lo: number, hi: number): number {
    return this.x.opTruncate(this.g(file, lo), this.g(file, hi));
  }

  // --- pagevecs (A2, OP4) -----------------------------------------------------------------------
  /** OP4 lru_add_drain() on `cpu`. Returns the pages moved to the LRU. */
  drainCpu(cpu: number): number {
    return this.x.drainCpu(cpu);
  }
  /** Pages waiting in `cpu`'s pagevecs, all kinds (read straight from the view: no call). */
  pvecCount(cpu: number): number {
    const b = cpu * PV_KINDS * PV_WORDS;
    let n = 0;
    for (let k = 0; k < PV_KINDS; k++) n += this.pv[b + k * PV_WORDS];
    return n;
  }
  /** The pages in `cpu`'s pagevec of `kind`, as (file, page). */
  pvecPages(cpu: number, kind: number): { file: number; page: number }[] {
    const b = (cpu * PV_KINDS + kind) * PV_WORDS;
    const out: { file: number; page: number }[] = [];
    for (let i = 1; i <= this.pv[b]; i++) {
      const g = this.pv[b + i];
      out.push({ file: Math.floor(g / this.plan.pstride), page: g % this.plan.pstride });
    }
    return out;
  }
  /** Does any of `cpu`'s pagevecs hold a page of `file` that is tagged? (S4b targeted) */
  pvecHoldsTagged(cpu: number, file: number): boolean {
    for (let k = 0; k < PV_KINDS; k++) {
      const b = (cpu * PV_KINDS + k) * PV_WORDS;
      for (let i = 1; i <= this.pv[b]; i++) {
        const g = this.pv[b + i];
        if (Math.floor(g / this.plan.pstride) === file && this.tagTest(file, g % this.plan.pstride)) return true;
      }
    }
    return false;
  }
  /** lru_disable_count (OP5' v5.13): while non-zero every pagevec add drains at once. */
  setLruDisabled(count: number): void {
    this.pristine = false;
    Atomics.store(new Uint32Array(this.memory.buffer, HOST_BASE, 64), H.LRU_DISABLED, count);
  }

  /**
   * The multi-gen LRU on or off (v6.1+, scenario `mglru`): with it on, mark_accessed parks no page
   * in the activate batch. Configuration, not page state: every Machine sets it for its run.
   */
  setMglru(on: boolean): void {
    Atomics.store(new Uint32Array(this.memory.buffer, HOST_BASE, 64), H.MGLRU, on ? 1 : 0);
  }

  // --- page state -------------------------------------------------------------------------------
  refcount(file: number, page: number): number {
    return this.ref[this.g(file, page)];
  }
  mapcount(file: number, page: number): number {
    return this.map[this.g(file, page)];
  }
  flags(file: number, page: number): number {
    return this.flg[this.g(file, page)];
  }

  // --- PINNED tags (A1) -------------------------------------------------------------------------
  tagSet(file: number, page: number): void {
    this.x.tagSet(file, page);
  }
  tagClear(file: number, page: number): void {
    this.x.tagClear(file, page);
  }
  tagTest(file: number, page: number): boolean {
    return this.x.tagTest(file, page) !== 0;
  }
  /** OP2.2a: is anything tagged in the file? O(1). */
  tagAny(file: number): boolean {
    return this.x.tagAny(file) !== 0;
  }
  /** The first tagged page >= from, or -1. */
  tagNext(file: number, from: number): number {
    const p = this.x.tagNext(file, from) >>> 0;
    return p === 0xffffffff ? -1 : p;
  }
  tagCount(file: number, lo = 0, hi = this.plan.pages): number {
    return this.x.tagCount(file, lo, hi) >>> 0;
  }
  /**
   * Zeroes every level of the file's tag tree at once: no kernel operation, a reset for benchmarks
   * (each tag-pass sample starts from an untagged file, as a seal's does) and tests. Not safe
   * while another thread sets or clears tags of this file.
   */
  resetTags(file: number): void {
    const words = this.plan.tagStride / 8;
    this.words.fill(0n, file * words, (file + 1) * words);
  }

  // --- the seal path's per-page passes (OP3.2, OP2.2c) ------------------------------------------
  /** OP3.2 on pages [lo, hi): tags refcount - mapcount > 1. Returns pages tagged. */
  tagPass(file: number, lo = 0, hi = this.plan.pages, simd = true): number {
    if (simd && hi - lo >= SHARD_MIN_PAGES) return this.pass(RangeOp.TagPass, [file], lo, hi);
    return (simd ? this.x.tagPassSimd(file, lo, hi) : this.x.tagPassScalar(file, lo, hi)) >>> 0;
  }
  /**
   * OP2.2c on the tagged pages of [lo, hi). Returns tagged pages still pinned. The scalar loop is
   * the default: it visits only tagged pages, whose count loads miss the cache either way, and it
   * measured 1-10 % faster than the SIMD one at 64K, 1M and 16M pages (bench/README.md).
   */
  recheck(file: number, last: boolean, lo = 0, hi = this.plan.pages, simd = false): RecheckResult {
    const l = last ? 1 : 0;
    return (simd ? this.x.recheckSimd(file, lo, hi, l) : this.x.recheckScalar(file, lo, hi, l)) >>> 0;
  }
  /**
   * The seal path's re-check of the whole file. It visits tagged words only, so it is split across
   * workers only when `tagged` pages are many (a barrier costs more than a sparse walk).
   */
  recheckFile(file: number, last: boolean, tagged: number): RecheckResult {
    const pages = this.plan.pages;
    if (pages >= SHARD_MIN_PAGES && tagged >= SHARD_MIN_PAGES / 16) return this.pass(RangeOp.Recheck, [file, last ? 1 : 0], 0, pages);
    return this.recheck(file, last);
  }

  /** The whole state, copied out, for comparison with the reference model. */
  snapshot(): ArenaSnapshot {
    const { files, pages, pstride, cpus, levels, tagStride } = this.plan;
    const perFile = <T>(f: (file: number) => T) => Array.from({ length: files }, (_, i) => f(i));
    const pick = <A extends Uint32Array | Uint8Array>(col: A, file: number) =>
      Array.from(col.subarray(file * pstride, file * pstride + pages));
    const tags = perFile((file) => {
      const out: number[] = [];
      for (let p = this.tagNext(file, 0); p >= 0; p = this.tagNext(file, p + 1)) out.push(p);
      return out;
    });
    const pvecs = Array.from({ length: cpus }, (_, cpu) =>
      Array.from({ length: PV_KINDS }, (_, k) => this.pvecPages(cpu, k).map((e) => e.file * pages + e.page)),
    );
    const tagLevelsOk = perFile((file) => {
      const base = (file * tagStride) / 8;
      for (let k = 1; k < levels.length; k++) {
        for (let w = 0; w < levels[k].words; w++) {
          const word = this.words[base + levels[k].offset / 8 + w];
          for (let b = 0; b < 64; b++) {
            const child = w * 64 + b;
            const childNonZero = child < levels[k - 1].words && this.words[base + levels[k - 1].offset / 8 + child] !== 0n;
            if (((word >> BigInt(b)) & 1n) === 1n !== childNonZero) return false;
          }
        }
      }
      return true;
    });
    return {
      refcount: perFile((f) => pick(this.ref, f)),
      mapcount: perFile((f) => pick(this.map, f)),
      flags: perFile((f) => pick(this.flg, f)),
      tags,
      pvecs,
      tagLevelsOk,
    };
  }
}

/** Plain-data state of an arena or of the reference model: what the oracle tests compare. */
export interface ArenaSnapshot {
  refcount: number[][];
  mapcount: number[][];
  flags: number[][];
  /** Tagged pages per file, ascending. */
  tags: number[][];
  /** Per CPU, per pagevec kind: page ids (file × pages + page) in pagevec order. */
  pvecs: number[][][];
  /** Per file: every summary bit equals "its child word is non-zero". */
  tagLevelsOk: boolean[];
}
