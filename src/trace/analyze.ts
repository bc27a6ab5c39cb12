/**
 * From a drainlab/trace@1 file to what happened, in the model's terms: the seals (start, end,
 * result, the drain work their lru_add_drain_all queued), the other lru_add_drain_all calls (who
 * called, which CPUs got work, the kworkers' delays), page production per CPU (bursts of pages
 * leaving a batch), and what ran on each CPU (idle, busy, RT time from sched_switch).
 * Both fit-workload and replay read a trace only through this module.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, constants as zc } from 'node:zlib';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UsageError } from '../errors.ts';
import { TRACE_SCHEMA, type TraceEvent, type TraceFooter, type TraceHeader } from './format.ts';

export interface Trace {
  path: string;
  sha256: string;
  header: TraceHeader;
  /** Absent when the file was cut short (a killed recorder): the window then ends at the last event. */
  footer: TraceFooter | undefined;
  events: TraceEvent[];
}

/** Reads a trace (gzip'd or plain JSON lines); a torn last line of a cut-short file is dropped. */
export function readTrace(path: string): Trace {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');
  let text: string;
  try {
    text = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf, { finishFlush: zc.Z_SYNC_FLUSH }).toString('utf8') : buf.toString('utf8');
  } catch (e) {
    throw new UsageError(`${path}: not a gzip'd drainlab trace (${(e as Error).message})`);
  }
  const lines = text.split('\n');
  let header: TraceHeader | undefined;
  let footer: TraceFooter | undefined;
  const events: TraceEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l) continue;
    let o: { type?: string; e?: string };
    try {
      o = JSON.parse(l);
    } catch {
      if (i >= lines.length - 2) break; // a torn last line
      throw new UsageError(`${path}:${i + 1}: not JSON`);
    }
    if (o.type === 'header') header = o as TraceHeader;
    else if (o.type === 'footer') footer = o as TraceFooter;
    else if (o.e) events.push(o as TraceEvent);
  }
  if (!header || header.schema !== TRACE_SCHEMA) throw new UsageError(`${path}: not a ${TRACE_SCHEMA} file (no header line with that schema)`);
  events.sort((a, b) => a.t - b.t); // bursts are written when they end
  return { path, sha256, header, footer, events };
}

export type SealResult = 'ok' | 'EBUSY' | 'EPERM' | 'error' | 'unfinished';

export interface DrainWorkObs {
  target: number;
  queuedNs: number;
  /** When the kworker started and ended it (-1: not seen in the window). */
  startNs: number;
  endNs: number;
}

export interface DrainAllObs {
  pid: number;
  comm: string;
  cpu: number;
  /** The first queue_work of the call. */
  t: number;
  works: DrainWorkObs[];
  /** What the caller was doing: a seal (F_ADD_SEALS), fadvise(DONTNEED), or another path. */
  via: 'seal' | 'fadvise' | 'other';
  /** When the caller's syscall returned (seals and fadvise; -1: not seen). */
  returnNs: number;
}

export interface SealObs {
  pid: number;
  comm: string;
  cpu: number;
  startNs: number;
  endNs: number;
  latencyNs: number;
  result: SealResult;
  ret: number;
  /** lru_add_drain_all calls made inside this fcntl (6.18: at most one, on scan 0). */
  drainAlls: DrainAllObs[];
}

export interface Burst {
  cpu: number;
  t: number;
  t1: number;
  n: number;
  comm: string;
  pid: number;
  kworker: boolean;
}

export interface CpuOccupancy {
  cpu: number;
  idleNs: number;
  busyNs: number;
  rtNs: number;
  /** The same per slot of the window (Analysis.slotNs each), for batch-means intervals. */
  slots: { idleNs: number; busyNs: number; rtNs: number }[];
}

export interface Analysis {
  trace: { file: string; sha256: string; kernel: string; hz: number | null; cpus: number; lost: number; interrupted: boolean; complete: boolean };
  windowNs: [number, number];
  seconds: number;
  /** The window cut into equal slots (5..40 of them, about a second each) for batch-means intervals. */
  slotNs: number;
  slots: number;
  cpus: number;
  seals: SealObs[];
  drainAlls: DrainAllObs[];
  /** fadvise(POSIX_FADV_DONTNEED) calls (each may call lru_add_drain_all). */
  fadvises: { pid: number; comm: string; cpu: number; t: number }[];
  /** Per CPU, the bursts of pages that left a batch (insertions), in time order. */
  bursts: Burst[][];
  /** Per CPU, when any task's burst (insertion or activation) left a batch, whoever it was (sorted). */
  anyBurstNs: number[][];
  /** Per CPU, the bursts of pages that left an activate batch (mm_lru_activate), in time order. */
  activations: Burst[][];
  /** Per CPU, the user pages the --comm tasks allocated (recorded only with record --comm). */
  allocs: Burst[][];
  occupancy: CpuOccupancy[];
}

