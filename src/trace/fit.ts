/**
 * `drainlab fit-workload`: from a trace to a scenario (docs/scenario-format.md) whose generators have
 * the recorded rates. Every parameter carries its estimate, a 95 % interval, the method and the
 * events it came from (`fit.parameters`); `fit.scaling` says how the scenario was scaled to N CPUs.
 *
 * What is fitted, per recorded CPU r (docs/traces.md):
 * - page production: pages entering r's batches per ms (mm_lru_insertion bursts), batch means;
 * - class: idle / busy / rt, the largest share of r's time in sched_switch occupancy;
 * - lru_add_drain_all callers other than seals, per caller CPU: calls per ms (Poisson);
 * - seals from r: per ms (Poisson), the CPUs their drain_all queued work on, and the pins the
 *   outcomes and latencies imply (pins.ts): the share of seals that had one, and its duration.
 * Scaling rule: CPU j of the N-CPU scenario is recorded CPU j mod R; each recorded CPU's streams
 * are replicated onto every CPU of its residue class, so CPU classes keep their shares.
 */
import { batchMeansCI, poissonRateCI, slotRateCI, type RateCI } from '../stats/rates.ts';
import { normalQuantile } from '../stats/bootstrap.ts';
import { quantile } from '../stats/quantile.ts';
import { replayLayout } from '../sim/trace-source.ts';
import type { Analysis, SealObs } from './analyze.ts';
import { nearestKernel } from './analyze.ts';
import { inferPin } from './pins.ts';
import type { Scenario } from '../scenario/resolve.ts';

const ms3 = (ns: number) => Math.round(ns / 1e3) / 1e3;

export interface Parameter {
  name: string;
  unit: string;
  estimate: number;
  /** 95 % interval; null where none applies (a class, a bound). */
  ci: [number, number] | null;
  method: string;
  provenance: string;
}

export const RING_PAGES = 64;

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const ci = (r: RateCI): [number, number] => [round(r.lo), round(r.hi)];

/** Wilson score interval for k of n. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = normalQuantile(0.975);
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [round(Math.max(0, c - h)), round(Math.min(1, c + h))];
}

/** The CPUs j < n with j mod R in `recorded`, as a cpulist. */
export function replicaList(recorded: readonly number[], R: number, n: number): string {
  const out: number[] = [];
  for (let j = 0; j < n; j++) if (recorded.includes(j % R)) out.push(j);
  // compress runs
  const parts: string[] = [];
  for (let i = 0; i < out.length; ) {
    let k = i;
    while (k + 1 < out.length && out[k + 1] === out[k] + 1) k++;
    parts.push(k > i ? `${out[i]}-${out[k]}` : `${out[i]}`);
    i = k + 1;
  }
  return parts.join(',');
}

/** Pages per recorded CPU per slot, from the bursts (by the burst's time). */
export function pageSlots(a: Analysis, cpu: number, filter: (comm: string, kworker: boolean) => boolean = () => true, from: 'bursts' | 'allocs' = 'bursts'): number[] {
  const out = new Array(a.slots).fill(0);
  for (const b of a[from][cpu]) {
    if (!filter(b.comm, b.kworker)) continue;
    const k = Math.floor((b.t - a.windowNs[0]) / a.slotNs);
    if (k >= 0 && k < a.slots) out[k] += b.n;
  }
  return out;
}

export function cpuClassOf(a: Analysis, cpu: number): { cls: 'idle' | 'busy' | 'rt'; shares: Record<'idle' | 'busy' | 'rt', number> } {
  const o = a.occupancy[cpu];
  const tot = o.idleNs + o.busyNs + o.rtNs || 1;
  const shares = { idle: o.idleNs / tot, busy: o.busyNs / tot, rt: o.rtNs / tot };
  const cls = shares.rt >= 0.5 ? 'rt' : shares.busy >= 0.5 ? 'busy' : 'idle';
  return { cls, shares };
}

export interface FitOptions {
  cpus?: number;
  /** The fitted scenario's horizon (default: the trace's window, at most 3000 ms). */
  horizonMs?: number;
  comm?: string;
}

export interface FitResult {
  scenario: Record<string, unknown>;
  parameters: Parameter[];
}

