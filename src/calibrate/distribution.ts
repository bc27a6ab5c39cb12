/**
 * Validation of the host's stochastic quantities as distributions (issue 14, section 4;
 * docs/calibration.md "Distributions"). Two quantities, each measured >= 20 times by the probe:
 *
 * - busy sealer (case e): seals on a sealing CPU that a CFS spinner keeps busy, the pins released
 *   2 ms after the seal call, so each seal returns at its first re-check: at once when the sealer,
 *   woken by its timer, preempts the spinner, else a tick or two later (Machine.sealerRunsAt:
 *   costs.sealerBusyPreemptProb and the scenario's `preempt`);
 * - RT window phase (case f): a SCHED_FIFO spinner on the remote CPU and the seal at a pre-run
 *   drawn uniformly from 0..900 ms: the drain waits for RT throttling's window, so the latency is
 *   the rest of the window (about 950 ms less the pre-run).
 *
 * Each measured case becomes its scenario (cases.ts) and runs `replications` times in the model
 * (seed 1, replication r = 0..R-1: the model's own random streams, deterministic). The measured
 * latencies are then compared with the pooled model latencies (every case R times, so the model
 * sample is the same mixture of cases as the measured one):
 * - a two-sample Kolmogorov-Smirnov test (src/stats/ks.ts), pass when p >= KS_ALPHA;
 * - quantile bands: the measured p10/p50/p90 must lie inside the BAND_LEVEL band of the same
 *   quantile over model samples of the measured size (one sample per replication: each case's
 *   latency of that replication; for a model that is deterministic per case, bootstrap resamples
 *   of the pooled model latencies instead, seeded).
 * The four checks share a family-wise 5 % (Bonferroni: 1.25 % each, bands at 98.75 %). For the busy
 * sealer the model's samples carry the fitted run's wake-up jitter, centred (busyJitterMs): the
 * model wakes the sealer a fixed timerSlackBusyNs after the tick, the real one a few to tens of us
 * later; out of sample the jitter comes from the fit's run, as the costs do.
 * A quantity passes when all four hold. Deterministic quantities stay case by case (compare.ts).
 */
import { DEFAULT_COSTS, type Costs } from '../kernel/costs.ts';
import { simulate } from '../sim/run.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import { Arena } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { ksTwoSample } from '../stats/ks.ts';
import { CounterRng, keyFromString, quantile } from '../stats/index.ts';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { PREEMPT_MODELS, type PreemptModel } from '../kernel/versions.ts';
import { parseKernelConfig } from './kernel-package.ts';
import { caseScenario, SEAL_CPU, type CalibrationCase, type CalibrationScenario, type DrainCase, type RecheckCase } from './cases.ts';
import type { ProbeRun } from './parse.ts';
import type { CalibrationLoad } from './fit.ts';

/** Case e: one seal on the busy sealing CPU, pins released `releaseMs` after the seal call. */
export interface BusySealCase {
  id: string;
  kind: 'busyseal';
  pages: number;
  latencyMs: number;
  result: 'ok' | 'EBUSY' | 'EPERM' | 'error';
  startPhaseMs?: number;
  releaseMs: number;
  /** Runnable tasks machine-wide just before the seal (the probe's own included). */
  runnable?: number;
}

export type DistributionQuantity = 'busy-sealer' | 'rt-phase';

export const DEFAULT_REPLICATIONS = 200;
export const QUANTILES = [0.1, 0.5, 0.9] as const;
/**
 * A quantity fails when any of its four checks (KS, three quantile bands) fails, so each check runs
 * at a quarter of the family's 5 % (Bonferroni): a model that is right fails at most 5 % of the
 * time, where four checks at 5 % each would fail up to 19 % of the time.
 */
export const FAMILY_ALPHA = 0.05;
const CHECKS = 1 + QUANTILES.length;
export const KS_ALPHA = FAMILY_ALPHA / CHECKS;
export const BAND_LEVEL = 1 - FAMILY_ALPHA / CHECKS;
const BOOTSTRAP_RESAMPLES = 1000;

