/**
 * Probe measurements -> the model's costs (src/kernel/costs.ts names, nanoseconds) plus what
 * the fit learned about the mechanisms. Each fit says where it comes from:
 * - timerSlackNs (case a): how long after the tick that ends a sleep the seal returns (OP2.2b).
 * - tagWalkNsPerPage (case c): least-squares slope of seal latency on file size, through the
 *   median of the repetitions of each size (OP3.2).
 * - kworkerIdleWakeNs (b idle; d when traced): queue_work -> the kworker running (OP5.4-5).
 * - kworkerBusyMaxNs (b busy): a CFS kworker runs at its wakeup or at the remote CPU's next tick.
 * - rtRuntimeNs / rtPeriodNs (b rt): RT time the spinner had used when the kworker got in, and
 *   the sysctl period; or a note that the fair dl-server governs (no cost models that yet).
 */
import { fmtMs as fmtTime } from '../io/format.ts';
import { median } from '../stats/index.ts';
import { DEFAULT_COSTS, type Costs } from '../kernel/costs.ts';
import type { ProbeRun } from './parse.ts';
import type { HostInfo } from './host.ts';
import { probeCases, type DrainCase } from './cases.ts';
import { leastSquares } from './regress.ts';
import { hostVerdict, type HostLoad } from '../io/host-load.ts';
import { recheckTicks } from './ticks.ts';

export type RtGovernor = 'rt-throttling' | 'dl-server' | 'unclear';

export interface FitDerived {
  tickNs?: number;
  /** Re-check tick indices: the bare formula (C2), with the wheel round-up, and what was seen. */
  recheckTicks?: { formula: number[]; wheel: number[]; observed: Record<string, number>; onWheel: number; total: number };
  timerSlack?: { medianNs: number; p90Ns: number; n: number };
  tagWalk?: { slopeNs: number; interceptNs: number; r2: number; n: number; nsPerPageBySize: { pages: number; nsPerPage: number }[] };
  drainLatency?: Partial<Record<'idle' | 'busy' | 'rt', { medianMs: number; maxMs: number; n: number }>>;
  kworkerIdle?: { source: 'trace' | 'latency'; medianNs: number; n: number };
  kworkerBusy?: { source: 'trace' | 'latency'; immediate: number; waited: number; waitsEndingAtTick: number; maxDelayNs: number; meanDelayNs: number };
  rt?: {
    governs: RtGovernor;
    /** RT time the spinner had used when its CPU's kworker ran, per run (ns). */
    rtUsedAtKworkerNs: number[];
    /** The same for runs with a CFS lead-in before the spinner went SCHED_FIFO. */
    rtUsedWithLeadNs: number[];
    sysctlRuntimeNs: number;
    sysctlPeriodNs: number;
    capped: number;
  };
  /** Case d: how often each CPU got lru_add_drain_per_cpu work for a seal (of `seals`). */
  drainWorkCpus?: { seals: number; byCpu: Record<string, number> };
}

export interface FitResult {
  costs: Partial<Costs>;
  notes: string[];
  derived: FitDerived;
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] : NaN;
};
/** ns in the lab's one time formatter (src/io/format.ts). */
const fmtMs = (ns: number) => fmtTime(ns / 1e6);
const fmtUs = (ns: number) => `${(ns / 1e3).toFixed(1)} us`;

/** Wraps a position in the tick into [-tick/2, tick/2): a wake-up just before our tick estimate. */
const wrap = (x: number, tick: number) => (x >= tick / 2 ? x - tick : x);

/** Model time a seal spends besides the kworker's delay, for pages parked on one remote CPU (OP1-OP5). */
function drainOverheadNs(pages: number, cpus: number, c: Partial<Costs>): number {
  const k = { ...DEFAULT_COSTS, ...c };
  return k.sealSyscallNs + pages * (k.tagWalkNsPerPage + k.tagSetNs + k.recheckNsPerTagged + k.drainNsPerPage)
    + cpus * k.drainAllScanNsPerCpu + k.queueWorkNs + k.drainFixedNs + k.flushWakeNs;
}

