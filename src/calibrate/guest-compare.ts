/**
 * Case g beside the model (docs/calibration.md "Case g"). Each measured GuestCase becomes a
 * scenario of the measured kernel (version, HZ, CPU count, multi-gen LRU on or off), the
 * simulator runs it, and the facts are compared one by one:
 * - outcomes: every seal's ok / EBUSY;
 * - drain targets: the CPUs that got lru_add_drain_per_cpu work (the model's kworker steps);
 * - fill behaviour: when the batch drained by itself (the model's PAGEVEC_SIZE) and how many of
 *   the pages were on the LRU before the seal (the model: pages minus those its tag pass found
 *   still batched);
 * - timings (one jiffy) only where the calibration file's timings are calibrated (host, KVM).
 * Pins released near the last re-check flip on timing alone; under TCG they are listed, not
 * compared. On a host marked loaded, work on CPUs that hold none of the case's pages is put
 * down to the other load (shown, not failed), as is any work for a pin case, which parks no pages; the fill case keeps its cleanest try (other
 * tasks' pages in the same batch only ever make it drain earlier).
 */
import { runScenario } from '../sim/run.ts';
import { KERNEL_CONSTANTS, MGLRU_KERNELS, type KernelVersion } from '../kernel/versions.ts';
import type { Costs } from '../kernel/costs.ts';
import type { GuestCase } from './guest.ts';
import type { MeasuredResult } from './cases.ts';

export interface GuestFacts {
  /** The lab's kernel version of the measured kernel ("6.1", "6.12", "6.18"). */
  kernel: KernelVersion;
  hz: number;
  /** The multi-gen LRU is enabled (folio_mark_accessed takes the lru_gen path). */
  mglru: boolean;
  /** false under TCG: outcomes, drain targets and fill behaviour only. */
  timings: boolean;
  /** The host was loaded while the probe ran (work on uninvolved CPUs is put down to it). */
  loaded: boolean;
  costs?: Partial<Costs>;
}

/** What the model says (or what the kernel did) for one case, in comparable form. */
export interface GuestSide {
  results: MeasuredResult[];
  latencyMs: number[];
  /** null: not traced (kernel side) */
  targets: number[] | null;
  /** fill only */
  drainedAt?: number | null;
  onLruBefore?: number | null;
}

export type GuestMatch = 'yes' | 'no' | 'not compared' | 'other load';

export interface GuestRow {
  case: string;
  test: GuestCase['test'];
  model: GuestSide;
  kernel: GuestSide;
  match: GuestMatch;
  /** What differed, or why it was not compared / what the other load did. */
  why?: string;
}

export interface GuestComparison {
  schema: 'drainlab/guest-compare@1';
  kernel: KernelVersion;
  hz: number;
  cpus: number;
  mglru: boolean;
  pagevecSize: number;
  timings: boolean;
  rows: GuestRow[];
  passed: number;
  failed: number;
  notCompared: number;
}

export { labKernel } from './file.ts';

/**
 * Whether the multi-gen LRU was on, from /sys/kernel/mm/lru_gen/enabled as the reread case read
 * it: absent ("") without CONFIG_LRU_GEN; bit 0 of the mask is the switch
 * (Documentation/admin-guide/mm/multigen_lru.rst). undefined when no reread case ran.
 */