const ms = (ns: number) => ns / 1e6;

/** Case e's seals as cases (seals whose reader never said when it released are left out). */
export function busySealCases(run: ProbeRun): BusySealCase[] {
  return run.busySeals
    .filter((l) => l.releaseNs >= 0)
    .map((l) => ({
      id: `e/busy/rep${l.rep}`, kind: 'busyseal' as const, pages: l.pages, latencyMs: ms(l.latencyNs), result: l.result,
      ...(l.startSinceTickNs === undefined ? {} : { startPhaseMs: ms(l.startSinceTickNs) }), releaseMs: ms(l.releaseNs),
      ...(l.runnable === undefined ? {} : { runnable: l.runnable }),
    }));
}

/** The RT-window phase runs (case f) among a file's cases. */
export function rtPhaseCases(cases: readonly CalibrationCase[]): DrainCase[] {
  return cases.filter((c): c is DrainCase => c.kind === 'drain' && c.id.startsWith('f/') && c.cpuClass === 'rt' && c.parked && c.result === 'ok' && !c.spinCapped);
}

export interface ModelOptions {
  hz: number;
  /** The host's preemption model (the scenario field `preempt`). */
  preempt: PreemptModel;
  costs?: Partial<Costs>;
  strategy?: string;
}

type ReplicatedScenario = CalibrationScenario & { preempt: PreemptModel; replication: number };

/** Case e's scenario: case a's script with the sealing CPU busy (a CFS hog) from time 0. */
export function busySealScenario(c: BusySealCase, o: ModelOptions): ReplicatedScenario {
  const asRecheck: RecheckCase = { id: c.id, kind: 'recheck', pages: c.pages, latencyMs: c.latencyMs, result: c.result, delayMs: 2, releaseMs: c.releaseMs, ...(c.startPhaseMs === undefined ? {} : { startPhaseMs: c.startPhaseMs }) };
  const s = caseScenario(asRecheck, { hz: o.hz, strategy: o.strategy, costs: o.costs });
  return {
    ...s,
    name: `calibration ${c.id}`,
    description: `drainprobe case ${c.id}: a CFS spinner on CPU ${SEAL_CPU}, pins released ${c.releaseMs.toFixed(3)} ms after the seal call; measured ${c.result} after ${c.latencyMs.toFixed(3)} ms`,
    script: [{ atMs: 0, cpu: SEAL_CPU, op: 'cpuClass', class: 'busy' }, ...s.script],
    preempt: o.preempt,
    replication: 0,
  };
}

function rtScenario(c: DrainCase, o: ModelOptions): ReplicatedScenario {
  return { ...caseScenario(c, { hz: o.hz, strategy: o.strategy, costs: o.costs }), preempt: o.preempt, replication: 0 };
}

/**
 * The model's latency of one case in replications 0..R-1 (the scenario resolved once). Case k runs
 * with seed k + 1, so the cases of one replication draw independent streams (with one seed for
 * all, every case of a replication would wait or not together).
 */
function modelLatencies(s: ReplicatedScenario, costs: Partial<Costs> | undefined, R: number, caseIndex = 0): number[] {
  const resolved = resolveScenario(s, s.name, costs);
  // one arena for the case's replications, reset before each (as the sweep's workers do); the
  // strategy run alone, without a record's provenance (os.cpus() per run was a fifth of the time)
  const arena = Arena.create(planArena(resolved.files, resolved.pages, resolved.cpus, resolved.pagevecSize));
  const out: number[] = [];
  for (let r = 0; r < R; r++) {
    if (r > 0) arena.reset();
    const seal = simulate({ ...resolved, seed: caseIndex + 1, replication: r }, resolved.strategies[0], arena).seals[0];
    if (!seal) throw new Error(`${s.name}: the simulator produced no seal before horizonMs ${s.horizonMs}`);
    out.push(seal.endMs - seal.startMs);
  }
  return out;
}

export interface QuantileBand {
  p: number;
  measuredMs: number;
  modelMs: number;
  lo: number;
  hi: number;
  inside: boolean;
}

