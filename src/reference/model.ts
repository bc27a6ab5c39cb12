/**
 * The oracle: the same page-state operations as the WASM core, written straight from
 * docs/kernel-model.md with plain arrays and no cleverness (no bitmaps, no SIMD, no hierarchy).
 * Property tests run random operation sequences through both and compare every field.
 */
import { PG, PV_KINDS } from '../wasm/layout.ts';
import type { ArenaSnapshot } from '../wasm/core.ts';

const LRU_ADD = 0;
const ACTIVATE = 1;

export class ReferenceModel {
  readonly refcount: number[][];
  readonly mapcount: number[][];
  readonly flags: number[][];
  readonly tagged: Set<number>[];
  /** Per CPU, per kind: page ids (file × pages + page). */
  readonly pvecs: number[][][];
  lruDisabled = 0;
  /** The multi-gen LRU is enabled (v6.1+): mark_accessed only sets PG_referenced. */
  mglru = false;

  constructor(
    readonly files: number,
    readonly pages: number,
    readonly cpus: number,
    readonly pvecSize: number,
  ) {
    const cols = () => Array.from({ length: files }, () => new Array<number>(pages).fill(0));
    this.refcount = cols();
    this.mapcount = cols();
    this.flags = cols();
    this.tagged = Array.from({ length: files }, () => new Set<number>());
    this.pvecs = Array.from({ length: cpus }, () => Array.from({ length: PV_KINDS }, () => []));
  }

  private id(file: number, page: number) {
    return file * this.pages + page;
  }
  private at(id: number): [number, number] {
    return [Math.floor(id / this.pages), id % this.pages];
  }

  /** A2 drain rule: to the LRU (activate: active if on the LRU), then drop the pagevec's ref. */
  drainPvec(cpu: number, kind: number): number {
    const pv = this.pvecs[cpu][kind];
    for (const id of pv) {
      const [f, p] = this.at(id);
      if (kind === LRU_ADD) this.flags[f][p] |= PG.LRU;
      else if (this.flags[f][p] & PG.LRU) this.flags[f][p] |= PG.ACTIVE;
      this.refcount[f][p] -= 1;
    }
    const n = pv.length;
    pv.length = 0;
    return n;
  }

  /** OP4. */
  drainCpu(cpu: number): number {
    let n = 0;
    for (let k = 0; k < PV_KINDS; k++) n += this.drainPvec(cpu, k);
    return n;
  }

  pvecCount(cpu: number): number {
    return this.pvecs[cpu].reduce((s, pv) => s + pv.length, 0);
  }

  /** A2 fill rule. */
  private pvecAdd(cpu: number, kind: number, file: number, page: number): void {
    this.refcount[file][page] += 1;
    const pv = this.pvecs[cpu][kind];
    pv.push(this.id(file, page));
    if (pv.length >= this.pvecSize || this.flags[file][page] & PG.COMPOUND || this.lruDisabled) this.drainPvec(cpu, kind);
  }

  /** OP7. */
  private allocIfMissing(cpu: number, file: number, page: number, compound: boolean, referenced: boolean): boolean {
    if (this.flags[file][page] & PG.PRESENT) return false;
    this.flags[file][page] = PG.PRESENT | (compound ? PG.COMPOUND : 0) | (referenced ? PG.REFERENCED : 0);
    this.refcount[file][page] += 1;
    this.pvecAdd(cpu, LRU_ADD, file, page);
    return true;
  }

  /** mark_page_accessed, v4.14. */
  private markAccessed(cpu: number, file: number, page: number): void {
    const f = this.flags[file][page];
    if (this.mglru) {
      this.flags[file][page] |= PG.REFERENCED;
      return;
    }
    if (!(f & PG.ACTIVE) && f & PG.REFERENCED) {
      if (f & PG.LRU) this.pvecAdd(cpu, ACTIVATE, file, page);
      else if (this.pvecs[cpu][LRU_ADD].includes(this.id(file, page))) this.flags[file][page] |= PG.ACTIVE;
      this.flags[file][page] &= ~PG.REFERENCED;
    } else if (!(f & PG.REFERENCED)) {
      this.flags[file][page] |= PG.REFERENCED;
    }
  }