function fitRechecks(run: ProbeRun, hz: number, tick: number, out: FitResult): void {
  const woke = run.rechecks.filter((r) => r.result !== 'error' && r.latencyNs > tick / 2 && r.endSinceTickNs !== undefined && r.startSinceTickNs !== undefined);
  if (woke.length === 0) return;
  const slack: number[] = [];
  const observed: Record<string, number> = {};
  const wheel = recheckTicks(hz, 1);
  let onWheel = 0;
  for (const r of woke) {
    const end = wrap(r.endSinceTickNs!, tick);
    slack.push(end);
    const ticks = Math.round((r.latencyNs + r.startSinceTickNs! - end) / tick);
    observed[ticks] = (observed[ticks] ?? 0) + 1;
    if (wheel.includes(ticks)) onWheel++;
  }
  const med = Math.max(0, median(slack));
  out.derived.recheckTicks = { formula: recheckTicks(hz, 0), wheel, observed, onWheel, total: woke.length };
  out.derived.timerSlack = { medianNs: med, p90Ns: q(slack, 0.9), n: slack.length };
  out.costs.timerSlackNs = Math.round(med);
  out.notes.push(
    `case a: ${onWheel} of ${woke.length} wake-ups came ${wheel.slice(1).join(', ')} ticks after the tick before the seal ` +
      `(sleeps of (HZ<<n)/200 jiffies each end one tick late: timer-wheel round-up; the bare formula gives ${recheckTicks(hz, 0).slice(1).join(', ')}); ` +
      `observed tick counts ${JSON.stringify(observed)}.`,
    `case a: the seal returns ${fmtUs(med)} (median; p90 ${fmtUs(q(slack, 0.9))}) after the waking tick -> timerSlackNs ` +
      `(includes the re-check pass and the return to user space; the tick estimate may be a few us late).`,
  );
  const late = run.rechecks.filter((r) => r.result === 'EBUSY');
  if (late.length) out.notes.push(`case a: EBUSY after ${fmtMs(median(late.map((r) => r.latencyNs)))} (median of ${late.length}; docs/kernel-model.md C2 says 148 ms at HZ=250 without the wheel round-up).`);
}

/**
 * The walk's cost in two regimes: cost(N) = a * min(N, C) + b * max(0, N - C), a from the sizes up
 * to C (their mean ns/page), b by least squares through the origin of the rest; C is the point of a
 * grid between the measured sizes that gives the smallest worst relative error. Kept only when it
 * beats the single line.
 */
export function fitCachedWalk(sizes: readonly number[], ns: readonly number[]) {
  const worstOf = (f: (n: number) => number) => Math.max(...sizes.map((n, i) => Math.abs(f(n) - ns[i]) / ns[i]));
  const lin = leastSquares(sizes, ns);
  if (!lin || sizes.length < 3) return undefined;
  const linearWorst = worstOf((n) => lin.intercept + lin.slope * n);
  let best: { c: number; a: number; b: number; worst: number } | undefined;
  // C on a geometric grid between the smallest and the second-largest size (the cache edge lies
  // between two measured sizes, not on one).
  const lo = sizes[0];
  const hi = sizes[sizes.length - 2];
  const grid = Array.from({ length: 49 }, (_, i) => Math.round(lo * (hi / lo) ** (i / 48)));
  for (const c of grid) {
    const small = sizes.map((n, i) => [n, ns[i]] as const).filter(([n]) => n <= c);
    const a = small.reduce((s, [n, t]) => s + t / n, 0) / small.length;
    const big = sizes.map((n, i) => [n, ns[i]] as const).filter(([n]) => n > c);
    const b = big.reduce((s, [n, t]) => s + (t - a * c) * (n - c), 0) / big.reduce((s, [n]) => s + (n - c) ** 2, 0);
    const worst = worstOf((n) => a * Math.min(n, c) + b * Math.max(0, n - c));
    if (b > 0 && (!best || worst < best.worst)) best = { c, a, b, worst };
  }
  if (!best || best.worst >= linearWorst) return undefined;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return { costs: { tagWalkCachedPages: best.c, tagWalkCachedNsPerPage: r2(best.a), tagWalkNsPerPage: r2(best.b) }, worst: best.worst, linearWorst };
}