export interface DistributionResult {
  quantity: DistributionQuantity;
  /** Measured seals compared, and model latencies (cases x replications). */
  n: number;
  m: number;
  replications: number;
  ks: { d: number; p: number; alpha: number; pass: boolean };
  bands: QuantileBand[];
  bandMethod: 'replication' | 'bootstrap';
  pass: boolean;
  /** The measurement ran on a loaded host (set by the caller from the file's load). */
  loaded?: boolean;
  /**
   * Busy sealer: the wake-up jitter carried into the model's samples (validateDistributions): the
   * spread (p10, p90, us) of the measured seals that returned at their re-check about their median.
   */
  jitterUs?: { n: number; p10: number; p90: number };
  measuredMs: number[];
  note?: string;
}

/** The BAND_LEVEL (98.75 %) band of quantile p over samples (each a list of latencies). */
function band(samples: number[][], p: number): { lo: number; hi: number } {
  const qs = samples.map((s) => quantile(s, p)).sort((a, b) => a - b);
  return { lo: quantile(qs, (1 - BAND_LEVEL) / 2), hi: quantile(qs, 1 - (1 - BAND_LEVEL) / 2) };
}

/**
 * Compares measured latencies (one per case) with the model's: `model[c][r]` is case c's latency
 * in replication r. Pure: no simulation here (tests call it with fixed numbers).
 */
export function compareDistribution(quantity: DistributionQuantity, measured: readonly number[], model: readonly (readonly number[])[], seed = quantity): DistributionResult {
  const n = measured.length;
  const reps = model[0]?.length ?? 0;
  const pooled = model.flat();
  const ks = ksTwoSample(measured, pooled);
  const ksPass = Number.isFinite(ks.p) && ks.p >= KS_ALPHA;
  // per-replication samples (each case once, as measured); when the model does not vary across
  // replications the band of those is a point, so the band comes from bootstrap resamples of the
  // pooled model latencies instead (the spread of a quantile of n draws from the model mixture)
  const varies = model.some((row) => row.some((x) => x !== row[0]));
  let samples: number[][];
  let method: DistributionResult['bandMethod'];
  if (varies && reps >= 2) {
    samples = Array.from({ length: reps }, (_, r) => model.map((row) => row[r]));
    method = 'replication';
  } else {
    const rng = new CounterRng(keyFromString(`distribution/${seed}`));
    samples = Array.from({ length: BOOTSTRAP_RESAMPLES }, () => Array.from({ length: n }, () => pooled[rng.int(pooled.length)]));
    method = 'bootstrap';
  }
  const bands = QUANTILES.map((p) => {
    const b = band(samples, p);
    const mq = quantile(measured, p);
    return { p, measuredMs: mq, modelMs: quantile(pooled, p), lo: b.lo, hi: b.hi, inside: mq >= b.lo && mq <= b.hi };
  });
  const pass = n > 0 && ksPass && bands.every((b) => b.inside);
  return {
    quantity, n, m: pooled.length, replications: reps, ks: { d: ks.d, p: ks.p, alpha: KS_ALPHA, pass: ksPass }, bands, bandMethod: method, pass,
    measuredMs: [...measured],
  };
}

export interface DistributionInput {
  busySeals: readonly BusySealCase[];
  cases: readonly CalibrationCase[];
}

/**
 * Case e's residuals: each ok seal's latency less the model's for the same seal when the sealer
 * never waits (sealerBusyPreemptProb 1) under `costs`. A seal returned at its re-check when its
 * residual is under half a tick; the others waited for the spinner.
 */
function busyResiduals(busy: readonly BusySealCase[], o: ModelOptions, costs: Partial<Costs>): { residualMs: number[]; returned: boolean[] } {
  const never = { ...costs, sealerBusyPreemptProb: 1 };
  const tickMs = 1000 / o.hz;
  const residualMs = busy.map((c) => c.latencyMs - modelLatencies(busySealScenario(c, { ...o, costs: never }), never, 1)[0]);
  return { residualMs, returned: residualMs.map((r) => r < tickMs / 2) };
}