export function mglruFromCases(cases: readonly GuestCase[]): boolean | undefined {
  const v = cases.find((c) => c.lruGen !== undefined)?.lruGen;
  if (v === undefined) return undefined;
  if (v.trim() === '') return false;
  const n = Number.parseInt(v.trim(), 16);
  return Number.isFinite(n) && (n & 1) === 1;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
type Op = Record<string, unknown>;

/** The scenario that reproduces one case g measurement on the model. */
export function guestScenario(c: GuestCase, f: GuestFacts): Record<string, unknown> {
  const tickMs = 1000 / f.hz;
  const seal = c.sealCpus[0];
  const phase = Math.min(Math.max(c.startPhaseMs ?? tickMs / 2, 0), tickMs);
  const t = r6(Math.ceil(4 / tickMs) * tickMs + phase);
  const range = (lo: number, n: number) => `${lo}-${lo + n - 1}`;
  const script: Op[] = [];
  let files = 1;
  let pages = Math.max(c.pages, 1);
  let horizon = t + 50;
  switch (c.test) {
    case 'park':
      c.parkCpus.forEach((cpu, i) => script.push({ atMs: 0, cpu, op: 'write', pages: range(i * c.pagesPerCpu, c.pagesPerCpu) }));
      script.push({ atMs: t, cpu: seal, op: 'seal' });
      break;
    case 'fill':
      script.push({ atMs: 0, cpu: c.parkCpus[0], op: 'write', pages: range(0, c.pages) });
      script.push({ atMs: t, cpu: seal, op: 'seal' });
      break;
    case 'reread': {
      const r = c.parkCpus[0];
      // written (PG_referenced), drained onto the LRU by a local drain, read again on the same CPU
      script.push({ atMs: 0, cpu: r, op: 'write', pages: range(0, c.pages) });
      script.push({ atMs: 0, cpu: r, op: 'drain' });
      script.push({ atMs: 0, cpu: r, op: 'read', pages: range(0, c.pages) });
      script.push({ atMs: t, cpu: seal, op: 'seal' });
      break;
    }
    case 'pin': {
      const all = range(0, c.pages);
      // case a's set-up: mapped shared, written, vmspliced (the pipe's refs), unmapped
      script.push({ atMs: 0, cpu: seal, op: 'mmapShared' }, { atMs: 0, cpu: seal, op: 'fault', pages: all },
        { atMs: 0, cpu: seal, op: 'pin', pages: all }, { atMs: 0, cpu: seal, op: 'unmap', pages: all },
        { atMs: 0, cpu: seal, op: 'munmapShared' }, { atMs: t, cpu: seal, op: 'seal' });
      // after-return: the pins stay past the seal's end (the model's seal is over by then)
      const rel = c.release === 'after-return' ? undefined : c.releaseMs ?? c.plannedReleaseMs;
      if (rel !== undefined) script.push({ atMs: r6(t + Math.max(rel, 0)), cpu: c.parkCpus[0] ?? seal, op: 'unpin', pages: all });
      horizon = t + Math.max(rel ?? 0, 300) + 100;
      break;
    }
    case 'concurrent': {
      files = c.sealCpus.length;
      pages = c.pages / files;
      const park = c.sealCpus.map((_, i) => c.parkCpus[c.parkCpus.length === files ? i : 0]);
      park.forEach((cpu, i) => script.push({ atMs: 0, cpu, op: 'write', file: i, pages: range(0, pages) }));
      c.sealCpus.forEach((cpu, i) => script.push({ atMs: t, cpu, op: 'seal', file: i }));
      break;
    }
  }
  return {
    name: `guest ${c.id}`,
    description: `drainprobe case g ${c.id} on ${f.kernel} (${c.cpus} CPUs, HZ ${f.hz}${f.mglru ? ', multi-gen LRU' : ''})`,
    kernel: f.kernel,
    hz: f.hz,
    cpus: c.cpus,
    files,
    pages,
    seed: 1,
    horizonMs: r6(horizon),
    strategies: ['v4.16'],
    ...(MGLRU_KERNELS.includes(f.kernel) ? { mglru: f.mglru } : {}),
    ...(f.costs && Object.keys(f.costs).length ? { costs: { ...f.costs } } : {}),
    script,
  };
}

/** The model's side of one case. */
export async function predictGuest(c: GuestCase, f: GuestFacts): Promise<GuestSide> {
  const record = await runScenario(guestScenario(c, f));
  const run = record.runs[0];
  const seals = [...run.seals].sort((a, b) => a.startMs - b.startMs || a.cpu - b.cpu);
  const targets = [...new Set((run.timeline ?? []).filter((e) => e.what === 'kworker').map((e) => e.cpu))].sort((a, b) => a - b);
  const side: GuestSide = {
    results: seals.map((s) => s.result),
    latencyMs: seals.map((s) => s.endMs - s.startMs),
    targets,
  };
  if (c.test === 'fill') {
    const P = KERNEL_CONSTANTS[f.kernel].pagevecSize;
    side.drainedAt = c.pages >= P ? P : 0;
    // the tag pass finds the pages still batched (the seal CPU's own batch is empty here)
    side.onLruBefore = c.pages - (seals[0]?.tagged ?? 0);
  }
  return side;
}

const list = (x: number[] | null) => (x === null ? 'untraced' : `[${x.join(',')}]`);

/** One line per side for the table. */
export function describeSide(s: GuestSide, test: GuestCase['test'], timings: boolean): string {
  const parts = [s.results.join('/'), `work on ${list(s.targets)}`];
  if (test === 'fill') parts.push(`drains at ${s.drainedAt === null || s.drainedAt === undefined ? '?' : s.drainedAt === 0 ? 'never' : s.drainedAt}`, `${s.onLruBefore ?? '?'} on LRU`);
  if (timings) parts.push(s.latencyMs.map((x) => `${x.toFixed(2)} ms`).join('/'));
  return parts.join('; ');
}

/** The fill try to compare: the one that drained latest (0 = never is latest), then the first. */
export function cleanestFill(tries: readonly GuestCase[]): GuestCase {
  const key = (c: GuestCase) => (c.drainedAt === 0 ? Infinity : c.drainedAt ?? -1);
  return tries.reduce((best, c) => (key(c) > key(best) ? c : best));
}

function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function judge(c: GuestCase, model: GuestSide, f: GuestFacts): { match: GuestMatch; why?: string } {
  const timingDependent = c.test === 'pin' && (c.release === 'before-last' || c.release === 'after-last');
  if (!f.timings && timingDependent) {
    return { match: 'not compared', why: 'released near the last re-check: the outcome turns on timing, and this guest\'s time is not calibrated (TCG)' };
  }
  const bad: string[] = [];
  if (!sameSet(model.results, c.results)) bad.push(`results ${c.results.join('/')}, model ${model.results.join('/')}`);
  let other: string | undefined;
  if (c.targets !== null && model.targets !== null && !sameSet(model.targets, c.targets)) {
    const missing = model.targets.filter((x) => !c.targets!.includes(x));
    const extra = c.targets.filter((x) => !model.targets!.includes(x));
    // a CPU that held pages of the case after the seal's local drain (not a sealing CPU)
    const held = (x: number) => c.parkCpus.includes(x) && !c.sealCpus.includes(x);
    if (missing.length === 0 && c.parkCpus.length === 0) {
      // the case parks no pages anywhere (pin): whatever else sat in a batch got the work
      other = `work also on [${extra.join(',')}]: this case parks no pages, so that work was for pages of other tasks`;
    } else if (missing.length === 0 && f.loaded && !extra.some(held)) {
      other = `work also on [${extra.join(',')}], which held none of the case's pages: put down to the host's other load`;
    } else {
      bad.push(`work on ${list(c.targets)}, model ${list(model.targets)}`);
    }
  }
  if (c.test === 'fill') {
    if (c.drainedAt !== null && c.drainedAt !== undefined && c.drainedAt !== model.drainedAt) bad.push(`batch drained at ${c.drainedAt || 'never'}, model ${model.drainedAt || 'never'}`);
    if (c.onLruBefore !== null && c.onLruBefore !== model.onLruBefore) bad.push(`${c.onLruBefore} on LRU, model ${model.onLruBefore}`);
  }
  if (f.timings) {
    const tick = 1000 / f.hz;
    c.latencyMs.forEach((m, i) => {
      const p = model.latencyMs[i];
      if (p !== undefined && Math.abs(p - m) > tick) bad.push(`seal ${i}: ${m.toFixed(2)} ms, model ${p.toFixed(2)} ms (tolerance one jiffy, ${tick} ms)`);
    });
  }
  if (bad.length) return { match: 'no', why: bad.join('; ') };
  return other ? { match: 'other load', why: other } : { match: 'yes' };
}

/** Every case g measurement beside the model (fill: the cleanest try of each size). */
export async function compareGuest(cases: readonly GuestCase[], f: GuestFacts): Promise<GuestComparison> {
  const picked: GuestCase[] = [];
  const fills = new Map<string, GuestCase[]>();
  for (const c of cases) {
    if (c.test !== 'fill') picked.push(c);
    else {
      const k = c.id.replace(/\/try\d+$/, '');
      if (!fills.has(k)) {
        fills.set(k, []);
        picked.push(c); // placeholder, replaced below, keeps probe order
      }
      fills.get(k)!.push(c);
    }
  }
  const rows: GuestRow[] = [];
  for (const p of picked) {
    const c = p.test === 'fill' ? cleanestFill(fills.get(p.id.replace(/\/try\d+$/, ''))!) : p;
    const model = await predictGuest(c, f);
    const kernel: GuestSide = { results: c.results, latencyMs: c.latencyMs, targets: c.targets, ...(c.test === 'fill' ? { drainedAt: c.drainedAt ?? null, onLruBefore: c.onLruBefore } : {}) };
    rows.push({ case: c.id, test: c.test, model, kernel, ...judge(c, model, f) });
  }
  const passed = rows.filter((r) => r.match === 'yes' || r.match === 'other load').length;
  const notCompared = rows.filter((r) => r.match === 'not compared').length;
  const cpus = cases[0]?.cpus ?? 0;
  return {
    schema: 'drainlab/guest-compare@1', kernel: f.kernel, hz: f.hz, cpus, mglru: f.mglru,
    pagevecSize: KERNEL_CONSTANTS[f.kernel].pagevecSize, timings: f.timings,
    rows, passed, failed: rows.length - passed - notCompared, notCompared,
  };
}
