/**
 * The result record: docs/result-record.md. Every exporter (terminal table, JSON, report) reads only
 * these types. Fields may be added; the contract's fields are never renamed or dropped.
 */

import type { LoadProfile } from './load.ts';

export type SealResult = 'ok' | 'EBUSY' | 'EPERM';

/** One fcntl(F_ADD_SEALS, F_SEAL_WRITE) call, as the strategy under test did it. */
export interface SealRecord {
  file: number;
  cpu: number;
  /** Simulated time of the fcntl call (ms). */
  startMs: number;
  /** Simulated time of its return (ms). */
  endMs: number;
  result: SealResult;
  /** EBUSY while no page of the file had a real pin outstanding: only LRU-cache refs were left. */
  spurious: boolean;
  /** This seal set F_SEAL_WRITE while a pin taken before the seal began was still held at return. Never for a correct strategy. */
  unsafe: boolean;
  /** Wait-loop passes that re-checked tagged pages (0 when nothing was tagged). */
  passes: number;
  /** Time the inode lock was held by this seal (ms). */
  lockHoldMs: number;
  drainAllCalls: number;
  /** CPUs that ran drain work or took an IPI for it, on behalf of this seal. */
  cpusInterrupted: number;
  mutexWaitMs: number;
  /** Isolated (nohz_full) CPUs this seal's drains interrupted. */
  isolatedDisturbances: number;
  /** CPU time spent draining on this seal's behalf: the caller's scan and queueing plus every kworker's drain (ms). */
  drainCpuMs: number;
  /** drain_all calls that scanned the CPUs (the others piggybacked, OP5' v5.5). */
  drainPasses?: number;
  /** Drain work items this seal caused, per class of the CPU they ran on. */
  disturbanceByClass?: Partial<Record<'idle' | 'busy' | 'rt' | 'isolated', number>>;
  /** Pages tagged by the tag pass. */
  tagged: number;
  /** Why it failed, when it failed: 'shared-mapping' (deny_writable), 'pinned', 'sealed' (F_SEAL_SEAL). */
  reason?: 'shared-mapping' | 'pinned' | 'sealed';
}

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface RunSummary {
  seals: number;
  ok: number;
  ebusy: number;
  eperm: number;
  spuriousEbusy: number;
  unsafe: number;
  latencyMs: Quantiles;
  lockHoldMs: { p50: number; p99: number; max: number };
  cpusInterrupted: number;
  isolatedDisturbances: number;
  drainCpuMs: number;
  drainAllCalls: number;
  /** drain_all calls by seals that scanned the CPUs rather than piggyback. */
  drainPasses?: number;
  /** drain_all calls by anyone (seals and background callers). */
  drainAllCallsTotal: number;
  /** What background drain_all callers (the `drainAll` op and generator) caused; the fields above count seals only. */
  background?: { drainAllCalls: number; cpusInterrupted: number; isolatedDisturbances: number; drainCpuMs: number; mutexWaitMs: number };
  mutexWaitMs: { p50: number; p99: number; max: number };
  /** Drain work items caused by seals, per class of the CPU they ran on (idle, busy, rt, isolated). */
  disturbanceByClass?: Record<string, number>;
  /** Seals still running at the horizon (not in `seals`, not in the statistics). */
  unfinished?: number;
  /** A per-add cost the strategy imposes on every pagevec add on every CPU (S7), summed over the run (ms). */
  lruAddOverheadMs?: number;
  /** Simulated events processed (for throughput figures). */
  events: number;
  /** Seals that started in the warm-up (scenario load.warmUpMs): left out of `seals` and of every figure above. Only with a warm-up. */
  warmUpSeals?: number;
}

/**
 * Names the simulator writes into records. The record's fields stay `string` (a reader may meet
 * records of other lab versions); the simulator's writers take these unions, so a misspelt name
 * does not compile.
 *
 * The lock classes the model takes, by their lockdep names (docs/kernel-model.md, section F):
 * the inode lock, drain_all's mutex, the CPU-hotplug lock, and the locks of the 2017 splat's
 * other chains (cpuhp state setup, a splice into devtmpfs).
 */
