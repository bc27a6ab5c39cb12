/**
 * `drainlab replay`: run a recorded trace's own arrival sequence (trace-driven, not fitted) under
 * each strategy, scaled to N CPUs by replicating per-CPU streams (src/sim/trace-source.ts says the
 * rule). The result is an ordinary run record (docs/result-record.md), so `report` and `--fail-on`
 * work on it; `replay` adds what the trace was and, for the recorded machine's own CPU count, how
 * the replay under the recorded kernel's own strategy agrees with the trace.
 */
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { replayLayout } from '../sim/trace-source.ts';
import { ksTwoSample, type KsResult } from '../stats/ks.ts';
import { quantile } from '../stats/quantile.ts';
import type { RunRecord } from '../metrics/record.ts';
import { nearestKernel, type Analysis } from './analyze.ts';
import { cpuClassOf, measuredWakeups, replicaList, RING_PAGES } from './fit.ts';
import { inferPin } from './pins.ts';

/**
 * The strategy that is the recorded kernel's own: 4.14's seal path on 4.14, and from 4.16 on the
 * same path without the hotplug lock (`v4.16`), under that kernel's drain_all (the scenario's
 * kernel sets it: piggyback from 5.10, local drain first in 6.18); docs/kernel-model.md section d.
 */
export function kernelOwnStrategy(kernel: Scenario['kernel']): string {
  return kernel === '4.14' ? 'v4.14' : 'v4.16';
}

const ms3 = (ns: number) => Math.round(ns / 1e3) / 1e3;

