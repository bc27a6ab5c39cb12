/**
 * Probe measurements as calibration cases (times in ms, docs/scenario-format.md units), and for each
 * case the scenario (docs/scenario-format.md) that reproduces it on the simulator: the measured kernel's version (default "6.18"),
 * the host's HZ, 2 CPUs (seal CPU 0, remote CPU 1), and the script ops of what the probe did.
 * The simulator's jiffies fall at multiples of 1/HZ from time 0, so each seal is placed at the
 * same offset within its jiffy as the measured one (probe tick.c).
 */
import type { Costs } from '../kernel/costs.ts';
import type { KernelVersion } from '../kernel/versions.ts';
import type { ProbeRun } from './parse.ts';
import type { DrainLine, RecheckLine, WalkLine } from './lines.ts';

export type MeasuredResult = 'ok' | 'EBUSY' | 'EPERM' | 'error';

interface CaseBase {
  id: string;
  pages: number;
  latencyMs: number;
  result: MeasuredResult;
  /** Time from the last tick to the seal call (ms); absent when the tick grid was not found. */
  startPhaseMs?: number;
}

/** Case a: pins dropped `releaseMs` after the seal call (OP2.2 re-check times). */
export interface RecheckCase extends CaseBase {
  kind: 'recheck';
  delayMs: number;
  releaseMs: number;
}

/** Case b: pages parked in the remote CPU's lru_add batch; that CPU idle, busy or rt (OP5). */
export interface DrainCase extends CaseBase {
  kind: 'drain';
  cpuClass: 'idle' | 'busy' | 'rt';
  /** How long the spinner had run when the seal began. */
  spinBeforeMs?: number;
  /** CFS spin before an RT spinner switched to SCHED_FIFO. */
  cfsLeadMs?: number;
  /** The spinner's hard cap: it stops then whatever happened. */
  spinMaxMs?: number;
  spinCapped?: boolean;
  /** Case d: queue_work -> execute_start of the remote CPU's drain work. */
  kworkerDelayMs?: number;
  /** Case d: every CPU that got lru_add_drain_per_cpu work for this seal. */
  cpusWithWork?: number[];
  /**
   * false when the pages had left the remote batch before the seal (no drain work went to the
   * remote CPU, or, untraced, the seal took under UNPARKED_MS): something else drained that CPU
   * (other load, a background drain_all). Such a seal measures nothing of case b.
   */
  parked: boolean;
}

/** An 8-page seal with no drain_all takes ~10 us; one that waits for any kworker takes > 40 us. */
export const UNPARKED_MS = 0.025;

/** Case c: an unpinned, drained file of `pages` pages (OP3.2 tag walk). */
export interface WalkCase extends CaseBase {
  kind: 'walk';
}

export type CalibrationCase = RecheckCase | DrainCase | WalkCase;

const ms = (ns: number) => ns / 1e6;

function phase(l: { startSinceTickNs?: number }): { startPhaseMs?: number } {
  return l.startSinceTickNs === undefined ? {} : { startPhaseMs: ms(l.startSinceTickNs) };
}

function recheckCase(l: RecheckLine): RecheckCase {
  return {
    id: `a/d=${l.delayMs}/rep${l.rep}`, kind: 'recheck', pages: l.pages, latencyMs: ms(l.latencyNs), result: l.result,
    ...phase(l), delayMs: l.delayMs,
    // the reader's own clock of when the pipe was empty; the planned time if it never said
    releaseMs: ms(l.releaseNs >= 0 ? l.releaseNs : l.plannedReleaseNs),
  };
}