const isKworker = (comm: string) => comm.startsWith('kworker/');

/** True when `comm` matches a shell-style pattern (`*`, `?`), as the kernel's `comm ~` filter does. */
export function commMatches(comm: string, pattern: string | undefined): boolean {
  if (!pattern) return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(comm);
}

/**
 * The trace in the model's terms. `comm` keeps only the seals, drain_all callers and page
 * producers of tasks whose name matches (kworkers' drains are kept: they drain whatever the
 * batch held, whoever put it there).
 */
export function analyze(t: Trace, comm?: string): Analysis {
  const p = t.header.provenance;
  const ev = t.events;
  const start = t.footer?.startNs ?? ev[0]?.t ?? 0;
  const end = t.footer?.endNs ?? ev[ev.length - 1]?.t ?? start;
  const cpus = p.cpus;

  // lru_add_drain_all calls: consecutive queue_work of the drain function by one task.
  const works = new Map<string, DrainWorkObs[]>(); // work struct -> works waiting for their start/end
  const drainAlls: DrainAllObs[] = [];
  const openCall = new Map<number, DrainAllObs>();
  const inSeal = new Map<number, SealObs>();
  const inFadvise = new Set<number>();
  const seals: SealObs[] = [];
  const fadvises: Analysis['fadvises'] = [];
  const bursts: Burst[][] = Array.from({ length: cpus }, () => []);
  const allocs: Burst[][] = Array.from({ length: cpus }, () => []);
  const activations: Burst[][] = Array.from({ length: cpus }, () => []);
  const anyBurstNs: number[][] = Array.from({ length: cpus }, () => []);
  const state: ('idle' | 'busy' | 'rt' | undefined)[] = new Array(cpus).fill(undefined);
  const since: number[] = new Array(cpus).fill(start);
  const nSlots = Math.min(40, Math.max(5, Math.round((end - start) / 1e9)));
  const slotNs = Math.max(1, (end - start) / nSlots);
  const occ: CpuOccupancy[] = Array.from({ length: cpus }, (_, cpu) => ({
    cpu, idleNs: 0, busyNs: 0, rtNs: 0, slots: Array.from({ length: nSlots }, () => ({ idleNs: 0, busyNs: 0, rtNs: 0 })),
  }));
  const key = (s: 'idle' | 'busy' | 'rt') => (s === 'idle' ? 'idleNs' : s === 'rt' ? 'rtNs' : 'busyNs');
  const account = (cpu: number, until: number, s: 'idle' | 'busy' | 'rt') => {
    let a = Math.max(since[cpu], start);
    const b = Math.min(until, end);
    while (a < b) {
      const k = Math.min(nSlots - 1, Math.floor((a - start) / slotNs));
      const slotEnd = Math.min(b, start + (k + 1) * slotNs);
      const d = Math.max(0, slotEnd - a);
      occ[cpu][key(s)] += d;
      occ[cpu].slots[k][key(s)] += d;
      if (slotEnd <= a) break;
      a = slotEnd;
    }
    since[cpu] = until;
  };
  const cls = (pid: number, prio: number) => (pid === 0 ? 'idle' : prio < 100 ? 'rt' : 'busy');

  for (const e of ev) {
    if (e.cpu >= cpus) continue;
    // after the window only the ends of what began inside it count (the helper drains its buffer after the stop)
    if (e.t > end && e.e !== 'sealExit' && e.e !== 'drainStart' && e.e !== 'drainEnd' && e.e !== 'fadviseExit') continue;
    switch (e.e) {
      case 'seal': {
        if (!commMatches(e.comm, comm)) break;
        const s: SealObs = { pid: e.pid, comm: e.comm, cpu: e.cpu, startNs: e.t, endNs: -1, latencyNs: -1, result: 'unfinished', ret: 0, drainAlls: [] };
        inSeal.set(e.pid, s);
        seals.push(s);
        break;
      }
      case 'sealExit': {
        const s = inSeal.get(e.pid);
        if (!s) break;
        inSeal.delete(e.pid);
        s.endNs = e.t;
        s.latencyNs = e.t - s.startNs;
        s.ret = e.ret;
        s.result = e.ret === 0 ? 'ok' : e.ret === -16 ? 'EBUSY' : e.ret === -1 ? 'EPERM' : 'error';
        for (const d of s.drainAlls) d.returnNs = e.t;
        openCall.delete(e.pid);
        break;
      }
      case 'fadvise':
        inFadvise.add(e.pid);
        if (commMatches(e.comm, comm) && e.t >= start) fadvises.push({ pid: e.pid, comm: e.comm, cpu: e.cpu, t: e.t });
        break;
      case 'fadviseExit': {
        inFadvise.delete(e.pid);
        const call = openCall.get(e.pid);
        if (call && call.via === 'fadvise') call.returnNs = e.t;
        openCall.delete(e.pid);
        break;
      }
      case 'drainQueue': {
        if (!commMatches(e.comm, comm) && !inSeal.has(e.pid)) break;
        let call = openCall.get(e.pid);
        // A new call when this task's previous one queued more than 1 ms ago or already queued this CPU.
        if (!call || e.t - call.works[call.works.length - 1].queuedNs > 1e6 || call.works.some((w) => w.target === e.target)) {
          call = { pid: e.pid, comm: e.comm, cpu: e.cpu, t: e.t, works: [], via: inSeal.has(e.pid) ? 'seal' : inFadvise.has(e.pid) ? 'fadvise' : 'other', returnNs: -1 };
          openCall.set(e.pid, call);
          drainAlls.push(call);
          inSeal.get(e.pid)?.drainAlls.push(call);
        }
        const w: DrainWorkObs = { target: e.target, queuedNs: e.t, startNs: -1, endNs: -1 };
        call.works.push(w);
        const q = works.get(e.work) ?? [];
        q.push(w);
        works.set(e.work, q);
        break;
      }
      case 'drainStart': {
        const w = works.get(e.work)?.find((x) => x.startNs < 0);
        if (w) w.startNs = e.t;
        break;
      }
      case 'drainEnd': {
        const q = works.get(e.work);
        const i = q ? q.findIndex((x) => x.startNs >= 0 && x.endNs < 0) : -1;
        if (q && i >= 0) {
          q[i].endNs = e.t;
          q.splice(i, 1);
        }
        break;
      }
      case 'lruInsert':
        anyBurstNs[e.cpu].push(e.t);
        if (isKworker(e.comm) || commMatches(e.comm, comm)) bursts[e.cpu].push({ cpu: e.cpu, t: e.t, t1: e.t1, n: e.n, comm: e.comm, pid: e.pid, kworker: isKworker(e.comm) });
        break;
      case 'lruActivate':
        anyBurstNs[e.cpu].push(e.t);
        if (isKworker(e.comm) || commMatches(e.comm, comm)) activations[e.cpu].push({ cpu: e.cpu, t: e.t, t1: e.t1, n: e.n, comm: e.comm, pid: e.pid, kworker: isKworker(e.comm) });
        break;
      case 'pageAlloc':
        if (commMatches(e.comm, comm) && e.t >= start) allocs[e.cpu].push({ cpu: e.cpu, t: e.t, t1: e.t1, n: e.n, comm: e.comm, pid: e.pid, kworker: isKworker(e.comm) });
        break;
      case 'switch': {
        const prev = state[e.cpu] ?? cls(e.prevPid, e.prevPrio);
        account(e.cpu, e.t, prev);
        state[e.cpu] = cls(e.nextPid, e.nextPrio);
        break;
      }
      default:
        break;
    }
  }
  for (let c = 0; c < cpus; c++) account(c, end, state[c] ?? 'busy');
  for (const b of bursts) b.sort((x, y) => x.t1 - y.t1);
  for (const b of activations) b.sort((x, y) => x.t1 - y.t1);
  const lost = t.footer?.lost.total ?? 0;
  return {
    trace: { file: basename(t.path), sha256: t.sha256, kernel: p.kernel, hz: p.hz, cpus, lost, interrupted: t.footer?.interrupted ?? true, complete: !!t.footer && lost === 0 },
    windowNs: [start, end],
    seconds: (end - start) / 1e9,
    slotNs,
    slots: nSlots,
    cpus,
    seals: seals.filter((s) => s.startNs >= start),
    drainAlls,
    fadvises,
    bursts,
    activations,
    anyBurstNs,
    allocs,
    occupancy: occ,
  };
}

/** The drainlab kernel version closest to a kernel release ("6.18.44-fc" -> "6.18"). */
export function nearestKernel(release: string): '4.14' | '4.16' | '5.10' | '6.9' | '6.18' {
  const m = /^(\d+)\.(\d+)/.exec(release);
  const v = m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
  if (v >= 6018) return '6.18';
  if (v >= 6009) return '6.9';
  if (v >= 5010) return '5.10';
  if (v >= 4016) return '4.16';
  return '4.14';
}