/** The replay scenario: the trace's arrivals, N CPUs, the recorded kernel and HZ. */
export function replayScenario(a: Analysis, o: { cpus?: number; strategies?: string[]; seconds?: number } = {}): Scenario {
  const R = a.cpus;
  const N = o.cpus ?? R;
  const t0 = a.windowNs[0];
  const windowMs = (o.seconds !== undefined ? Math.min(o.seconds, a.seconds) : a.seconds) * 1000;
  const inWindow = (tNs: number) => tNs >= t0 && (tNs - t0) / 1e6 <= windowMs;
  const hz = a.trace.hz && [100, 250, 300, 1000].includes(a.trace.hz) ? a.trace.hz : 250;
  // When a task (not a kworker: the replayed drain work is theirs) emptied each CPU's batch.
  const drains = a.bursts.map((bs) => bs.filter((b) => !b.kworker && b.t >= t0 && inWindow(b.t)).map((b) => ms3(b.t - t0)));
  // Other callers' drain_alls, with how long their works waited for each CPU's kworker: that is
  // the recorded machine's own activity, replayed as it happened (a seal that waits behind it
  // then finds its pages drained, or not, as it did).
  const drainAll = a.drainAlls.filter((d) => d.via !== 'seal' && inWindow(d.t)).map((d) => {
    const delays: (number | null)[] = new Array(R).fill(null);
    for (const w of d.works) if (w.startNs >= w.queuedNs && w.target < R) delays[w.target] = ms3(w.startNs - w.queuedNs);
    // fadvise(DONTNEED) drains its own CPU again right after the call (schema: localDrainAfter).
    // The caller's return as recorded (its wake-up after its last work, and so when it let go of
    // drain_all's mutex), when the trace shows it.
    const returned = d.returnNs > 0 && d.works.length > 0 && d.works.every((w) => w.endNs > 0) ? { returnMs: ms3(d.returnNs - t0) } : {};
    return { cpu: d.cpu, atMs: ms3(d.t - t0), ...(delays.some((x) => x !== null) ? { startDelaysMs: delays } : {}), ...returned, ...(d.via === 'fadvise' ? { localDrainAfter: true as const } : {}) };
  });
  const seals = a.seals
    .filter((s) => s.result !== 'unfinished' && inWindow(s.startNs))
    .map((s) => {
      const pin = inferPin(s, hz);
      const targets = new Set(s.drainAlls.flatMap((d) => d.works.map((w) => w.target)));
      // The seal's pages waited on the CPUs its own drain reached, and on those of another
      // caller's pass it waited behind (which drained them first).
      const remote = [...new Set([...targets, ...drainedByAnother(a, s)])].filter((c) => c !== s.cpu).sort((x, y) => x - y);
      const refills = refillsOf(a, s).map((r) => ({ cpu: r.cpu, atMs: ms3(r.atNs - t0) }));
      // Work on the sealing CPU after its own local drain: its bh LRU (KernelConstants.bhLruDrain),
      // unless another pass drained it just before the seal's own (then a refill says when).
      const own = targets.has(s.cpu) && !refills.some((r) => r.cpu === s.cpu) ? { ownCpu: true as const } : {};
      return {
        cpu: s.cpu, atMs: ms3(s.startNs - t0), remoteCpus: remote, ...own,
        ...(refills.length > 0 ? { refills } : {}),
        ...(pin.kind !== 'none' ? { pinForMs: Math.round(pin.replayMs * 1000) / 1000 } : {}),
      };
    });
  // Page arrivals: a burst of n pages leaving CPU r's batch at t means n pages entered it since the
  // previous burst; they are spread evenly over that gap (the batch holds them until the burst).
  // The pages the replay writes itself (one per seal on each of its remote CPUs, one per CPU a
  // replayed drain_all reached) stand for some of them: as many fewer are spread in their gap,
  // so that each replayed batch holds what the recorded one did (a seal's 8 pages are in the
  // burst that moved them, and the replay writes one).
  const own: number[][] = Array.from({ length: R }, () => []);
  for (const d of drainAll) d.startDelaysMs?.forEach((x, rc) => { if (x !== null) own[rc].push(Math.max(0, d.atMs - 0.001)); });
  const recSeals = a.seals.filter((x) => x.result !== 'unfinished' && inWindow(x.startNs));
  seals.forEach((sl, si) => {
    for (const rc of sl.remoteCpus) {
      // The one page stands for all the sealer wrote there since its previous seal (mm_page_alloc,
      // with record --comm); without page allocations in the trace, for one.
      const n = Math.max(1, sealerPagesOn(a, recSeals[si], rc));
      for (let k = 0; k < n; k++) own[rc].push(Math.max(0, sl.atMs - 0.001));
    }
  });
  const pages: number[][] = [];
  for (let r = 0; r < R; r++) {
    const out: number[] = [];
    const mine = own[r].sort((x, y) => x - y);
    let m = 0;
    let prev = t0;
    for (const b of a.bursts[r]) {
      if (b.t < t0) continue;
      if (!inWindow(b.t)) break;
      let k0 = 0;
      while (m < mine.length && mine[m] <= (b.t - t0) / 1e6) {
        m++;
        k0++;
      }
      const n = Math.max(0, b.n - k0);
      for (let k = 0; k < n; k++) out.push(ms3(prev - t0 + ((k + 1) * (b.t - prev)) / (n + 1)));
      prev = b.t;
    }
    pages.push(out);
  }
  const replay = { source: `${a.trace.file} (sha256 ${a.trace.sha256.slice(0, 12)})`, recordedCpus: R, pages, drains, drainAll, seals };
  const layout = replayLayout({ ...replay, pageRates: undefined }, N);
  const maxPin = Math.max(0, ...seals.map((s) => s.pinForMs ?? 0));
  const classes = new Map<string, number[]>();
  for (let r = 0; r < R; r++) {
    const { cls } = cpuClassOf(a, r);
    classes.set(cls, [...(classes.get(cls) ?? []), r]);
  }
  const kernel = nearestKernel(a.trace.kernel);
  const wakeups = measuredWakeups(a, inWindow);
  return resolveScenario(
    {
      name: `replay-${a.trace.file.replace(/\.jsonl(\.gz)?$/, '')}${N !== R ? `-x${N}` : ''}`,
      description: `The recorded arrivals of ${a.trace.file} (${R} CPUs, kernel ${a.trace.kernel}, ${(windowMs / 1000).toFixed(1)} s) replayed on ${N} CPUs: CPU j replays recorded CPU j mod ${R}.`,
      kernel,
      hz,
      cpus: N,
      files: layout.files,
      pages: Math.max(RING_PAGES, R + 1),
      seed: 1,
      horizonMs: Math.ceil(windowMs + Math.max(200, maxPin) + 200),
      ...(o.strategies?.length ? { strategies: o.strategies } : {}),
      cpuClasses: [...classes.entries()].filter(([c]) => c !== 'idle').map(([c, rs]) => ({ cpus: replicaList(rs, R, N), class: c })),
      ...(wakeups ? { wakeups } : {}),
      workload: { replay },
    },
    'replay',
  );
}

/** Pages the sealing task allocated on CPU `cpu` (mm_page_alloc) since its previous seal began. */
function sealerPagesOn(a: Analysis, s: Analysis['seals'][number], cpu: number): number {
  let since = a.windowNs[0];
  for (const x of a.seals) if (x.pid === s.pid && x.startNs < s.startNs) since = Math.max(since, x.startNs);
  let n = 0;
  for (const b of a.allocs[cpu] ?? []) if (b.pid === s.pid && b.t > since && b.t <= s.startNs) n += b.n;
  return n;
}

