/**
 * The metric registry: the one list of the numbers drainlab reports about a strategy run, with
 * their unit, which way is good, and how to read them from a record (docs/result-record.md).
 * The terminal table, the report (tables, paired statistics, findings), `report --fail-on`,
 * `report --baseline` and `tune --metric` all name metrics through it, so a name that works in
 * one place works in all of them.
 *
 * A metric's name is its path in the run summary (`latencyMs.p99`, `spuriousEbusy`), or, for a
 * derived rate, a name of its own (`spuriousRate`). Older names (`latencyP99`, `p99`) are kept
 * as aliases so saved baselines and scripts keep working.
 */
import type { StrategyRun } from './record.ts';
import { UsageError } from '../errors.ts';
import { fmtDiff, fmtUnit } from '../io/format.ts';


import type { Direction } from '../stats/bootstrap.ts';
export type { Direction };

export interface Metric {
  /** The canonical name: the summary path, e.g. 'latencyMs.p99'. */
  name: string;
  /** Short human label, e.g. 'seal latency p99'. */
  label: string;
  /** 'ms' for times (formatted with the one time formatter), else the counted thing. */
  unit: string;
  direction: Direction;
  /** An exact counter (sums are shown as integers, never as estimates). */
  exact: boolean;
  /** The value for one strategy run (one replication), or undefined where it has no meaning (latency of zero seals). */
  of(run: StrategyRun): number | undefined;
  /** Other names accepted for it (case-insensitive). */
  aliases: readonly string[];
}

const hasSeals = (r: StrategyRun) => r.summary.seals > 0;
const perSeal = (r: StrategyRun, n: number) => (r.summary.seals > 0 ? n / r.summary.seals : undefined);

function m(name: string, label: string, unit: string, direction: Direction, exact: boolean, of: Metric['of'], aliases: string[] = []): Metric {
  return { name, label, unit, direction, exact, of, aliases };
}

/** Every metric, in the order tables show them. */
export const METRIC_LIST: readonly Metric[] = [
  m('seals', 'seals', 'seals', 'higher', true, (r) => r.summary.seals),
  m('ok', 'ok seals', 'seals', 'higher', true, (r) => r.summary.ok),
  m('ebusy', 'EBUSY', 'seals', 'lower', true, (r) => r.summary.ebusy),
  m('spuriousEbusy', 'spurious EBUSY', 'seals', 'lower', true, (r) => r.summary.spuriousEbusy, ['spurious']),
  m('unsafe', 'unsafe ok', 'seals', 'lower', true, (r) => r.summary.unsafe),
  m('eperm', 'EPERM', 'seals', 'lower', true, (r) => r.summary.eperm),
  m('unfinished', 'unfinished seals', 'seals', 'lower', true, (r) => r.summary.unfinished ?? 0),
  m('ebusyRate', 'EBUSY per seal', 'fraction', 'lower', false, (r) => perSeal(r, r.summary.ebusy)),
  m('spuriousRate', 'spurious EBUSY per seal', 'fraction', 'lower', false, (r) => perSeal(r, r.summary.spuriousEbusy)),
  m('latencyMs.p50', 'seal latency p50', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.latencyMs.p50 : undefined), ['latencyP50', 'p50']),
  m('latencyMs.p90', 'seal latency p90', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.latencyMs.p90 : undefined), ['latencyP90', 'p90']),
  m('latencyMs.p99', 'seal latency p99', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.latencyMs.p99 : undefined), ['latencyP99', 'p99', 'latency']),
  m('latencyMs.max', 'seal latency max', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.latencyMs.max : undefined), ['latencyMax', 'max']),
  m('latencyMs.mean', 'seal latency mean', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.latencyMs.mean : undefined), ['latencyMean', 'mean']),
  m('lockHoldMs.p50', 'lock hold p50', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.lockHoldMs.p50 : undefined), ['lockHoldP50']),
  m('lockHoldMs.p99', 'lock hold p99', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.lockHoldMs.p99 : undefined), ['lockHoldP99', 'lockhold']),
  m('lockHoldMs.max', 'lock hold max', 'ms', 'lower', false, (r) => (hasSeals(r) ? r.summary.lockHoldMs.max : undefined), ['lockHoldMax']),
  m('mutexWaitMs.p99', 'drain mutex wait p99', 'ms', 'lower', false, (r) => (hasSeals(r) && r.summary.mutexWaitMs ? r.summary.mutexWaitMs.p99 : undefined), ['mutexWaitP99']),
  m('drainAllCalls', 'drain_all calls', 'calls', 'lower', true, (r) => r.summary.drainAllCalls),
  m('cpusInterrupted', 'CPUs interrupted', 'CPUs', 'lower', true, (r) => r.summary.cpusInterrupted, ['interrupted']),
  m('cpusPerSeal', 'CPUs interrupted per seal', 'CPUs/seal', 'lower', false, (r) => perSeal(r, r.summary.cpusInterrupted)),
  m('isolatedDisturbances', 'isolated disturbances', 'interruptions', 'lower', true, (r) => r.summary.isolatedDisturbances, ['isolated']),
  m('drainCpuMs', 'drain CPU time', 'ms', 'lower', false, (r) => r.summary.drainCpuMs, ['draincpu']),
  m('lockdepCycles', 'lockdep cycles', 'cycles', 'lower', true, (r) => r.lockdep?.cycles.length ?? 0, ['cycles']),
];

export type MetricName = string;

const BY_NAME = new Map<string, Metric>();
for (const x of METRIC_LIST) for (const n of [x.name, ...x.aliases]) BY_NAME.set(n.toLowerCase(), x);

/** The metric a user's name refers to (canonical name or alias, any case), or undefined. */
export function findMetric(name: string): Metric | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** The allowed names, for error messages: every canonical name, then the aliases. */
export function metricNamesHelp(): string {
  return `${METRIC_LIST.map((x) => x.name).join(', ')} (also: ${METRIC_LIST.flatMap((x) => x.aliases).join(', ')})`;
}

/** The metric named `name`, or a UsageError (exit 2) naming `flag` and the allowed names. */
export function requireMetric(name: string, flag: string): Metric {
  const x = findMetric(name);
  if (!x) throw new UsageError(`${flag}: unknown metric ${JSON.stringify(name)}; allowed: ${metricNamesHelp()}`);
  return x;
}

/** The metric by canonical name (code paths that name a metric literally; throws on a typo). */
export function metric(name: string): Metric {
  const x = BY_NAME.get(name.toLowerCase());
  if (!x || x.name !== name) throw new Error(`metric registry: no metric named ${name}`);
  return x;
}

/** A metric's value as tables show it (times in their own unit, exact counts as integers). */
export function fmtMetric(x: Metric, v: number | null | undefined): string {
  return fmtUnit(v, x.unit, x.exact);
}

/** A difference of a metric's values, signed. */
export function fmtMetricDiff(x: Metric, v: number | null | undefined): string {
  return fmtDiff(v, x.unit);
}
