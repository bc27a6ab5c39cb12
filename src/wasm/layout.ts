/**
 * The arena plan: where every region of the shared WASM memory lies for (files, pages, cpus).
 * The header words, pagevec shape and flags come from the core's own constants
 * (assembly/arena-constants.ts), and the diagram is in assembly/layout.ts. Sized before anything is
 * allocated, so a configuration that cannot fit in wasm32's 4 GiB is refused with the largest
 * page count that would.
 */
/// <reference path="./as-scalars.d.ts" />
import { tooLarge } from '../errors.ts';
import * as K from '../../assembly/arena-constants.ts';

export const WASM_PAGE = 65536;
export const MAX_BYTES = 65536 * WASM_PAGE; // wasm32: 4 GiB (docs/toolchain.md, "Memory limits")
export const HOST_BASE = K.HOST_BASE;
const HEADER_BYTES = 256;

export const H = {
  NPAGES: K.H_NPAGES, NFILES: K.H_NFILES, NCPUS: K.H_NCPUS, PVCAP: K.H_PVCAP, PSTRIDE: K.H_PSTRIDE, REF: K.H_REF, MAP: K.H_MAP, FLG: K.H_FLG, TAG: K.H_TAG,
  TAGSTRIDE: K.H_TAGSTRIDE, TAGLEVELS: K.H_TAGLEVELS, PVEC: K.H_PVEC, LRU_DISABLED: K.H_LRU_DISABLED, MGLRU: K.H_MGLRU, LVL0: K.H_LVL0, LVLN: K.H_LVLN,
} as const;

export const PV_KINDS = K.PV_KINDS;
export const PV_WORDS = K.PV_WORDS;
export const PV_NAMES = ['lru_add', 'activate'] as const; // indices PV_LRU_ADD, PV_ACTIVATE
export const PG = { PRESENT: K.PG_PRESENT, LRU: K.PG_LRU, ACTIVE: K.PG_ACTIVE, REFERENCED: K.PG_REFERENCED, COMPOUND: K.PG_COMPOUND } as const;
export const MAX_PVEC_SIZE = PV_WORDS - 1;

export interface ArenaPlan {
  files: number;
  pages: number;
  cpus: number;
  pvecSize: number;
  /** Pages per file rounded up to 64: one tag word never spans two files. */
  pstride: number;
  ref: number;
  map: number;
  flg: number;
  tag: number;
  tagStride: number;
  /** Byte offset of each tag level inside a tree, and its length in u64 words. */
  levels: { offset: number; words: number }[];
  pvec: number;
  bytes: number;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

function tagLevels(pstride: number): { offset: number; words: number }[] {
  const levels: { offset: number; words: number }[] = [];
  let words = pstride / 64;
  let offset = 0;
  for (;;) {
    levels.push({ offset, words });
    offset += align(words * 8, 64);
    if (words === 1) return levels;
    words = Math.ceil(words / 64);
  }
}

function layout(files: number, pages: number, cpus: number, pvecSize: number): ArenaPlan {
  const pstride = align(pages, 64);
  const n = files * pstride;
  const ref = HOST_BASE + 4096;
  const map = align(ref + n * 4, 64);
  const flg = align(map + n * 4, 64);
  const tag = align(flg + n, 64);
  const levels = tagLevels(pstride);
  const last = levels[levels.length - 1];
  const tagStride = last.offset + 64;
  const pvec = align(tag + files * tagStride, 64);
  const bytes = align(pvec + cpus * PV_KINDS * PV_WORDS * 4, WASM_PAGE);
  return { files, pages, cpus, pvecSize, pstride, ref, map, flg, tag, tagStride, levels, pvec, bytes };
}

/** The largest page count per file that fits in 4 GiB with these files and CPUs. */
export function maxPagesFor(files: number, cpus: number, pvecSize = 14): number {
  let lo = 0;
  let hi = Math.floor(MAX_BYTES / Math.max(1, files) / 9) + 64;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (layout(files, mid, cpus, pvecSize).bytes <= MAX_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Plans the arena; refuses, before anything is allocated, what does not fit in 4 GiB. */
export function planArena(files: number, pages: number, cpus: number, pvecSize: number): ArenaPlan {
  const plan = layout(files, pages, cpus, pvecSize);
  if (plan.bytes > MAX_BYTES || plan.levels.length > 8) {
    throw tooLarge(files, pages, cpus, plan.bytes, maxPagesFor(files, cpus, pvecSize));
  }
  return plan;
}

/** WASM memory per page of the plan (page columns and tag tree; the fixed regions excluded). */
export function bytesPerPage(plan: ArenaPlan): number {
  return (plan.pvec - plan.ref) / (plan.files * plan.pages);
}

export function headerWords(plan: ArenaPlan): number[] {
  const h = new Array<number>(HEADER_BYTES / 4).fill(0);
  h[H.NPAGES] = plan.pages;
  h[H.NFILES] = plan.files;
  h[H.NCPUS] = plan.cpus;
  h[H.PVCAP] = plan.pvecSize;
  h[H.PSTRIDE] = plan.pstride;
  h[H.REF] = plan.ref;
  h[H.MAP] = plan.map;
  h[H.FLG] = plan.flg;
  h[H.TAG] = plan.tag;
  h[H.TAGSTRIDE] = plan.tagStride;
  h[H.TAGLEVELS] = plan.levels.length;
  h[H.PVEC] = plan.pvec;
  plan.levels.forEach((l, k) => {
    h[H.LVL0 + k] = l.offset;
    h[H.LVLN + k] = l.words;
  });
  return h;
}