/**
 * A seal with no drain work of its own that started while another caller's drain_all still had
 * work pending, and returned only after that work ended: its pages waited in a remote batch, its
 * drain_all waited for the mutex behind the other pass, which drained them, and then found nothing
 * to queue (no event shows it). The CPUs that other pass still had to drain at the seal's start.
 */
export function drainedByAnother(a: Analysis, s: Analysis['seals'][number]): number[] {
  for (const d of a.drainAlls) {
    if (d.via === 'seal' || d.t > s.startNs) continue;
    // A kworker that had already started when the seal began had moved the batch before the
    // seal's tag pass (its burst comes at its start): only works not yet started count.
    const pending = d.works.filter((w) => w.startNs >= s.startNs && w.endNs > s.startNs);
    if (pending.length > 0 && s.endNs >= Math.max(...pending.map((w) => w.endNs))) return pending.map((w) => w.target);
  }
  return [];
}

/**
 * A seal whose own drain_all queued work on CPU c although another caller's pass, with work on c
 * still pending when the seal began, ran that work before the seal queued its own: the other pass
 * drained c (the seal's pages with it), and something refilled c before the seal's scan (pages of
 * tasks the trace leaves out, or the bh LRU; no event shows which). Replayed as a bh LRU entry on
 * c halfway between the other work's end and the seal's queue_work, so that the replayed seal
 * meets the same state: c drained by the other pass, then needing a drain again.
 */
export function refillsOf(a: Analysis, s: Analysis['seals'][number]): { cpu: number; atNs: number }[] {
  const own = new Map<number, number>(); // target -> the seal's queue time
  for (const d of s.drainAlls) for (const w of d.works) if (!own.has(w.target)) own.set(w.target, w.queuedNs);
  if (own.size === 0) return [];
  const out: { cpu: number; atNs: number }[] = [];
  for (const [cpu, q] of own) {
    let end = -1;
    for (const d of a.drainAlls) {
      if (d.via === 'seal' || d.t > s.startNs) continue;
      for (const w of d.works) if (w.target === cpu && w.endNs > s.startNs && w.endNs < q) end = Math.max(end, w.endNs);
    }
    if (end > 0) out.push({ cpu, atNs: Math.round((end + q) / 2) });
  }
  return out.sort((x, y) => x.cpu - y.cpu);
}

export { MIN_WAKEUP_SAMPLES, measuredWakeups } from './fit.ts';

export interface Agreement {
  strategy: string;
  seals: number;
  /** Replayed seals with the recorded result (ok / EBUSY). */
  sameResult: number;
  /** Replayed seals that queued drain work from inside the fcntl exactly when the recorded one did (a drain_all that queued nothing leaves no event). */
  sameDrainAll: number;
  /** Replayed seals whose drain work reached as many CPUs as the recorded one's did. */
  sameTargets: number;
  /**
   * The same, counting only CPUs other than the sealing one. The replay reaches the sealing CPU
   * only through its bh LRU (`ownCpu`), so a replayed seal's own CPU counts as reached when it
   * had ownCpu and made a drain pass.
   */
  sameRemoteTargets: number;
  /** Recorded seals whose drain_all queued work on the sealing CPU itself, after its local drain. */
  recordedSelfTargets: number;
  /** Recorded CPUs that got drain work, over all seals, and how many of them the replay reached. */
  targetsRecorded: number;
  targetsReplayed: number;
  /** Per seal, |replayed - recorded| latency within one jiffy. */
  latencyWithinJiffy: number;
  latencyMs: { recorded: { p50: number; p90: number; max: number }; replayed: { p50: number; p90: number; max: number } };
  /** Two-sample Kolmogorov-Smirnov test of the latencies: D and its asymptotic p. */
  ks: KsResult;
  /** The same for the fast seals only: those with no inferred pin (their latency is the drain's). */
  fast: { seals: number; recordedP50: number; replayedP50: number; ks: KsResult };
  /** The seals that differ (the first 20). */
  differences: { atMs: number; recorded: string; replayed: string; recordedMs: number; replayedMs: number; recordedTargets: number; replayedTargets: number }[];
}