function fitWalk(run: ProbeRun, out: FitResult): void {
  const ok = run.walks.filter((w) => w.result === 'ok');
  const sizes = [...new Set(ok.map((w) => w.pages))].sort((a, b) => a - b);
  // the median of each size's repetitions: the fastest one was a lucky run as often as the walk
  // itself (issue 14: a live run fitted 1.38 ms through the fastest 64K-page walk, and the next
  // run's walks of that size took 2.2 ms); the line goes through the medians
  const fastest = sizes.map((p) => median(ok.filter((w) => w.pages === p).map((w) => w.latencyNs)));
  const line = leastSquares(sizes, fastest);
  if (!line) return;
  const bySize = sizes.map((p, i) => ({ pages: p, nsPerPage: fastest[i] / p }));
  out.derived.tagWalk = { slopeNs: line.slope, interceptNs: line.intercept, r2: line.r2, n: ok.length, nsPerPageBySize: bySize };
  out.costs.tagWalkNsPerPage = Math.max(0, Math.round(line.slope * 100) / 100);
  const twoRegime = fitCachedWalk(sizes, fastest);
  if (twoRegime) {
    Object.assign(out.costs, twoRegime.costs);
    out.notes.push(
      `case c: a walk of up to ${twoRegime.costs.tagWalkCachedPages} pages runs from cache at ${twoRegime.costs.tagWalkCachedNsPerPage} ns/page, ` +
        `the rest at ${twoRegime.costs.tagWalkNsPerPage} ns/page (worst relative error over the sizes ${(twoRegime.worst * 100).toFixed(0)} %, ` +
        `against ${(twoRegime.linearWorst * 100).toFixed(0)} % for the single line) -> tagWalkCachedPages, tagWalkCachedNsPerPage, tagWalkNsPerPage.`,
    );
  }
  out.notes.push(
    `case c: seal latency = ${fmtUs(line.intercept)} + ${line.slope.toFixed(2)} ns x pages (least squares over the median of ` +
      `each size, ${ok.length} seals, ${sizes[0]}..${sizes[sizes.length - 1]} pages, r2 ${line.r2.toFixed(3)}) -> tagWalkNsPerPage; per size: ` +
      bySize.map((b) => `${b.pages}: ${b.nsPerPage.toFixed(1)}`).join(', ') + ' ns/page (small files stay in cache).',
  );
  const huge = run.walks.filter((w) => w.shmemHugeKbDelta > 0).length;
  if (huge) out.notes.push(`case c: ${huge} files got shmem huge pages; the walk then counts folios, not pages.`);
}

function drainSummary(cs: DrainCase[], out: FitResult): void {
  const d: FitDerived['drainLatency'] = {};
  for (const cls of ['idle', 'busy', 'rt'] as const) {
    const l = cs.filter((c) => c.cpuClass === cls && c.result === 'ok').map((c) => c.latencyMs);
    if (l.length) d[cls] = { medianMs: median(l), maxMs: Math.max(...l), n: l.length };
  }
  out.derived.drainLatency = d;
  const parts = Object.entries(d).map(([k, v]) => `${k} ${v.medianMs.toFixed(3)} ms (max ${v.maxMs.toFixed(3)}, n ${v.n})`);
  if (parts.length) out.notes.push(`case b: seal latency with 8 pages parked on the remote CPU, median: ${parts.join('; ')}.`);
  const failed = cs.filter((c) => c.result !== 'ok');
  if (failed.length) out.notes.push(`case b: ${failed.length} seals did not return ok (${failed.map((c) => `${c.id} ${c.result}`).join(', ')}).`);
}

function fitIdle(cs: DrainCase[], cpus: number, out: FitResult): void {
  const idle = cs.filter((c) => c.cpuClass === 'idle' && c.result === 'ok');
  const traced = idle.filter((c) => c.kworkerDelayMs !== undefined).map((c) => c.kworkerDelayMs! * 1e6);
  if (traced.length) {
    const m = median(traced);
    out.derived.kworkerIdle = { source: 'trace', medianNs: m, n: traced.length };
    out.costs.kworkerIdleWakeNs = Math.round(m);
    out.notes.push(`case d: an idle CPU's kworker starts ${fmtUs(m)} after queue_work (median of ${traced.length}) -> kworkerIdleWakeNs.`);
  } else if (idle.length) {
    const m = Math.max(0, median(idle.map((c) => c.latencyMs * 1e6)) - drainOverheadNs(idle[0].pages, cpus, out.costs));
    out.derived.kworkerIdle = { source: 'latency', medianNs: m, n: idle.length };
    out.costs.kworkerIdleWakeNs = Math.round(m);
    out.notes.push(`case b: idle-CPU seal latency less the model's other drain costs: ${fmtUs(m)} -> kworkerIdleWakeNs (no trace).`);
  }
}