/**
 * The measured wake-up jitter of case e, centred: the residuals of the seals that returned at their
 * re-check, less their median. The model's sealer on a busy CPU wakes a fixed timerSlackBusyNs
 * after the tick; the real one wakes a few to some tens of us later from seal to seal (two modes
 * about 25-30 us apart in both of the lead's runs). Without this the model's quantile bands are
 * points wherever no replication waits a tick, and any measured jitter below them fails. Centred,
 * it widens the model by the measured spread and never moves it: a shifted model still fails.
 */
export function busyJitterMs(residualMs: readonly number[], returned: readonly boolean[]): number[] {
  const back = residualMs.filter((_, i) => returned[i]);
  if (back.length === 0) return [];
  const mid = quantile(back, 0.5);
  return back.map((r) => r - mid);
}

/** Adds a seeded draw of `jitter` to every model latency (cases x replications). */
export function withJitter(model: readonly (readonly number[])[], jitter: readonly number[], seed: string): number[][] {
  if (jitter.length === 0) return model.map((row) => [...row]);
  const rng = new CounterRng(keyFromString(`jitter/${seed}`));
  return model.map((row) => row.map((x) => x + jitter[rng.int(jitter.length)]));
}

/** Runs the model `replications` times per case and compares each quantity that was measured. */
/**
 * `jitterFrom`: the busy seals the model's wake-up jitter is taken from, with the costs they were
 * fitted under (default: the measured seals themselves, under o.costs: in-sample). Out of sample it
 * is the fit's run: the jitter is part of the fitted model, like its costs, and the other run's
 * own spread must not widen the bands it is judged by.
 */
export async function validateDistributions(
  input: DistributionInput,
  o: ModelOptions & { replications?: number; onProgress?: (done: number, total: number) => void; jitterFrom?: readonly BusySealCase[] },
): Promise<DistributionResult[]> {
  const R = o.replications ?? DEFAULT_REPLICATIONS;
  const out: DistributionResult[] = [];
  const busy = input.busySeals.filter((c) => c.result === 'ok');
  const rt = rtPhaseCases(input.cases);
  const total = busy.length + rt.length;
  let done = 0;
  const step = async () => {
    done++;
    o.onProgress?.(done, total);
    await new Promise((r) => setImmediate(r)); // let a SIGINT handler run between cases
  };
  if (busy.length) {
    const model: number[][] = [];
    for (const [k, c] of busy.entries()) {
      model.push(modelLatencies(busySealScenario(c, o), o.costs, R, k));
      await step();
    }
    const from = o.jitterFrom ? o.jitterFrom.filter((c) => c.result === 'ok') : busy;
    const { residualMs, returned } = busyResiduals(from, o, o.costs ?? {});
    const jitter = busyJitterMs(residualMs, returned);
    const r = compareDistribution('busy-sealer', busy.map((c) => c.latencyMs), withJitter(model, jitter, 'busy-sealer'));
    if (jitter.length) r.jitterUs = { n: jitter.length, p10: Math.round(quantile(jitter, 0.1) * 1e4) / 10, p90: Math.round(quantile(jitter, 0.9) * 1e4) / 10 };
    const run = busy.map((c) => c.runnable).filter((x): x is number => x !== undefined);
    if (run.length) {
      const med = quantile(run, 0.5);
      r.note = `runnable tasks machine-wide before the seals: median ${med} (${Math.min(...run)}..${Math.max(...run)}); the model's busy CPU has the sealer and one CFS spinner`;
    }
    out.push(r);
  }
  if (rt.length) {
    const model: number[][] = [];
    for (const [k, c] of rt.entries()) {
      model.push(modelLatencies(rtScenario(c, o), o.costs, R, k));
      await step();
    }
    out.push(compareDistribution('rt-phase', rt.map((c) => c.latencyMs), model));
  }
  return out;
}