export function fitWorkload(a: Analysis, o: FitOptions = {}): FitResult {
  const R = a.cpus;
  const N = o.cpus ?? R;
  const T = a.seconds * 1000; // ms
  const hz = a.trace.hz && [100, 250, 300, 1000].includes(a.trace.hz) ? a.trace.hz : 250;
  const horizonMs = o.horizonMs ?? Math.min(3000, Math.max(1, Math.round(T)));
  const P: Parameter[] = [];
  const src = `${a.trace.file} (sha256 ${a.trace.sha256.slice(0, 12)})`;
  const slotMs = a.slotNs / 1e6;

  // Page production and classes, per recorded CPU.
  const pageRates: number[] = [];
  for (let r = 0; r < R; r++) {
    const rate = slotRateCI(pageSlots(a, r), slotMs);
    pageRates.push(round(rate.estimate));
    P.push({ name: `pages.cpu${r}`, unit: 'pages/ms', estimate: round(rate.estimate), ci: ci(rate), method: `batch means over ${a.slots} slots of ${(slotMs / 1000).toFixed(2)} s, at least the Poisson interval`, provenance: `${src}: pagemap/mm_lru_insertion on CPU ${r} (every task${o.comm ? ` matching ${o.comm}` : ''}, kworkers' drains included)` });
    const byComm = new Map<string, number>();
    for (const b of a.bursts[r]) byComm.set(b.kworker ? 'kworker (drained for others)' : b.comm, (byComm.get(b.kworker ? 'kworker (drained for others)' : b.comm) ?? 0) + b.n);
    for (const [comm, n] of [...byComm.entries()].sort((x, y) => y[1] - x[1]).slice(0, 8)) {
      const rc = slotRateCI(pageSlots(a, r, (c, k) => (k ? 'kworker (drained for others)' : c) === comm), slotMs);
      P.push({ name: `pages.cpu${r}.by[${comm}]`, unit: 'pages/ms', estimate: round(rc.estimate), ci: ci(rc), method: 'batch means; pages that left a batch in this task\'s context', provenance: `${src}: ${n} pages` });
    }
    if (a.allocs.some((x) => x.length > 0)) {
    const cache = slotRateCI(pageSlots(a, r, () => true, 'allocs'), slotMs);
    P.push({ name: `alloc.cpu${r}`, unit: 'pages/ms', estimate: round(cache.estimate), ci: ci(cache), method: `batch means over ${a.slots} slots, at least the Poisson interval`, provenance: `${src}: kmem/mm_page_alloc (order 0, movable) on CPU ${r} by the recorded --comm tasks${o.comm ? ` matching ${o.comm}` : ''}` });
    const cacheBy = new Map<string, number>();
    for (const b of a.allocs[r]) cacheBy.set(b.comm, (cacheBy.get(b.comm) ?? 0) + b.n);
    for (const [comm, n] of [...cacheBy.entries()].sort((x, y) => y[1] - x[1]).slice(0, 8)) {
      const rc = slotRateCI(pageSlots(a, r, (c) => c === comm, 'allocs'), slotMs);
      P.push({ name: `alloc.cpu${r}.by[${comm}]`, unit: 'pages/ms', estimate: round(rc.estimate), ci: ci(rc), method: 'batch means', provenance: `${src}: ${n} user pages allocated by ${comm}` });
    }
    }
    const { cls, shares } = cpuClassOf(a, r);
    for (const k of ['idle', 'busy', 'rt'] as const) {
      const per = a.occupancy[r].slots.map((s) => s[`${k}Ns`] / Math.max(1, s.idleNs + s.busyNs + s.rtNs));
      const bm = batchMeansCI(per, 1);
      P.push({ name: `cpu${r}.share.${k}`, unit: 'fraction of time', estimate: round(shares[k], 4), ci: [round(Math.max(0, bm.lo), 4), round(Math.min(1, bm.hi), 4)], method: 'batch means of per-slot shares', provenance: `${src}: sched/sched_switch to and from idle (pid 0) and RT (prio < 100) tasks` });
    }
    P.push({ name: `cpu${r}.class`, unit: 'class', estimate: ['idle', 'busy', 'rt'].indexOf(cls), ci: null, method: `${cls}: rt if RT share >= 0.5, else busy if busy share >= 0.5, else idle (0 idle, 1 busy, 2 rt)`, provenance: `${src}: sched_switch` });
  }

  // Background lru_add_drain_all callers (not inside a seal), per caller CPU.
  const drainAll: { cpus: string; ratePerMs: number }[] = [];
  const callers = new Map<string, { cpu: number; comm: string; via: string; n: number; targets: number }>();
  for (const d of a.drainAlls) {
    if (d.via === 'seal') continue;
    const k = `${d.comm}@${d.cpu}`;
    const c = callers.get(k) ?? { cpu: d.cpu, comm: d.comm, via: d.via, n: 0, targets: 0 };
    c.n++;
    c.targets += d.works.length;
    callers.set(k, c);
  }
  const perCpu = new Map<number, number>();
  for (const [k, c] of callers) {
    const r = poissonRateCI(c.n, T);
    P.push({ name: `drainAll.caller[${k}]`, unit: 'calls/ms', estimate: round(r.estimate, 8), ci: ci(r), method: 'Poisson (Garwood) on the count', provenance: `${src}: ${c.n} calls via ${c.via} (workqueue_queue_work of ${'lru_add_drain_per_cpu'} by this task), ${(c.targets / c.n).toFixed(2)} CPUs queued per call` });
    perCpu.set(c.cpu, (perCpu.get(c.cpu) ?? 0) + c.n);
  }
  for (const [cpu, n] of perCpu) drainAll.push({ cpus: replicaList([cpu], R, N), ratePerMs: round(n / T, 8) });
  const fadv = new Map<string, number>();
  for (const f of a.fadvises) fadv.set(`${f.comm}@${f.cpu}`, (fadv.get(`${f.comm}@${f.cpu}`) ?? 0) + 1);
  for (const [k, n] of fadv) {
    const r = poissonRateCI(n, T);
    P.push({ name: `fadvise.caller[${k}]`, unit: 'calls/ms', estimate: round(r.estimate, 8), ci: ci(r), method: 'Poisson (Garwood) on the count', provenance: `${src}: ${n} sys_enter_fadvise64 with POSIX_FADV_DONTNEED (each may call lru_add_drain_all; the drain_all caller lines count those that queued work)` });
  }
  const delays = a.drainAlls.flatMap((d) => d.works).filter((w) => w.startNs > 0).map((w) => (w.startNs - w.queuedNs) / 1e6);
  if (delays.length) {
    P.push({ name: 'kworker.startDelay.p50', unit: 'ms', estimate: round(quantile(delays, 0.5)), ci: null, method: `median of ${delays.length} drain works`, provenance: `${src}: workqueue_queue_work -> workqueue_execute_start` });
    P.push({ name: 'kworker.startDelay.p99', unit: 'ms', estimate: round(quantile(delays, 0.99)), ci: null, method: `p99 of ${delays.length} drain works`, provenance: `${src}: workqueue_queue_work -> workqueue_execute_start` });
  }

  // Run-queue waits measured outside the seals (the replay's own rule): the scenario draws each
  // kworker start and each drain_all caller's wake-up from them.
  const all = () => true;
  const wakeups = measuredWakeups(a, all);
  for (const kind of ['kworker', 'caller'] as const) {
    const v = wakeupSamples(a, all)[kind];
    if (v.length === 0) continue;
    const m = medianCI(v);
    P.push({
      name: `wakeups.${kind}.p50`, unit: 'ms', estimate: round(m.estimate), ci: [round(m.lo), round(m.hi)],
      method: `median of ${v.length} (order-statistic 95 % interval); ${wakeups ? `the scenario draws from all ${v.length} (empirical)` : `fewer than ${MIN_WAKEUP_SAMPLES} of one kind: the scenario keeps the class rules`}`,
      provenance: `${src}: ${kind === 'kworker' ? 'workqueue_queue_work -> workqueue_execute_start of every drain work of the drain_alls outside the seals' : "the last work's workqueue_execute_end -> sys_exit_fadvise64 of the fadvise drain_alls"}`,
    });
  }

  if (R > 1) {
    wakeupSamples(a, all).kworkerByCpu.forEach((v, r) => {
      if (v.length === 0) return;
      const m = medianCI(v);
      P.push({
        name: `wakeups.kworker.cpu${r}.p50`, unit: 'ms', estimate: round(m.estimate), ci: [round(m.lo), round(m.hi)],
        method: `median of ${v.length} (order-statistic 95 % interval); ${v.length >= MIN_WAKEUP_SAMPLES ? `the scenario draws CPU ${r}'s kworker waits from these (wakeups.kworkerPerCpu)` : `fewer than ${MIN_WAKEUP_SAMPLES}: CPU ${r} draws from the pooled ones`}`,
        provenance: `${src}: workqueue_queue_work -> workqueue_execute_start of the drain works on CPU ${r} of the drain_alls outside the seals`,
      });
    });
  }

  // Buffer-head LRU fills per CPU (6.1+ drain_all queues work where it is not empty).
  const bhLookups: { cpus: string; ratePerMs: number }[] = [];
  for (let r = 0; r < R; r++) {
    const obs = bhObservations(a, r);
    if (obs.length === 0) continue;
    const e = bhRateMle(obs);
    const filled = obs.filter((x) => x.filled).length;
    // Identified only with both kinds of observation (all filled: any rate above some bound fits).
    const identified = filled >= BH_MIN_EACH && obs.length - filled >= BH_MIN_EACH;
    P.push({
      name: `bhLookups.cpu${r}`, unit: 'fills/ms', estimate: round(e.estimate, 8), ci: [round(e.lo, 8), round(e.hi, 8)],
      method: `maximum likelihood, likelihood-ratio 95 % interval: a pass that reached CPU ${r} and moved no page found its bh LRU filled, one that did not reach it found it empty, each after the time since CPU ${r}'s previous drain work (Poisson fills: P(filled) = 1 - exp(-rate x time)); ${filled} filled of ${obs.length} (passes whose work there moved pages say nothing)`,
      provenance: `${src}: workqueue_queue_work targets and execute_start/end on CPU ${r}, kworker mm_lru_insertion/mm_lru_activate between them (a work that moved nothing found only per-CPU state no event shows: the bh LRU, v5.15+)${identified ? '' : `; not identified (fewer than ${BH_MIN_EACH} filled or empty): no generator`}`,
    });
    if (identified && e.estimate > 0) bhLookups.push({ cpus: replicaList([r], R, N), ratePerMs: round(e.estimate, 8) });
  }

  // Seals per sealing CPU, and the pins they imply.
  const lifecycles: Record<string, unknown>[] = [];
  const sealsByCpu = new Map<number, SealObs[]>();
  for (const s of a.seals) if (s.result !== 'unfinished') sealsByCpu.set(s.cpu, [...(sealsByCpu.get(s.cpu) ?? []), s]);
  const blocks = Math.ceil(N / R);
  let nextFile = replayLayout({ source: '', recordedCpus: R, pages: [], drainAll: [], seals: [] }, N).files;
  for (const [cpu, seals] of [...sealsByCpu.entries()].sort((x, y) => x[0] - y[0])) {
    const n = seals.length;
    const rate = poissonRateCI(n, T);
    P.push({ name: `seals.cpu${cpu}`, unit: 'seals/ms', estimate: round(rate.estimate, 8), ci: ci(rate), method: 'Poisson (Garwood) on the count', provenance: `${src}: ${n} fcntl(F_ADD_SEALS) from CPU ${cpu}` });
    const ok = seals.filter((s) => s.result === 'ok').length;
    const ebusy = seals.filter((s) => s.result === 'EBUSY').length;
    P.push({ name: `seals.cpu${cpu}.okShare`, unit: 'fraction', estimate: round(ok / n, 4), ci: wilson(ok, n), method: 'Wilson', provenance: `${src}: sys_exit_fcntl ret 0 (${ok}), -EBUSY (${ebusy})` });
    const lat = seals.map((s) => s.latencyNs / 1e6);
    P.push({ name: `seals.cpu${cpu}.latency.p50`, unit: 'ms', estimate: round(quantile(lat, 0.5)), ci: null, method: `median of ${n}`, provenance: `${src}: sys_enter_fcntl -> sys_exit_fcntl` });
    P.push({ name: `seals.cpu${cpu}.latency.max`, unit: 'ms', estimate: round(Math.max(...lat)), ci: null, method: `max of ${n}`, provenance: `${src}: sys_enter_fcntl -> sys_exit_fcntl` });
    const withDrain = seals.filter((s) => s.drainAlls.length > 0).length;
    P.push({ name: `seals.cpu${cpu}.drainAllShare`, unit: 'fraction', estimate: round(withDrain / n, 4), ci: wilson(withDrain, n), method: 'Wilson', provenance: `${src}: seals whose fcntl queued lru_add_drain_per_cpu work` });
    const remote = new Map<number, number>();
    for (const s of seals) for (const t of new Set(s.drainAlls.flatMap((d) => d.works.map((w) => w.target)))) if (t !== cpu) remote.set(t, (remote.get(t) ?? 0) + 1);
    const writers = [...remote.keys()].sort((x, y) => x - y);
    const pins = seals.map((s) => inferPin(s, hz));
    const released = pins.filter((p) => p.kind === 'released');
    const held = pins.filter((p) => p.kind === 'held');
    P.push({ name: `seals.cpu${cpu}.pinnedShare`, unit: 'fraction', estimate: round((released.length + held.length) / n, 4), ci: wilson(released.length + held.length, n), method: 'Wilson; a seal is pinned when it ended more than a jiffy after its drain (pins.ts)', provenance: `${src}: latencies and outcomes (GUP pins are not traced)` });
    const kinds: { k: 'none' | 'released' | 'held'; count: number; duration?: Record<string, unknown> }[] = [{ k: 'none', count: n - released.length - held.length }];
    if (released.length) {
      const lo = Math.max(...released.map((p) => p.loMs));
      const hi = Math.min(...released.map((p) => p.hiMs));
      const overlap = lo <= hi;
      const dist = overlap ? { dist: 'fixed', ms: round((lo + hi) / 2, 3) } : { dist: 'uniform', minMs: round(Math.min(...released.map((p) => p.loMs)), 3), maxMs: round(Math.max(...released.map((p) => p.hiMs)), 3) };
      P.push({ name: `seals.cpu${cpu}.pinDuration`, unit: 'ms', estimate: overlap ? round((lo + hi) / 2, 3) : round(released.reduce((x, p) => x + p.replayMs, 0) / released.length, 3), ci: overlap ? [round(lo, 3), round(hi, 3)] : [round(Math.min(...released.map((p) => p.loMs)), 3), round(Math.max(...released.map((p) => p.hiMs)), 3)], method: overlap ? `every released pin's interval [re-check before the last, seal end] contains this range (${released.length} seals)` : `the intervals do not overlap: uniform over their union (${released.length} seals)`, provenance: `${src}: ok seals that waited in the re-check loop` });
      kinds.push({ k: 'released', count: released.length, duration: dist });
    }
    if (held.length) {
      const lo = Math.max(...held.map((p) => p.loMs));
      P.push({ name: `seals.cpu${cpu}.heldPinDuration.lowerBound`, unit: 'ms', estimate: round(lo, 3), ci: null, method: `EBUSY: the pin outlived the seal (right-censored; ${held.length} seals); the scenario holds it ${1000} ms longer`, provenance: `${src}: EBUSY seals` });
      kinds.push({ k: 'held', count: held.length, duration: { dist: 'fixed', ms: round(lo + 1000, 3) } });
    }
    for (const kind of kinds) {
      if (kind.count === 0) continue;
      const sealCpus = replicaList([cpu], R, N);
      const nSealCpus = sealCpus.split(',').reduce((x, part) => x + (part.includes('-') ? Number(part.split('-')[1]) - Number(part.split('-')[0]) + 1 : 1), 0);
      const ratePerMs = kind.count / T;
      const mean = ratePerMs * horizonMs * nSealCpus;
      const files = Math.ceil(mean + 5 * Math.sqrt(mean) + 10);
      lifecycles.push({
        sealCpus,
        writerCpus: writers.length ? replicaList(writers, R, N) : sealCpus,
        ratePerMs: round(ratePerMs, 8),
        files: `${nextFile}-${nextFile + files - 1}`,
        writePages: 1,
        pinPages: kind.k === 'none' ? 0 : 1,
        ...(kind.duration ? { pinDuration: kind.duration } : {}),
        delayMs: 0.01,
      });
      nextFile += files;
    }
  }

  const classes = new Map<string, number[]>();
  for (let r = 0; r < R; r++) {
    const { cls } = cpuClassOf(a, r);
    classes.set(cls, [...(classes.get(cls) ?? []), r]);
  }
  const scenario: Record<string, unknown> = {
    name: `fit-${a.trace.file.replace(/\.jsonl(\.gz)?$/, '')}`,
    description: `Fitted by drainlab fit-workload from ${a.trace.file}: ${R} recorded CPUs (kernel ${a.trace.kernel}, HZ ${a.trace.hz ?? '?'}) over ${a.seconds.toFixed(1)} s, scaled to ${N} CPUs (CPU j replays recorded CPU j mod ${R}).`,
    kernel: nearestKernel(a.trace.kernel),
    hz,
    cpus: N,
    files: nextFile,
    pages: Math.max(RING_PAGES, R + 1),
    seed: 1,
    horizonMs,
    cpuClasses: [...classes.entries()].filter(([c]) => c !== 'idle').map(([c, rs]) => ({ cpus: replicaList(rs, R, N), class: c })),
    ...(wakeups ? { wakeups } : {}),
    workload: {
      drainAll,
      lifecycles,
      ...(bhLookups.length ? { bhLookups } : {}),
      replay: { source: src, recordedCpus: R, pages: [], pageRates, drainAll: [], seals: [] },
    },
    fit: {
      source: src,
      window: { seconds: round(a.seconds, 3), lostEvents: a.trace.lost, complete: a.trace.complete },
      parameters: P,
      scaling: {
        recordedCpus: R,
        cpus: N,
        blocks,
        rule: `CPU j of ${N} replays recorded CPU j mod ${R}: page rates, CPU class, drain_all callers and seals are replicated per residue class (drainlab fit-workload TRACE --cpus N rescales)`,
      },
    },
  };
  return { scenario, parameters: P };
}