function drainCase(l: DrainLine, run: ProbeRun): DrainCase {
  const rtTag = l.cpuClass === 'rt' ? `/pre${Math.round(ms(l.spinBeforeSealNs ?? 0))}${l.cfsLeadNs ? `/lead${Math.round(ms(l.cfsLeadNs))}` : ''}` : '';
  const c: DrainCase = {
    id: `${l.case}/${l.cpuClass}/rep${l.rep}${rtTag}`, kind: 'drain', pages: l.pages, latencyMs: ms(l.latencyNs), result: l.result,
    ...phase(l), cpuClass: l.cpuClass, parked: l.latencyNs / 1e6 >= UNPARKED_MS,
  };
  if (l.spinBeforeSealNs !== undefined && l.spinBeforeSealNs >= 0) c.spinBeforeMs = ms(l.spinBeforeSealNs);
  if (l.cfsLeadNs) c.cfsLeadMs = ms(l.cfsLeadNs);
  if (l.spinMaxNs) c.spinMaxMs = ms(l.spinMaxNs);
  if (l.spinCapped !== undefined) c.spinCapped = l.spinCapped;
  // the probe prints a seal's trace line right after its drain line, with the same latency
  const t = run.traces.find((x) => x.cpuClass === l.cpuClass && x.rep === l.rep && x.sealLatencyNs === l.latencyNs);
  if (t) {
    c.cpusWithWork = [...new Set(t.works.map((w) => w.cpu))].sort((a, b) => a - b);
    c.parked = c.cpusWithWork.includes(run.meta.remoteCpu);
    const remote = t.works.find((w) => w.cpu === run.meta.remoteCpu && w.startDelayNs >= 0);
    if (remote) c.kworkerDelayMs = ms(remote.startDelayNs);
  }
  return c;
}

function walkCase(l: WalkLine): WalkCase {
  return { id: `c/pages=${l.pages}/rep${l.rep}`, kind: 'walk', pages: l.pages, latencyMs: ms(l.latencyNs), result: l.result };
}

/** Every measurement of a probe run, in probe order within each case (drains a stop cut short are left out). */
export function probeCases(run: ProbeRun): CalibrationCase[] {
  return [
    ...run.walks.map(walkCase),
    ...run.rechecks.map(recheckCase),
    ...run.drains.filter((d) => !d.interrupted).map((d) => drainCase(d, run)),
  ];
}

// --- scenarios --------------------------------------------------------------------------------

/** The subset of docs/scenario-format.md these scenarios use (the simulator's schema checks it). */
export interface CalibrationScenario {
  name: string;
  description: string;
  kernel: KernelVersion;
  hz: number;
  cpus: number;
  files: number;
  pages: number;
  seed: number;
  horizonMs: number;
  strategies: string[];
  costs?: Partial<Costs>;
  script: ScriptOp[];
}

export type ScriptOp =
  | { atMs: number; cpu: number; op: 'write' | 'fault' | 'pin' | 'unpin' | 'unmap'; pages: string }
  | { atMs: number; cpu: number; op: 'mmapShared' | 'munmapShared' | 'seal' }
  | { atMs: number; cpu: number; op: 'cpuClass'; class: 'idle' | 'busy' | 'rt' | 'isolated'; forMs?: number };

export interface ScenarioOptions {
  hz: number;
  /** The measured kernel's version in the lab (default "6.18", the host's): a guest's 6.1 or 6.12 is modelled as itself. */
  kernel?: KernelVersion;
  /** The strategy that stands for the kernel's own seal path (default "v4.16": upstream since 4.16). */
  strategy?: string;
  /** Costs to run with (a calibration's fitted costs), written into the scenario. */
  costs?: Partial<Costs>;
}

export const SEAL_CPU = 0;
export const REMOTE_CPU = 1;

/** Round to 1 ns so scenario files stay readable and identical across runs. */
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The first time >= `earliestMs` that lies `phaseMs` after a jiffy of the scenario's HZ. */
function sealAt(hz: number, earliestMs: number, phaseMs: number | undefined): number {
  const tickMs = 1000 / hz;
  const ph = Math.min(Math.max(phaseMs ?? tickMs / 2, 0), tickMs);
  return r6(Math.ceil(earliestMs / tickMs) * tickMs + ph);
}

