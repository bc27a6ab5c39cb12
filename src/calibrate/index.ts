/**
 * `drainlab calibrate`: build and run the probe, fit the costs, write the calibration file, and
 * (given a predictor) compare the model with every measurement. The probe is bounded by its
 * budget (default 40 s), so the whole command stays under a minute. Without a usable probe
 * (not Linux, no C compiler) it reports why and writes nothing.
 */
import { hostInfo } from './host.ts';
import { fitCalibration, hostLoad } from './fit.ts';
import { probeCases } from './cases.ts';
import { guestCases } from './guest.ts';
import { compareCases, slackSpreadNs, type Predictor } from './compare.ts';
import { locateProbe, runProbe, type ProbeCase } from './probe.ts';
import { parseProbeOutput, type ProbeRun } from './parse.ts';
import { addDistributions } from './distribution.ts';
import { CALIBRATION_SCHEMA, writeCalibration, type CalibrationFile } from './file.ts';
import { UsageError } from '../errors.ts';
import { HostLoadMeter, type HostLoad } from '../io/host-load.ts';

export interface CalibrateOptions {
  /** Where to write the calibration JSON (nothing written when absent). */
  out?: string;
  quick?: boolean;
  cases?: ProbeCase[];
  budgetMs?: number;
  /** Use a recorded probe output instead of running the probe (tests, offline fits). */
  recorded?: string;
  /** Compare the model with the measurements (e.g. simPredictor() from predict.ts). */
  predictor?: Predictor;
  strategy?: string;
  /** Fit a probe run that did not finish (no end line, interrupted, killed), with a warning in the file. */
  allowPartial?: boolean;
  /** Model replications per case for the distribution checks (distribution.ts; default 200). */
  replications?: number;
  log?: (line: string) => void;
}

export type CalibrateOutcome =
  | { status: 'measured'; file: CalibrationFile; path?: string }
  | { status: 'unavailable'; reason: string };

/**
 * Why a probe run is partial, or undefined when it finished: no "end" line (killed, e.g. by
 * SIGKILL), an interrupted end (a signal, or the parent gone), or an exit by signal / a code
 * other than 0.
 */
export function partialReason(run: ProbeRun, exit?: { code: number | null; signal: string | null }): string | undefined {
  if (!run.end) return 'the probe output has no "end" line (the probe was killed or its output cut)';
  if (run.end.interrupted) return `the probe was interrupted${run.end.signal ? ` by signal ${run.end.signal}` : ''} before its cases finished`;
  if (exit?.signal) return `the probe was killed by ${exit.signal}`;
  if (exit && exit.code !== 0) return `the probe exited with code ${exit.code}`;
  return undefined;
}

/**
 * Fits a parsed probe run into a calibration file (no I/O). `measuredLoad`: the host meter's verdict
 * over the probe's run (calibrate); without it (a recorded run) the load is judged from the load
 * average the probe printed at its start.
 */
export async function buildCalibration(run: ProbeRun, o: Pick<CalibrateOptions, 'predictor' | 'strategy' | 'replications' | 'log'> & { measuredLoad?: HostLoad } = {}, configHz?: number | null): Promise<CalibrationFile> {
  const host = configHz === undefined ? hostInfo(run) : hostInfo(run, configHz);
  const fit = fitCalibration(run, host, o.measuredLoad);
  const cases = probeCases(run);
  const file: CalibrationFile = {
    schema: CALIBRATION_SCHEMA,
    host: { kernel: host.kernel, hz: host.hz, hzSource: host.hzSource, cpus: host.cpus, model: host.model },
    measuredAt: new Date(run.meta.startedAtUnixMs).toISOString(),
    costs: fit.costs,
    cases,
    notes: fit.notes,
    derived: fit.derived,
    load: hostLoad(run, o.measuredLoad),
    probe: {
      version: run.meta.version, quick: run.meta.quick, elapsedMs: run.end?.elapsedMs ?? null, complete: !!run.end && !run.end.interrupted,
      skipped: run.skips.map((s) => ({ case: s.case, reason: s.reason })),
      // the tick grid every start phase is measured from (probe tick.c): to compare runs' references
      ...(run.clock ? { clock: { tickNs: run.clock.tickNs, tickPhaseNs: run.clock.tickPhaseNs, stepSeenAtPhaseNs: run.clock.stepSeenAtPhaseNs } } : {}),
    },
  };
  // case e's fit and, with a predictor, the in-sample distribution checks (distribution.ts)
  await addDistributions(file, run, { compare: !!o.predictor, replications: o.replications, log: o.log });
  if (run.guests.length) file.guestCases = guestCases(run);
  if (o.predictor && host.hz) {
    file.comparison = await compareCases(cases, o.predictor, { kernel: host.kernel, hz: host.hz, strategy: o.strategy, costs: fit.costs, slackSpreadNs: slackSpreadNs(fit.derived) });
  }
  return file;
}

export async function calibrate(o: CalibrateOptions = {}): Promise<CalibrateOutcome> {
  const log = o.log ?? (() => {});
  let run: ProbeRun;
  let exit: { code: number | null; signal: string | null } | undefined;
  let measuredLoad: HostLoad | undefined;
  if (o.recorded !== undefined) {
    run = parseProbeOutput(o.recorded, 'recorded probe output');
  } else {
    const probe = locateProbe();
    if (!probe.available) return { status: 'unavailable', reason: probe.reason };
    log(`calibrate: running ${probe.path}${o.quick ? ' --quick' : ''} (at most ${Math.round((o.budgetMs ?? 40_000) / 1000)} s)`);
    // the host's load from just before the probe to its exit: other processes' CPU, not the probe's
    // own (its spinners raise the load average by themselves; io/host-load.ts)
    const meter = new HostLoadMeter();
    meter.start();
    const res = await runProbe({ binary: probe.path, quick: o.quick, cases: o.cases, budgetMs: o.budgetMs ?? 40_000, onStderr: (l) => log(l) });
    measuredLoad = meter.stop();
    run = res.run;
    exit = { code: res.code, signal: res.signal };
  }
  const partial = partialReason(run, exit);
  if (partial && !o.allowPartial) {
    throw new UsageError(`calibrate: ${partial}; refusing to fit partial output (nothing written). --allow-partial fits it anyway, with a warning in the file`);
  }
  const file = await buildCalibration(run, { ...o, measuredLoad });
  if (partial) {
    const warning = `PARTIAL PROBE OUTPUT (fitted with --allow-partial): ${partial}; cases that did not run are missing and the fit may rest on fewer measurements`;
    file.warnings = [...(file.warnings ?? []), warning];
    log(`calibrate: warning: ${warning}`);
  }
  if (o.out) writeCalibration(o.out, file);
  return { status: 'measured', file, ...(o.out ? { path: o.out } : {}) };
}

export { parseProbeOutput } from './parse.ts';
export { probeCases, caseScenario } from './cases.ts';
export { compareCases } from './compare.ts';
export { fitCalibration, hostLoad, loadedHostLine } from './fit.ts';
export { hostInfo } from './host.ts';
export { locateProbe, runProbe } from './probe.ts';
export { readCalibration, writeCalibration } from './file.ts';
export type { Predictor, Comparison, ComparisonRow } from './compare.ts';
export type { CalibrationCase, CalibrationScenario } from './cases.ts';
export type { CalibrationFile } from './file.ts';