function fitBusy(cs: DrainCase[], cpus: number, tick: number, out: FitResult): void {
  const busy = cs.filter((c) => c.cpuClass === 'busy' && c.result === 'ok');
  if (!busy.length) return;
  const traced = busy.every((c) => c.kworkerDelayMs !== undefined);
  const over = drainOverheadNs(busy[0].pages, cpus, out.costs);
  const delays = busy.map((c) => (traced ? c.kworkerDelayMs! * 1e6 : Math.max(0, c.latencyMs * 1e6 - over)));
  const waited = busy.filter((_, i) => delays[i] > tick / 8);
  // a waiting kworker runs at the remote CPU's next tick: the seal ends just after a tick
  const atTick = waited.filter((c) => c.startPhaseMs !== undefined && (((c.startPhaseMs + c.latencyMs) * 1e6) % tick) < tick / 8).length;
  const max = Math.max(...delays);
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  out.derived.kworkerBusy = { source: traced ? 'trace' : 'latency', immediate: busy.length - waited.length, waited: waited.length, waitsEndingAtTick: atTick, maxDelayNs: max, meanDelayNs: mean };
  // the model draws uniformly in [0, max): one tick when every wait ended at the next tick
  const fit = waited.length && max <= tick * 1.1 ? tick : waited.length ? max : 2 * mean;
  out.costs.kworkerBusyMaxNs = Math.round(fit);
  out.notes.push(
    `case b busy: the CFS kworker ran at once (wakeup preemption) in ${busy.length - waited.length} of ${busy.length} seals; ` +
      `the other ${waited.length} waited for the remote CPU's next tick (${atTick} ended within 1/8 tick after one); ` +
      `max delay ${fmtMs(max)}, mean ${fmtMs(mean)} -> kworkerBusyMaxNs ${fmtMs(fit)} (the model's uniform [0, max)).`,
  );
}

function fitRt(run: ProbeRun, cs: DrainCase[], out: FitResult): void {
  const rt = cs.filter((c) => c.cpuClass === 'rt' && c.result === 'ok' && c.spinBeforeMs !== undefined);
  const sysRt = (run.sched?.rtRuntimeUs ?? -1) * 1000;
  const sysPer = (run.sched?.rtPeriodUs ?? 1_000_000) * 1000;
  if (!rt.length) return;
  const capped = rt.filter((c) => c.spinCapped).length;
  // RT time used when the kworker got in: the spin before the seal + the kworker's start after it
  const used = (c: DrainCase) => (c.spinBeforeMs! + (c.kworkerDelayMs ?? c.latencyMs)) * 1e6;
  const plain = rt.filter((c) => !c.cfsLeadMs && !c.spinCapped);
  const lead = rt.filter((c) => c.cfsLeadMs && !c.spinCapped);
  const usedPlain = plain.map(used), usedLead = lead.map(used);
  const med = usedPlain.length ? median(usedPlain) : NaN;
  const close = (a: number, b: number) => Math.abs(a - b) <= 0.02 * Math.max(Math.abs(b), 1);
  // RT throttling: a budget of RT time counted from when the spinner went RT, whatever the pre-run
  // and whatever ran as CFS before; the deferred dl-server counts from the fair side instead, so a
  // CFS lead-in moves it, and its wait would be constant from the kworker's wakeup.
  const spreadOk = usedPlain.length > 0 && usedPlain.every((u) => close(u, med));
  const leadSame = usedLead.length === 0 || usedLead.every((u) => close(u, med));
  const waits = plain.map((c) => (c.kworkerDelayMs ?? c.latencyMs) * 1e6);
  const pres = plain.map((c) => c.spinBeforeMs! * 1e6);
  const waitConst = waits.length > 1 && Math.max(...pres) - Math.min(...pres) > 0.1 * (med || 1) && waits.every((w) => close(w, median(waits)));
  let governs: RtGovernor = 'unclear';
  if (sysRt < 0) governs = capped < rt.length ? 'dl-server' : 'unclear';
  else if (spreadOk && leadSame && close(med, sysRt)) governs = 'rt-throttling';
  else if (waitConst || !leadSame) governs = 'dl-server';
  out.derived.rt = { governs, rtUsedAtKworkerNs: usedPlain, rtUsedWithLeadNs: usedLead, sysctlRuntimeNs: sysRt, sysctlPeriodNs: sysPer, capped };
  if (governs === 'rt-throttling') {
    out.costs.rtRuntimeNs = Math.round(med / 1000) * 1000;
    out.costs.rtPeriodNs = sysPer;
  }
  const pre = pres.map((p) => (p / 1e6).toFixed(0)).join('/');
  out.notes.push(
    `case b rt: the kworker ran when the SCHED_FIFO spinner had used ${fmtMs(med)} of RT time (median of ${usedPlain.length}, ` +
      `pre-runs ${pre} ms${usedLead.length ? `; with a ${lead[0].cfsLeadMs} ms CFS lead-in: ${usedLead.map(fmtMs).join(', ')}` : ''}); ` +
      `sched_rt_runtime_us/period_us = ${sysRt / 1000}/${sysPer / 1000}${run.sched?.fairServer ? '; a fair dl-server exists' : ''}` +
      `${run.sched?.fairServerParams ? ` (${run.sched.fairServerParams})` : ''}. Governs: ${governs}` +
      (governs === 'rt-throttling'
        ? ' (the budget counts from the spin start, is independent of the pre-run and of a CFS lead-in; the deferred dl-server would have moved with the lead-in) -> rtRuntimeNs/rtPeriodNs.'
        : governs === 'dl-server'
          ? ': the kworker got in on the fair deadline server\'s schedule; no model cost describes it yet (rtRuntimeNs not fitted).'
          : ': the runs disagree; rtRuntimeNs not fitted.'),
  );
  if (capped) out.notes.push(`case b rt: in ${capped} runs the kworker never ran before the spinner's hard cap.`);
}