export const LOCK_NAMES = ['i_rwsem', 'lru_add_drain_all.lock', 'cpu_hotplug_lock', 'cpuhp_state_mutex', 'cpuhp_state-completion', 'sb_writers', 'pipe->mutex'] as const;
export type LockName = (typeof LOCK_NAMES)[number];

export interface LockdepReport {
  /** Ordered edges held -> acquired, each once, in first-seen order. */
  edges: [string, string][];
  /** Each elementary cycle once, rotated to start at its smallest lock name. */
  cycles: string[][];
}

/** The steps a seal's timeline records (TimelineEvent.what). */
export const TRACE_STEPS = [
  'seal-start', 'inode-lock', 'tagged', 'local-drain', 'drain-all', 'mutex-wait', 'piggyback', 'queue', 'flushed', 'kworker',
  'remote-drain', 'lru-cache-disable', 'skip-scan', 'sleep', 'runqueue-wait', 'recheck', 'inode-unlock', 'seal-end',
] as const;
export type TraceStep = (typeof TRACE_STEPS)[number];

/** A step of one seal's timeline, for the report's timeline chart. */
export interface TimelineEvent {
  atMs: number;
  cpu: number;
  /** What happened: one of TRACE_STEPS. */
  what: string;
  /** Optional duration (ms) for spans. */
  durMs?: number;
  detail?: string;
}

/** A user strategy (--strategy-file): where it came from and which version of it ran. */
export interface PluginRef {
  /** The file as given (relative to the working directory when inside it). */
  file: string;
  /** sha256 of the bundled sources (the file and what it imports), first 12 hex digits. */
  sha256: string;
  /** The strategy API version it was written against. */
  api: number;
  /** It replaced a built-in strategy of the same name (--force). */
  shadows?: boolean;
}

/**
 * A user strategy that failed: it threw (`threw`), or a seal it started had not returned by
 * the horizon and still had not a grace period later (`stuck`); the run's seals and summary hold
 * what finished before. Or one call into its seal path ran past the harness's wall-clock budget
 * (`hung`: a loop that never yields; DRAINLAB_PLUGIN_BUDGET_MS): its thread was stopped and the
 * run holds no seals. The command exits 1 in every case.
 */
export interface StrategyFailure {
  kind: 'threw' | 'stuck' | 'hung';
  message: string;
  /** The strategy's source file and line (of the throw, or of the step a stuck seal waits in). */
  file: string;
  line?: number;
  column?: number;
  /** Simulated time of the throw, or the horizon (ms). */
  atMs: number;
}

export interface StrategyRun {
  strategy: string;
  /** Set for a user strategy. */
  plugin?: PluginRef;
  /** Set when a user strategy failed (the other strategies' runs are unaffected). */
  error?: StrategyFailure;
  seals: SealRecord[];
  summary: RunSummary;
  lockdep: LockdepReport;
  /** The first seal's step-by-step timeline (bounded in length). */
  timeline?: TimelineEvent[];
  /**
   * The run's own load over time (src/metrics/load.ts): pages entering pagevecs per CPU, drain_all
   * calls and pins per window, and the first-third/last-third check. Present when the scenario
   * states its load (`load`), or when the check warns.
   */
  load?: LoadProfile;
}

export interface Provenance {
  drainlab: string;
  gitCommit: string;
  wasmSha256: string;
  node: string;
  host: { cpus: number; model: string };
  startedAt: string;
  wallMs: number;
  /** Worker threads used for the run (never changes results). */
  workers?: number;
}

export interface RunRecord<S = Record<string, unknown>> {
  schema: 'drainlab/run@1';
  /** The fully resolved scenario, every default filled in. */
  scenario: S;
  provenance: Provenance;
  runs: StrategyRun[];
  /**
   * What the reader must know before trusting the figures, one sentence each: today the load
   * self-check's warnings (a load that changed by more than load.maxChange over the horizon, which
   * the scenario did not state), each naming the strategies it holds for unless it holds for all.
   * Absent when there is nothing to say. The report shows them above the figures.
   */
  warnings?: string[];
}