/**
 * Case e's two costs. timerSlackBusyNs: the median residual (latency less the model's with no
 * slack on the busy CPU and a sealer that never waits) of the seals that returned at their
 * re-check. sealerBusyPreemptProb: the share of seals that returned at their re-check (a seal
 * waited when its residual was over half a tick).
 */
export async function fitSealerBusyPreempt(busySeals: readonly BusySealCase[], o: ModelOptions): Promise<{ prob: number; slackNs: number; waited: number; n: number; ticksLate: Record<string, number> } | undefined> {
  const ok = busySeals.filter((c) => c.result === 'ok');
  if (ok.length === 0) return undefined;
  const tickMs = 1000 / o.hz;
  const { residualMs, returned } = busyResiduals(ok, o, { ...o.costs, timerSlackBusyNs: 0 });
  const ticksLate: Record<string, number> = {};
  for (const r of residualMs) {
    const late = Math.max(0, Math.round(r / tickMs));
    ticksLate[late] = (ticksLate[late] ?? 0) + 1;
  }
  const back = residualMs.filter((_, i) => returned[i]);
  const slackNs = back.length ? Math.max(0, Math.round(quantile(back, 0.5) * 1e6)) : (o.costs?.timerSlackNs ?? DEFAULT_COSTS.timerSlackNs);
  const waited = ok.length - back.length;
  return { prob: Math.round(((ok.length - waited) / ok.length) * 1000) / 1000, slackNs, waited, n: ok.length, ticksLate };
}

/** One line per result, for calibrate and validate (the LOADED HOST mark is part of the verdict). */
export function distributionVerdict(r: DistributionResult): string {
  const v = r.pass ? 'pass' : 'FAIL';
  return r.loaded ? `${v} (LOADED HOST)` : v;
}

export function describeBands(r: DistributionResult): string {
  return r.bands.map((b) => `p${Math.round(b.p * 100)} ${b.measuredMs.toFixed(2)} in [${b.lo.toFixed(2)}, ${b.hi.toFixed(2)}]${b.inside ? '' : ' OUT'}`).join('; ');
}


// --- the host's preemption model ---------------------------------------------------------------

export interface HostPreempt {
  model: PreemptModel;
  source: 'debugfs' | 'config' | 'default';
}

/** "none voluntary (full) lazy" (debugfs sched/preempt) -> "full"; "lazy" counts as full. */
export function preemptFromDebugfs(text: string): PreemptModel | undefined {
  const m = /\((\w+)\)/.exec(text);
  const v = m?.[1];
  if (v === 'lazy') return 'full';
  return (PREEMPT_MODELS as readonly string[]).includes(v ?? '') ? (v as PreemptModel) : undefined;
}

/**
 * The host's preemption model for case e's scenarios: debugfs sched/preempt when the probe could
 * read it; else the kernel config's (/proc/config.gz, only when the run is this host's kernel),
 * with a `preempt=` boot option over it under PREEMPT_DYNAMIC; else the scenario default
 * (voluntary: the model's none and voluntary wait alike, Machine.sealerRunsAt).
 */
export function hostPreempt(run: ProbeRun): HostPreempt {
  const fromDebugfs = run.sched?.preempt ? preemptFromDebugfs(run.sched.preempt) : undefined;
  if (fromDebugfs) return { model: fromDebugfs, source: 'debugfs' };
  if (run.meta.release === release()) {
    try {
      const raw = readFileSync('/proc/config.gz');
      const facts = parseKernelConfig(gunzipSync(raw).toString('utf8'));
      let model = facts.preempt;
      if (facts.preemptDynamic) {
        const boot = /(?:^|\s)preempt=(\w+)/.exec(readFileSync('/proc/cmdline', 'utf8'))?.[1];
        if (boot && (PREEMPT_MODELS as readonly string[]).includes(boot)) model = boot as PreemptModel;
      }
      if (model) return { model, source: 'config' };
    } catch {
      // no IKCONFIG_PROC: the default below
    }
  }
  return { model: 'voluntary', source: 'default' };
}

// --- in calibrate and validate -----------------------------------------------------------------

