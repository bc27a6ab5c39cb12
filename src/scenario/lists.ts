/** The kernel's cpulist syntax ("0-3,8,10-11") and the scenario's page specs ("a-b", n, [..], "all"). */
import { badField } from '../errors.ts';

/** Parses a cpulist into ascending, distinct CPU ids, each < ncpus. */
export function parseCpuList(field: string, list: string, ncpus: number): number[] {
  const out = new Set<number>();
  const trimmed = list.trim();
  if (trimmed === 'all') return Array.from({ length: ncpus }, (_, c) => c); // bitmap_parselist's "all"
  if (trimmed === '') throw badField(field, list, `a CPU list such as "0-3,8,10-11" with CPUs 0..${ncpus - 1}`);
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw badField(field, list, `a CPU list such as "0-3,8,10-11" or "all" (kernel cpulist syntax) with CPUs 0..${ncpus - 1}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw badField(field, list, `ranges written low-high, CPUs 0..${ncpus - 1}`);
    if (b >= ncpus) throw badField(field, list, `CPUs 0..${ncpus - 1} (the scenario has ${ncpus} CPUs)`);
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** A page spec as half-open ranges [lo, hi) of page indices < npages, merged and ascending. */
export function parsePages(field: string, spec: number | string | number[], npages: number): [number, number][] {
  const allowed = `"a-b", a page index, a list of page indices, or "all", with pages 0..${npages - 1}`;
  let ranges: [number, number][];
  if (spec === 'all') ranges = [[0, npages]];
  else if (typeof spec === 'number') ranges = [[spec, spec + 1]];
  else if (Array.isArray(spec)) ranges = spec.map((p) => [p, p + 1] as [number, number]);
  else {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
    if (!m) throw badField(field, spec, allowed);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw badField(field, spec, allowed);
    ranges = [[a, b + 1]];
  }
  for (const [, hi] of ranges) if (hi > npages) throw badField(field, spec, allowed);
  ranges.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