/** Fewest observations of each wake-up kind before the replay uses them instead of the class rules. */
export const MIN_WAKEUP_SAMPLES = 20;

/**
 * The recorded machine's run-queue waits, measured on the drain_all calls OUTSIDE the seals (so
 * the seals' own latencies stay out of sample): queue_work -> the kworker's execute_start for
 * every drain work, and the last work's execute_end -> the fadvise caller's return. On a loaded
 * machine both are far longer than the quiet-machine class rules (a woken task queues behind
 * other runnable ones); the replay draws each wake-up from them (scenario `wakeups`).
 */
export function measuredWakeups(a: Analysis, inWindow: (tNs: number) => boolean): Scenario['wakeups'] | undefined {
  const { kworker, caller, kworkerByCpu } = wakeupSamples(a, inWindow);
  if (kworker.length < MIN_WAKEUP_SAMPLES || caller.length < MIN_WAKEUP_SAMPLES) return undefined;
  const sorted = (v: number[]) => [...v].sort((x, y) => x - y);
  // Each recorded CPU's own waits where it has enough of them (its run queue is its own: on one
  // trace a work on the workload's CPU 1 waited p50 1.1 ms for its kworker, on CPU 0 0.011 ms);
  // the pooled ones for a CPU with fewer.
  const own = kworkerByCpu.map((v) => v.length >= MIN_WAKEUP_SAMPLES);
  const perCpu = own.some((x) => x) && kworkerByCpu.length > 1
    ? { kworkerPerCpu: kworkerByCpu.map((v, r) => ({ dist: 'empirical' as const, samplesMs: sorted(own[r] ? v : kworker) })) }
    : {};
  return { kworker: { dist: 'empirical', samplesMs: sorted(kworker) }, ...perCpu, caller: { dist: 'empirical', samplesMs: sorted(caller) } };
}