/** The replay (N = recorded CPUs) beside the trace, seal by seal, for one strategy's run. */
export function agreement(a: Analysis, record: RunRecord<Scenario>, strategy: string): Agreement | undefined {
  const run = record.runs.find((r) => r.strategy === strategy);
  const s = record.scenario;
  const replay = s.workload.replay;
  if (!run || !replay || s.cpus !== a.cpus) return undefined;
  const tickMs = 1000 / s.hz;
  const byFile = new Map(run.seals.map((x) => [x.file, x]));
  const recorded = a.seals.filter((x) => x.result !== 'unfinished' && x.startNs >= a.windowNs[0]);
  const out: Agreement = {
    strategy, seals: 0, sameResult: 0, sameDrainAll: 0, sameTargets: 0, sameRemoteTargets: 0, recordedSelfTargets: 0, targetsRecorded: 0, targetsReplayed: 0, latencyWithinJiffy: 0,
    latencyMs: { recorded: { p50: 0, p90: 0, max: 0 }, replayed: { p50: 0, p90: 0, max: 0 } },
    ks: { d: NaN, p: NaN, n: 0, m: 0 },
    fast: { seals: 0, recordedP50: 0, replayedP50: 0, ks: { d: NaN, p: NaN, n: 0, m: 0 } },
    differences: [],
  };
  const latRec: number[] = [];
  const latRep: number[] = [];
  const fastRec: number[] = [];
  const fastRep: number[] = [];
  replay.seals.forEach((seal, si) => {
    const rec = recorded[si];
    const rep = byFile.get(s.cpus + si); // block 0: file N + si
    if (!rec || !rep) return;
    out.seals++;
    const recMs = rec.latencyNs / 1e6;
    const repMs = rep.endMs - rep.startMs;
    latRec.push(recMs);
    latRep.push(repMs);
    if (seal.pinForMs === undefined) {
      fastRec.push(recMs);
      fastRep.push(repMs);
    }
    const recSet = new Set(rec.drainAlls.flatMap((d) => d.works.map((w) => w.target)));
    const recTargets = recSet.size;
    if (recSet.has(rec.cpu)) out.recordedSelfTargets++;
    const recRemote = recTargets - (recSet.has(rec.cpu) ? 1 : 0);
    const ownMarked = seal.ownCpu || (seal.refills ?? []).some((r) => r.cpu === seal.cpu);
    const repRemote = rep.cpusInterrupted - (ownMarked && (rep.drainPasses ?? 0) > 0 && rep.cpusInterrupted > 0 ? 1 : 0);
    if (repRemote === recRemote) out.sameRemoteTargets++;
    const same = rep.result === rec.result;
    if (same) out.sameResult++;
    // The trace shows a drain_all only through the work it queued (one that found nothing to
    // queue, or piggybacked, leaves no event): compare "queued drain work from inside the fcntl".
    if ((rep.cpusInterrupted > 0) === (rec.drainAlls.length > 0)) out.sameDrainAll++;
    if (rep.cpusInterrupted === recTargets) out.sameTargets++;
    out.targetsRecorded += recTargets;
    out.targetsReplayed += Math.min(recTargets, rep.cpusInterrupted);
    if (Math.abs(repMs - recMs) <= tickMs) out.latencyWithinJiffy++;
    if ((!same || rep.cpusInterrupted !== recTargets) && out.differences.length < 20) {
      out.differences.push({ atMs: rep.startMs, recorded: rec.result, replayed: rep.result, recordedMs: Math.round(recMs * 1000) / 1000, replayedMs: Math.round(repMs * 1000) / 1000, recordedTargets: recTargets, replayedTargets: rep.cpusInterrupted });
    }
  });
  const q = (v: number[]) => ({ p50: v.length ? Math.round(quantile(v, 0.5) * 1000) / 1000 : 0, p90: v.length ? Math.round(quantile(v, 0.9) * 1000) / 1000 : 0, max: v.length ? Math.round(Math.max(...v) * 1000) / 1000 : 0 });
  out.latencyMs = { recorded: q(latRec), replayed: q(latRep) };
  out.ks = ksTwoSample(latRec, latRep);
  out.ks.d = Math.round(out.ks.d * 1e4) / 1e4;
  out.ks.p = Math.round(out.ks.p * 1e4) / 1e4;
  const fks = ksTwoSample(fastRec, fastRep);
  out.fast = { seals: fastRec.length, recordedP50: q(fastRec).p50, replayedP50: q(fastRep).p50, ks: { ...fks, d: Math.round(fks.d * 1e4) / 1e4, p: Math.round(fks.p * 1e4) / 1e4 } };
  return out;
}