/** What a calibration file keeps for the distribution checks (file.ts CalibrationFile). */
export interface DistributionFileParts {
  busySeals?: BusySealCase[];
  preempt?: HostPreempt;
  distributions?: DistributionResult[];
  load?: CalibrationLoad;
  host: { hz: number | null };
  costs: Partial<Costs>;
  cases: CalibrationCase[];
  notes: string[];
}

/**
 * Calibrate's part: case e's seals into the file, costs.sealerBusyPreemptProb fitted from them,
 * and (with `compare`) the in-sample distribution checks (this run's costs on this run).
 */
export async function addDistributions(file: DistributionFileParts, run: ProbeRun, o: { compare: boolean; replications?: number; log?: (l: string) => void }): Promise<void> {
  const hz = file.host.hz;
  const busySeals = busySealCases(run);
  const rt = rtPhaseCases(file.cases);
  if (!hz || (busySeals.length === 0 && rt.length === 0)) return;
  const preempt = hostPreempt(run);
  file.preempt = preempt;
  if (busySeals.length) {
    file.busySeals = busySeals;
    const fit = await fitSealerBusyPreempt(busySeals, { hz, preempt: preempt.model, costs: file.costs });
    if (fit) {
      file.costs.sealerBusyPreemptProb = fit.prob;
      file.costs.timerSlackBusyNs = fit.slackNs;
      const nice = run.busySetup ? ` (sealer nice ${run.busySetup.sealerNice}, spinner nice ${run.busySetup.hogNice})` : '';
      file.notes.push(
        `case e: with a CFS spinner on the sealing CPU${nice}, ${fit.n - fit.waited} of ${fit.n} seals returned at their re-check and ${fit.waited} waited ` +
          `(ticks late: ${JSON.stringify(fit.ticksLate)}) -> sealerBusyPreemptProb ${fit.prob}; preemption model ${preempt.model} (${preempt.source}). ` +
          `Those that returned did so ${(fit.slackNs / 1000).toFixed(1)} us after the tick (median) -> timerSlackBusyNs (case a's sleepers on an idle CPU: ` +
          `${((file.costs.timerSlackNs ?? DEFAULT_COSTS.timerSlackNs) / 1000).toFixed(1)} us, the exit from idle included).`,
      );
    }
  }
  if (!o.compare) return;
  const loaded = !!file.load?.loaded;
  file.distributions = (await validateDistributions({ busySeals, cases: file.cases }, {
    hz, preempt: preempt.model, costs: file.costs, replications: o.replications,
    onProgress: (d, t) => o.log?.(`calibrate: model replications, case ${d} of ${t}`),
  })).map((r) => ({ ...r, loaded }));
}

/** A calibration file as validate reads it (the fields this module needs). */
export type DistributionFile = DistributionFileParts & { measuredAt?: string };

/**
 * validate's part: the costs fitted from `fit` against the measurements of `fit` (in-sample) and,
 * given, of `against` (out-of-sample: another probe run, not used in the fit).
 */
export async function inAndOutOfSample(fit: DistributionFile, against: DistributionFile | undefined, o: { replications?: number; log?: (l: string) => void } = {}): Promise<{ inSample: DistributionResult[]; outOfSample?: DistributionResult[] }> {
  const run = async (data: DistributionFile, label: string) => {
    const hz = data.host.hz ?? fit.host.hz;
    if (!hz) return [];
    const preempt = (data.preempt ?? fit.preempt ?? { model: 'voluntary' as const }).model;
    const res = await validateDistributions({ busySeals: data.busySeals ?? [], cases: data.cases }, {
      hz, preempt, costs: fit.costs, replications: o.replications, jitterFrom: fit.busySeals ?? [],
      onProgress: (d, t) => o.log?.(`validate: ${label}: model replications, case ${d} of ${t}`),
    });
    return res.map((r) => ({ ...r, loaded: !!data.load?.loaded }));
  };
  const inSample = await run(fit, 'in-sample');
  return against ? { inSample, outOfSample: await run(against, 'out-of-sample') } : { inSample };
}