function workCpus(run: ProbeRun, cs: DrainCase[], out: FitResult): void {
  const traced = cs.filter((c) => c.cpusWithWork);
  if (!traced.length) return;
  const byCpu: Record<string, number> = {};
  for (const c of traced) for (const cpu of c.cpusWithWork!) byCpu[cpu] = (byCpu[cpu] ?? 0) + 1;
  out.derived.drainWorkCpus = { seals: traced.length, byCpu };
  const self = byCpu[run.meta.sealCpu] ?? 0;
  out.notes.push(
    `case d: drain work went to CPU ${run.meta.remoteCpu} in ${byCpu[run.meta.remoteCpu] ?? 0} of ${traced.length} traced seals` +
      (self ? `, and to the sealing CPU ${run.meta.sealCpu} itself in ${self} (after 6.18's local drain something per-CPU was still non-empty there, e.g. the bh LRU)` : '') + '.',
  );
}

/**
 * The host's load while the probe ran, as the calibration file keeps it (`load`). The verdict is
 * src/io/host-load.ts's (one place for the concept): other processes' CPU during the run (the
 * host's busy time less calibrate's own and the probe's, spinner threads included), the load
 * average before it, and steal. `loadAvg1` (the probe's start and end) is kept for reference and
 * judges nothing: the probe's own spinners raise it (0.06 -> 0.81 on an idle 2-CPU host).
 * Files written before this kept only loadAvg1, cpus and loaded (judged by loadAvg1 > 0.7); they
 * still read.
 */
export interface CalibrationLoad {
  loadAvg1: number[];
  cpus: number;
  loaded: boolean;
  /** CPUs' worth of time other processes used while the probe ran; null when not measured (a recorded run). */
  othersCpus?: number | null;
  /** 1-minute load average just before the probe. */
  loadBefore?: number | null;
  stealPct?: number | null;
  /** Why it counts as loaded, one reason each (io/host-load.ts hostVerdict); empty when not. */
  why?: string[];
}

/**
 * The run's load: from `measured` (calibrate's meter around the probe) when given; else (a recorded
 * run) from what the probe printed: the load average at its start, before its own threads ran.
 */