  write(cpu: number, file: number, lo: number, hi: number, compound = false): number {
    let n = 0;
    for (let p = lo; p < hi; p++) {
      if (this.allocIfMissing(cpu, file, p, compound, true)) n++;
      else this.markAccessed(cpu, file, p);
    }
    return n;
  }

  fault(cpu: number, file: number, lo: number, hi: number, compound = false): number {
    let n = 0;
    for (let p = lo; p < hi; p++) {
      if (this.allocIfMissing(cpu, file, p, compound, false)) n++;
      this.refcount[file][p] += 1;
      this.mapcount[file][p] += 1;
    }
    return n;
  }

  unmap(file: number, lo: number, hi: number): number {
    let n = 0;
    for (let p = lo; p < hi; p++) {
      if (this.mapcount[file][p] === 0) continue;
      this.mapcount[file][p] -= 1;
      this.refcount[file][p] -= 1;
      n++;
    }
    return n;
  }

  pin(cpu: number, file: number, lo: number, hi: number, compound = false): number {
    let n = 0;
    for (let p = lo; p < hi; p++) {
      if (this.allocIfMissing(cpu, file, p, compound, false)) n++;
      this.refcount[file][p] += 1;
    }
    return n;
  }

  unpin(file: number, lo: number, hi: number): void {
    for (let p = lo; p < hi; p++) this.refcount[file][p] -= 1;
  }

  /** assembly/pagevec.ts opTruncate: leaves the page cache and every mapping; pagevec and pin refs stay. */
  truncate(file: number, lo: number, hi: number): number {
    let n = 0;
    for (let p = lo; p < hi; p++) {
      if (!(this.flags[file][p] & PG.PRESENT)) continue;
      this.refcount[file][p] -= 1 + this.mapcount[file][p];
      this.mapcount[file][p] = 0;
      this.flags[file][p] = 0;
      n++;
    }
    return n;
  }

  read(cpu: number, file: number, lo: number, hi: number): void {
    for (let p = lo; p < hi; p++) if (this.flags[file][p] & PG.PRESENT) this.markAccessed(cpu, file, p);
  }

  /** OP3.2: tag refcount - mapcount > 1 (u32 arithmetic, as the core). */
  tagPass(file: number, lo = 0, hi = this.pages): number {
    let n = 0;
    for (let p = lo; p < hi; p++) {
      if (((this.refcount[file][p] - this.mapcount[file][p]) >>> 0) > 1) {
        this.tagged[file].add(p);
        n++;
      }
    }
    return n;
  }

  /** OP2.2c over tagged pages; returns those still pinned. */
  recheck(file: number, last: boolean, lo = 0, hi = this.pages): number {
    let pinned = 0;
    for (const p of [...this.tagged[file]].sort((a, b) => a - b)) {
      if (p < lo || p >= hi) continue;
      const r = this.refcount[file][p];
      const released = r === 0 || ((r - this.mapcount[file][p]) >>> 0) === 1;
      if (!released) pinned++;
      if (released || last) this.tagged[file].delete(p);
    }
    return pinned;
  }

  tagAny(file: number): boolean {
    return this.tagged[file].size > 0;
  }

  snapshot(): ArenaSnapshot {
    return {
      refcount: this.refcount.map((c) => c.slice()),
      mapcount: this.mapcount.map((c) => c.slice()),
      flags: this.flags.map((c) => c.slice()),
      tags: this.tagged.map((s) => [...s].sort((a, b) => a - b)),
      pvecs: this.pvecs.map((kinds) => kinds.map((pv) => pv.slice())),
      tagLevelsOk: this.tagged.map(() => true),
    };
  }
}
