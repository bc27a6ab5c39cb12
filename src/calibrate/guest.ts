/**
 * Case g (probe/case_guest.c, docs/calibration.md "Case g"): what a kernel shows even where its
 * clock cannot be trusted (a QEMU guest under TCG): which CPUs got lru_add_drain_per_cpu work,
 * when a batch drains by itself, ok or EBUSY. Each measured line becomes a GuestCase (times in
 * ms); guest-compare.ts puts the model beside it.
 */
import type { ProbeRun } from './parse.ts';
import type { GuestLine } from './lines.ts';
import type { MeasuredResult } from './cases.ts';

export type GuestTest = GuestLine['test'];

export interface GuestCase {
  /** The probe's id plus the repetition (and the try of a fill): "fill/n=31/rep0/try1". */
  id: string;
  test: GuestTest;
  /** Online CPUs of the measured kernel. */
  cpus: number;
  /** One CPU per seal, in the order of `results`. */
  sealCpus: number[];
  /** The CPUs the pages were written from. */
  parkCpus: number[];
  pagesPerCpu: number;
  pages: number;
  /** Of the pages, how many were on an LRU list before the seal; null when not read. */
  onLruBefore: number | null;
  /** fill: our pages written when the batch drained itself (0 never); null when not read. */
  drainedAt?: number | null;
  try?: number;
  /** reread: /sys/kernel/mm/lru_gen/enabled ("" without CONFIG_LRU_GEN). */
  lruGen?: string;
  /** pin: when the pins went, and (ms from the seal call) when they were planned to and did. */
  release?: NonNullable<GuestLine['release']>;
  plannedReleaseMs?: number;
  releaseMs?: number;
  results: MeasuredResult[];
  latencyMs: number[];
  /** CPUs that got lru_add_drain_per_cpu work while the seals ran; null when not traced. */
  targets: number[] | null;
  /** Time from the last tick to the first seal call (ms), when the tick grid was found. */
  startPhaseMs?: number;
}

const ms = (ns: number) => ns / 1e6;

export function guestCase(l: GuestLine): GuestCase {
  const c: GuestCase = {
    id: `${l.id}/rep${l.rep}${l.try !== undefined ? `/try${l.try}` : ''}`,
    test: l.test,
    cpus: l.cpus,
    sealCpus: l.seals.map((s) => s.cpu),
    parkCpus: l.parkCpus,
    pagesPerCpu: l.pagesPerCpu,
    pages: l.pages,
    onLruBefore: l.onLruBefore < 0 ? null : l.onLruBefore,
    results: l.seals.map((s) => s.result),
    latencyMs: l.seals.map((s) => ms(s.latencyNs)),
    targets: l.traced && l.works && !l.worksTruncated ? [...new Set(l.works.map((w) => w.cpu))].sort((a, b) => a - b) : null,
  };
  if (l.drainedAt !== undefined) c.drainedAt = l.drainedAt < 0 ? null : l.drainedAt;
  if (l.try !== undefined) c.try = l.try;
  if (l.lruGen !== undefined) c.lruGen = l.lruGen;
  if (l.release !== undefined) {
    c.release = l.release;
    if (l.plannedReleaseNs !== undefined && l.plannedReleaseNs >= 0) c.plannedReleaseMs = ms(l.plannedReleaseNs);
    if (l.releaseNs !== undefined && l.releaseNs >= 0) c.releaseMs = ms(l.releaseNs);
  }
  if (l.startSinceTickNs !== undefined) c.startPhaseMs = ms(l.startSinceTickNs);
  return c;
}

/** Every case g line of a probe run, in probe order. */
export function guestCases(run: ProbeRun): GuestCase[] {
  return run.guests.map(guestCase);
}