/** The samples measuredWakeups draws on (ms, in trace order). */
export function wakeupSamples(a: Analysis, inWindow: (tNs: number) => boolean): { kworker: number[]; caller: number[]; kworkerByCpu: number[][] } {
  const outside = a.drainAlls.filter((d) => d.via !== 'seal' && inWindow(d.t));
  const kworker = outside.flatMap((d) => d.works.filter((w) => w.startNs >= w.queuedNs).map((w) => ms3(w.startNs - w.queuedNs)));
  const kworkerByCpu: number[][] = Array.from({ length: a.cpus }, () => []);
  for (const d of outside) for (const w of d.works) if (w.startNs >= w.queuedNs && w.target < a.cpus) kworkerByCpu[w.target].push(ms3(w.startNs - w.queuedNs));
  const caller = outside
    .filter((d) => d.via === 'fadvise' && d.returnNs > 0 && d.works.length > 0 && d.works.every((w) => w.endNs > 0))
    .map((d) => ms3(Math.max(0, d.returnNs - Math.max(...d.works.map((w) => w.endNs)))));
  return { kworker, caller, kworkerByCpu };
}

/** Fewest filled, and fewest empty, observations of a CPU's bh LRU before fit-workload gives it a bhLookups generator. */
export const BH_MIN_EACH = 3;