function recheckScript(c: RecheckCase, hz: number): { script: ScriptOp[]; horizonMs: number } {
  const pages = `0-${c.pages - 1}`;
  // the release may come before the seal call (d = 0): keep room before the seal for it
  const t = sealAt(hz, 8 + Math.max(0, -c.releaseMs), c.startPhaseMs);
  return {
    script: [
      // the probe: mmap shared, touch (fault), vmsplice (the pipe's refs = pin), munmap
      { atMs: 0, cpu: SEAL_CPU, op: 'mmapShared' },
      { atMs: 0, cpu: SEAL_CPU, op: 'fault', pages },
      { atMs: 0, cpu: SEAL_CPU, op: 'pin', pages },
      { atMs: 0, cpu: SEAL_CPU, op: 'unmap', pages },
      { atMs: 0, cpu: SEAL_CPU, op: 'munmapShared' },
      { atMs: t, cpu: SEAL_CPU, op: 'seal' },
      // the reader on the remote CPU empties the pipe: the refs go
      { atMs: r6(t + c.releaseMs), cpu: REMOTE_CPU, op: 'unpin', pages },
    ],
    horizonMs: r6(t + Math.max(c.releaseMs, 250) + 100),
  };
}

function drainScript(c: DrainCase, hz: number): { script: ScriptOp[]; horizonMs: number } {
  const pages = `0-${c.pages - 1}`;
  const before = c.spinBeforeMs ?? 0;
  const lead = c.cfsLeadMs ?? 0;
  const cap = c.spinMaxMs ?? 0;
  const t = sealAt(hz, 2 + before + lead, c.startPhaseMs);
  const spin = r6(t - before);
  // the worker writes on the remote CPU: the pages wait in its lru_add batch (A2, OP7)
  const script: ScriptOp[] = [{ atMs: 0, cpu: REMOTE_CPU, op: 'write', pages }];
  if (c.cpuClass === 'busy') {
    script.push({ atMs: spin, cpu: REMOTE_CPU, op: 'cpuClass', class: 'busy', forMs: cap || 400 });
  } else if (c.cpuClass === 'rt') {
    if (lead > 0) script.push({ atMs: r6(spin - lead), cpu: REMOTE_CPU, op: 'cpuClass', class: 'busy' });
    // the spinner stops at its cap whatever happened; the CPU is idle after it
    script.push({ atMs: spin, cpu: REMOTE_CPU, op: 'cpuClass', class: 'rt', forMs: cap || 2500 });
    script.push({ atMs: r6(spin + (cap || 2500) + 0.001), cpu: REMOTE_CPU, op: 'cpuClass', class: 'idle' });
  }
  script.push({ atMs: t, cpu: SEAL_CPU, op: 'seal' });
  return { script, horizonMs: r6(t + (c.cpuClass === 'idle' ? 0 : cap || 2500) + 100) };
}

function walkScript(c: WalkCase, hz: number): { script: ScriptOp[]; horizonMs: number } {
  // fallocate on the seal CPU: the seal's own local drain (OP3.1) empties what is left batched
  const t = sealAt(hz, 1, c.startPhaseMs);
  return {
    script: [
      { atMs: 0, cpu: SEAL_CPU, op: 'write', pages: `0-${c.pages - 1}` },
      { atMs: t, cpu: SEAL_CPU, op: 'seal' },
    ],
    horizonMs: r6(t + 100),
  };
}

/** The scenario that reproduces one measured case. */
export function caseScenario(c: CalibrationCase, o: ScenarioOptions): CalibrationScenario {
  const { script, horizonMs } =
    c.kind === 'recheck' ? recheckScript(c, o.hz) : c.kind === 'drain' ? drainScript(c, o.hz) : walkScript(c, o.hz);
  const what =
    c.kind === 'recheck' ? `pins released ${c.releaseMs.toFixed(3)} ms after the seal call`
      : c.kind === 'drain' ? `pages parked on CPU ${REMOTE_CPU}, which is ${c.cpuClass}`
        : `unpinned file of ${c.pages} pages`;
  return {
    name: `calibration ${c.id}`,
    description: `drainprobe case ${c.id}: ${what}; measured ${c.result} after ${c.latencyMs.toFixed(3)} ms`,
    kernel: o.kernel ?? '6.18',
    hz: o.hz,
    cpus: 2,
    files: 1,
    pages: c.pages,
    seed: 1,
    horizonMs,
    strategies: [o.strategy ?? 'v4.16'],
    ...(o.costs && Object.keys(o.costs).length ? { costs: { ...o.costs } } : {}),
    script,
  };
}
