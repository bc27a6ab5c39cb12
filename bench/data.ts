/**
 * The scan benchmarks' page population, generated from a seed so that the WASM core, the TS
 * reference model and the native C build (bench/native/scan.c, `populate()`) see identical
 * pages. One xorshift32 draw per page decides its state:
 *
 *   bits 0-7   == 0     a hole: never written (refcount 0, never tagged)             ~0.4 %
 *   bits 8-10  == 0     mapped by one PTE (refcount +1, mapcount 1)                  12.5 %
 *   (x >>> 11) % 100 == 0  pinned by get_user_pages, once or twice (bit 30)          ~1 %
 *
 * Every present page also holds the page-cache reference, so a quiescent page has
 * refcount - mapcount == 1 and a pinned one 2 or 3: the tag pass tags exactly the pinned pages.
 */
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { ReferenceModel } from '../src/reference/model.ts';

export const DEFAULT_SEED = 0x2545f491;

/** xorshift32 (Marsaglia 2003); the seed must be non-zero. Same shifts as scan.c. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

/** Per page: present / mapped / pin count, as columns (what both builders replay). */
export interface Population {
  pages: number;
  seed: number;
  present: Uint8Array;
  mapped: Uint8Array;
  pins: Uint8Array;
  /** Pages the tag pass must tag (present and pinned). */
  pinned: number;
}

/** Decodes one draw per page (the table above; scan.c populate() is the same code). */
export function population(pages: number, seed = DEFAULT_SEED): Population {
  const next = xorshift32(seed);
  const present = new Uint8Array(pages);
  const mapped = new Uint8Array(pages);
  const pins = new Uint8Array(pages);
  let pinned = 0;
  for (let p = 0; p < pages; p++) {
    const x = next();
    if ((x & 0xff) === 0) continue; // a hole
    present[p] = 1;
    mapped[p] = ((x >>> 8) & 7) === 0 ? 1 : 0;
    if ((x >>> 11) % 100 === 0) {
      pins[p] = 1 + ((x >>> 30) & 1);
      pinned++;
    }
  }
  return { pages, seed, present, mapped, pins, pinned };
}

/** What Arena and ReferenceModel have in common for building a population. */
interface PageOps {
  write(cpu: number, file: number, lo: number, hi: number): number;
  fault(cpu: number, file: number, lo: number, hi: number): number;
  pin(cpu: number, file: number, lo: number, hi: number): number;
  drainCpu(cpu: number): number;
}

/** Calls `op(lo, hi)` for each maximal run of pages where `want(p)` holds. */
function runs(pages: number, want: (p: number) => boolean, op: (lo: number, hi: number) => void): void {
  let p = 0;
  while (p < pages) {
    while (p < pages && !want(p)) p++;
    const lo = p;
    while (p < pages && want(p)) p++;
    if (p > lo) op(lo, p);
  }
}

/**
 * Replays the population through the kernel operations on CPU 0 of file 0: write() every present
 * page (cache ref + lru_add pagevec), lru_add_drain() so no pagevec ref lingers, fault the mapped
 * pages (+1 ref, +1 mapcount), then pin the pinned ones once or twice (+1 ref each).
 */
export function replay(model: PageOps, pop: Population): void {
  const { pages, present, mapped, pins } = pop;
  runs(pages, (p) => present[p] === 1, (lo, hi) => model.write(0, 0, lo, hi));
  model.drainCpu(0);
  runs(pages, (p) => mapped[p] === 1, (lo, hi) => model.fault(0, 0, lo, hi));
  runs(pages, (p) => pins[p] >= 1, (lo, hi) => model.pin(0, 0, lo, hi));
  runs(pages, (p) => pins[p] >= 2, (lo, hi) => model.pin(0, 0, lo, hi));
}

/** An arena of one file holding the population (1 CPU, PAGEVEC_SIZE 14). */
export function arenaFor(pop: Population, cpus = 1): Arena {
  const arena = Arena.create(planArena(1, pop.pages, cpus, 14));
  replay(arena, pop);
  return arena;
}

export function referenceFor(pop: Population): ReferenceModel {
  const model = new ReferenceModel(1, pop.pages, 1, 14);
  replay(model, pop);
  return model;
}

/**
 * Never-written pages for benchmarks whose every iteration must add new pages to pagevecs (a
 * page enters a pagevec once, when it is allocated: A2). Hands out ranges of file 0 and starts a
 * new arena when this one is used up; call `take` from an untimed hook.
 */
export class FreshPages {
  arena: Arena;
  private next = 0;

  constructor(
    readonly pages: number,
    readonly cpus: number,
    readonly pvecSize: number,
  ) {
    this.arena = Arena.create(planArena(1, pages, cpus, pvecSize));
  }

  /** The first page of `n` fresh pages of file 0 of `this.arena`. */
  take(n: number): number {
    if (n > this.pages) throw new Error(`FreshPages: ${n} pages asked of an arena of ${this.pages}`);
    if (this.next + n > this.pages) {
      this.arena = Arena.create(planArena(1, this.pages, this.cpus, this.pvecSize));
      this.next = 0;
    }
    const lo = this.next;
    this.next += n;
    return lo;
  }
}