/** The median and its distribution-free 95 % interval (order statistics, binomial ranks). */
export function medianCI(v: number[]): { estimate: number; lo: number; hi: number } {
  const x = [...v].sort((p, q) => p - q);
  const n = x.length;
  const h = (1.959964 * Math.sqrt(n)) / 2;
  const lo = Math.max(0, Math.floor(n / 2 - h));
  const hi = Math.min(n - 1, Math.ceil(n / 2 + h) - 1);
  return { estimate: quantile(x, 0.5), lo: x[lo], hi: x[hi] };
}

/**
 * What the trace says about CPU r's bh LRU at each drain_all pass with work somewhere (the pass
 * scanned r then): filled when its work on r moved no page (no kworker burst on r between
 * execute_start and execute_end: only state no event shows sent it there, the bh LRU from v5.15;
 * the mlock batch and the other folio batches leave no burst either, so this is an upper bound;
 * a work with any task's burst on r between its queue_work and its start says nothing: pages may
 * have sent it there and left before it ran);
 * empty when it queued nothing on r; nothing when its work moved pages. `tauMs`: time since r's
 * previous drain work ended (which emptied the bh LRU), or since the window began.
 */
export function bhObservations(a: Analysis, r: number): { tauMs: number; filled: boolean }[] {
  const [t0, t1] = a.windowNs;
  const passes = a.drainAlls.filter((d) => d.works.length > 0 && d.t >= t0 && d.t <= t1).sort((x, y) => x.t - y.t);
  const ends = a.drainAlls.flatMap((d) => d.works).filter((w) => w.target === r && w.endNs > 0).map((w) => w.endNs).sort((x, y) => x - y);
  const moved = (from: number, to: number) =>
    [a.bursts[r], a.activations[r]].some((bs) => bs.some((b) => b.kworker && b.t >= from && b.t <= to + 1000));
  const out: { tauMs: number; filled: boolean }[] = [];
  let cleared = t0;
  let k = 0;
  for (const d of passes) {
    while (k < ends.length && ends[k] < d.t) cleared = Math.max(cleared, ends[k++]);
    const tau = (d.t - cleared) / 1e6;
    if (tau <= 0) continue;
    const w = d.works.find((x) => x.target === r);
    if (!w) out.push({ tauMs: tau, filled: false });
    // a burst on r between queue_work and execute_start: pages may have sent the work there and
    // left the batch before the kworker came (nothing said about the bh LRU)
    else if (w.startNs > 0 && w.endNs > 0 && !moved(w.startNs, w.endNs) && !a.anyBurstNs[r].some((t) => t >= w.queuedNs - 1000 && t < w.startNs)) out.push({ tauMs: tau, filled: true });
  }
  return out;
}

