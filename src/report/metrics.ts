/**
 * The metrics the report compares, with their units and which way is good. "Lower is better" for
 * everything that costs (latency, lock hold, failures, interruptions, CPU time); "higher" only
 * for successful seals.
 */
import type { StrategyRun } from '../metrics/record.ts';
import type { MetricDef, MetricId } from './types.ts';

const hasSeals = (r: StrategyRun) => r.summary.seals > 0;

export const METRICS: Record<MetricId, MetricDef> = {
  latencyP50: { id: 'latencyP50', label: 'seal latency p50', unit: 'ms', direction: 'lower', exact: false, of: (r) => (hasSeals(r) ? r.summary.latencyMs.p50 : undefined) },
  latencyP99: { id: 'latencyP99', label: 'seal latency p99', unit: 'ms', direction: 'lower', exact: false, of: (r) => (hasSeals(r) ? r.summary.latencyMs.p99 : undefined) },
  latencyMax: { id: 'latencyMax', label: 'seal latency max', unit: 'ms', direction: 'lower', exact: false, of: (r) => (hasSeals(r) ? r.summary.latencyMs.max : undefined) },
  lockHoldP99: { id: 'lockHoldP99', label: 'lock hold p99', unit: 'ms', direction: 'lower', exact: false, of: (r) => (hasSeals(r) ? r.summary.lockHoldMs.p99 : undefined) },
  mutexWaitP99: { id: 'mutexWaitP99', label: 'mutex wait p99', unit: 'ms', direction: 'lower', exact: false, of: (r) => (hasSeals(r) && r.summary.mutexWaitMs ? r.summary.mutexWaitMs.p99 : undefined) },
  ok: { id: 'ok', label: 'ok seals', unit: 'seals', direction: 'higher', exact: true, of: (r) => r.summary.ok },
  ebusy: { id: 'ebusy', label: 'EBUSY', unit: 'seals', direction: 'lower', exact: true, of: (r) => r.summary.ebusy },
  spuriousEbusy: { id: 'spuriousEbusy', label: 'spurious EBUSY', unit: 'seals', direction: 'lower', exact: true, of: (r) => r.summary.spuriousEbusy },
  unsafe: { id: 'unsafe', label: 'unsafe ok', unit: 'seals', direction: 'lower', exact: true, of: (r) => r.summary.unsafe },
  cpusInterrupted: { id: 'cpusInterrupted', label: 'CPUs interrupted', unit: 'CPUs', direction: 'lower', exact: true, of: (r) => r.summary.cpusInterrupted },
  isolatedDisturbances: { id: 'isolatedDisturbances', label: 'isolated disturbances', unit: 'interruptions', direction: 'lower', exact: true, of: (r) => r.summary.isolatedDisturbances },
  drainCpuMs: { id: 'drainCpuMs', label: 'drain CPU time', unit: 'ms', direction: 'lower', exact: false, of: (r) => r.summary.drainCpuMs },
  drainAllCalls: { id: 'drainAllCalls', label: 'drain_all calls', unit: 'calls', direction: 'lower', exact: true, of: (r) => r.summary.drainAllCalls },
};

export const METRIC_IDS = Object.keys(METRICS) as MetricId[];

/** Metrics of the paired-difference table, in column order. */
export const PAIRED_METRICS: MetricId[] = [
  'latencyP50',
  'latencyP99',
  'lockHoldP99',
  'ebusy',
  'spuriousEbusy',
  'cpusInterrupted',
  'isolatedDisturbances',
  'drainCpuMs',
];

/** Names accepted by --fail-on besides the ids (case-insensitive). */
const ALIASES: Record<string, MetricId> = {
  p50: 'latencyP50',
  p99: 'latencyP99',
  max: 'latencyMax',
  latency: 'latencyP99',
  lockhold: 'lockHoldP99',
  spurious: 'spuriousEbusy',
  interrupted: 'cpusInterrupted',
  isolated: 'isolatedDisturbances',
  draincpu: 'drainCpuMs',
};

/** The metric a user's name refers to, or undefined. */
export function metricByName(name: string): MetricId | undefined {
  const lower = name.toLowerCase();
  const direct = METRIC_IDS.find((id) => id.toLowerCase() === lower);
  return direct ?? ALIASES[lower];
}

export const METRIC_NAMES_HELP = `${METRIC_IDS.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`;