export function hostLoad(run: ProbeRun, measured?: HostLoad): CalibrationLoad {
  const loadAvg1 = [run.meta.loadAvg1, run.end?.loadAvg1].filter((x): x is number => x !== undefined);
  const v = measured ?? hostVerdict({ cpus: run.meta.cpus, loadBefore: run.meta.loadAvg1 ?? null, loadDuringMax: null, busyShare: null, stealShare: null, selfCpus: 0 });
  return { loadAvg1, cpus: v.cpus, loaded: v.noisy, othersCpus: v.othersCpus, loadBefore: v.loadBefore, stealPct: v.stealPct, why: v.why };
}

/** The one plain line that says a measurement ran on a loaded host (calibrate and validate print it). */
export function loadedHostLine(l: CalibrationLoad): string {
  const tail = ': wake-ups are late and other tasks may drain the batches, so timing cases can fail for that reason, not the model\'s';
  if (l.why?.length) return `LOADED HOST while the probe ran: ${l.why.join('; ')}${tail}`;
  // a file from before the other-processes measure: its verdict was the load average alone
  return `LOADED HOST: load average ${l.loadAvg1.map((x) => x.toFixed(2)).join(' -> ')} on ${l.cpus} CPUs while the probe ran (the probe's own threads included; this file predates the measure of other processes' CPU)${tail}`;
}

/** What the meter saw while the probe ran, whether loaded or not (undefined for a file without it). */
export function hostLoadSummary(l: CalibrationLoad): string | undefined {
  if (l.othersCpus === undefined || l.othersCpus === null) return undefined;
  const parts = [`other processes used ${l.othersCpus.toFixed(2)} of ${l.cpus} CPUs`];
  if (l.loadBefore !== undefined && l.loadBefore !== null) parts.push(`load average ${l.loadBefore.toFixed(2)} before`);
  if (l.stealPct !== undefined && l.stealPct !== null) parts.push(`steal ${l.stealPct.toFixed(1)} %`);
  return `host while the probe ran: ${parts.join(', ')} (${l.loaded ? 'loaded' : 'quiet'}: loaded means other processes over a quarter of the CPUs or steal over 5 %; the load average before judges only where they cannot be measured)`;
}

/** Fits what the run measured; costs it cannot measure are left out (the defaults stay). */
export function fitCalibration(run: ProbeRun, host: HostInfo, measuredLoad?: HostLoad): FitResult {
  const out: FitResult = { costs: {}, notes: [], derived: {} };
  const load = hostLoad(run, measuredLoad);
  if (load.loaded) {
    out.notes.push(`the host was busy (${load.why!.join('; ')}): other tasks delay wake-ups and may drain the remote batch; figures are noisier than on an idle machine.`);
  }
  const hz = host.hz ?? run.clock?.hzFromTick;
  const tick = run.clock?.tickNs ?? (hz ? 1e9 / hz : undefined);
  if (tick) out.derived.tickNs = tick;
  fitWalk(run, out);
  if (hz && tick) fitRechecks(run, hz, tick, out);
  else if (run.rechecks.length) out.notes.push('case a: HZ unknown; re-check times not fitted.');
  const all = probeCases(run).filter((c): c is DrainCase => c.kind === 'drain');
  const drains = all.filter((c) => c.parked);
  if (drains.length < all.length) {
    out.notes.push(
      `case b: ${all.length - drains.length} of ${all.length} seals found the pages already gone from the remote batch ` +
        `(${all.filter((c) => !c.parked).map((c) => c.id).join(', ')}): something else drained that CPU first; left out.`,
    );
  }
  if (drains.length) {
    drainSummary(drains, out);
    fitIdle(drains, run.meta.cpus, out);
    if (tick) fitBusy(drains, run.meta.cpus, tick, out);
    fitRt(run, drains, out);
    workCpus(run, drains, out);
  }
  const cut = run.drains.filter((d) => d.interrupted).length;
  if (cut) out.notes.push(`case b: ${cut} drain measurements were cut short by a stop request and left out.`);
  for (const v of run.verifies) {
    if (v.checked === false) out.notes.push(`not checked: ${v.what} (case ${v.case}; needs root).`);
    else if (!v.ok) out.notes.push(`check failed: ${v.what} (case ${v.case}): ${JSON.stringify(v)}`);
  }
  for (const s of run.skips) out.notes.push(`case ${s.case} skipped: ${s.reason}`);
  return out;
}