/**
 * The Poisson fill rate of a bh LRU from such observations: P(filled after tau) = 1 - exp(-rate tau).
 * Maximum likelihood, with the likelihood-ratio 95 % interval (chi-square 1 df: 3.841).
 */
export function bhRateMle(obs: { tauMs: number; filled: boolean }[]): { estimate: number; lo: number; hi: number } {
  const ll = (lam: number) => obs.reduce((s, o) => s + (o.filled ? Math.log(-Math.expm1(-lam * o.tauMs)) : -lam * o.tauMs), 0);
  const LO = 1e-9;
  const HI = 1e3;
  // log-likelihood is concave in rate: golden-section search on log(rate)
  let a = Math.log(LO);
  let b = Math.log(HI);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 200; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (ll(Math.exp(c)) >= ll(Math.exp(d))) b = d;
    else a = c;
  }
  let est = Math.exp((a + b) / 2);
  if (!obs.some((o) => o.filled)) est = 0;
  const top = est > 0 ? ll(est) : 0;
  const inside = (lam: number) => 2 * (top - ll(lam)) <= 3.841;
  const edge = (from: number, to: number) => {
    // bisection on log scale between a point inside (from) and one outside (to)
    let p = Math.log(from);
    let q = Math.log(to);
    for (let i = 0; i < 100; i++) {
      const m = (p + q) / 2;
      if (inside(Math.exp(m))) p = m;
      else q = m;
    }
    return Math.exp(p);
  };
  const lo = est > 0 && !inside(LO) ? edge(est, LO) : 0;
  const hi = inside(HI) ? HI : edge(Math.max(est, LO), HI);
  return { estimate: est, lo, hi };
}
