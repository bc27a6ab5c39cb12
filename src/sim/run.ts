/**
 * Runs a resolved scenario: one machine per strategy, the same seeds for each (common random
 * numbers), the result record of docs/result-record.md.
 */
import { Arena } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { presetScenario } from '../scenario/presets.ts';
import { strategy as lookup } from '../strategies/registry.ts';
import type { PluginInfo, Strategy } from '../strategies/types.ts';
import { Machine } from './machine.ts';
import { applyOp, prepareOp, type OpContext } from './ops.ts';
import { startWorkload } from './workload.ts';
import { summarize } from '../metrics/summary.ts';
import { loadWarnings } from '../metrics/load.ts';
import type { RunRecord, SealRecord, StrategyFailure, StrategyRun } from '../metrics/record.ts';
import { provenance } from '../metrics/provenance.ts';
import type { Costs } from '../kernel/costs.ts';
import { guardedProc, pluginBudgetMs } from './plugin-guard.ts';
import { newAcct } from '../metrics/drain-acct.ts';

export interface RunOptions {
  /** Overrides the scenario's strategies. */
  strategies?: string[];
  /**
   * User strategies the harness watchdog stopped in an earlier attempt (name -> simulated time of
   * the call, ns): not run again; their runs are hungRun()'s (src/sim/plugin-guard.ts).
   */
  hung?: Record<string, number>;
  seed?: number;
  workers?: number;
  calibration?: Partial<Costs>;
}

/**
/**
 * How long past the horizon a user strategy's seals still in flight may take to return before the
 * run calls them stuck: as long again as the horizon, at least 1 s of simulated time. Built-in
 * strategies are not checked (a seal that starts just before the horizon is still running there;
 * the summary counts it in `unfinished`).
 */
export const STUCK_GRACE_MIN_MS = 1000;

/**
 * One strategy's simulation, started but not run: `advance(ns)` runs its events up to a simulated
 * time (any number of calls, in increasing order: the same events run as in one call, so the run
 * is the same however it is sliced), `finish()` runs the rest to the horizon and returns the run.
 * Slicing lets a caller look at the clock between slices (the worker-count probe,
 * src/pool/auto-workers.ts) and let its event loop turn.
 */
export interface Simulation {
  readonly horizonNs: number;
  advance(untilNs: number): void;
  finish(): StrategyRun;
}

/**
 * Sets up one strategy on a machine built over `arena` (which must be fresh or reset): a name
 * from the registry, or a strategy object itself. A user strategy runs as a fresh instance (its
 * module evaluated again), so no state carries from one run to the next; if it throws, in any
 * slice, the run stops there and finish() reports it.
 */
export function startSimulation(s: Scenario, strategy: string | Strategy, arena: Arena): Simulation {
  const registered = typeof strategy === 'string' ? lookup(strategy) : strategy;
  const strat = registered.plugin ? registered.plugin.instantiate() : registered;
  const strategyName = strat.name;
  const plugin = strat.plugin;
  const m = new Machine(s, arena, strat.drainAll);
  const seals: SealRecord[] = [];
  // A user strategy's steps are timed for the harness watchdog (plugin-guard.ts) when this thread has one.
  const addSeals: Strategy['addSeals'] = plugin ? (sc, sealSeal) => guardedProc(strat.addSeals(sc, sealSeal), () => m.now, s.strategies.indexOf(strategyName)) : strat.addSeals;
  const ctx: OpContext = { m, addSeals, seals, started: 0, plugin: plugin !== undefined, inFlight: plugin ? new Set() : undefined };
  // Script ops in (atMs, order in file) order: the engine's sequence numbers keep file order on ties.
  s.script.forEach((o, i) => {
    const op = prepareOp(s, o, `script[${i}]`);
    m.engine.at(o.atMs * 1e6, () => applyOp(ctx, op));
  });
  startWorkload(ctx);
  const horizonNs = s.horizonMs * 1e6;
  let error: StrategyFailure | undefined;
  const runTo = (t: number) => {
    if (error) return;
    try {
      m.engine.run(t);
    } catch (e) {
      if (!plugin) throw e;
      error = failure('threw', `threw: ${describe(e)}`, plugin, plugin.locate(e), m.now);
    }
  };
  const finish = (): StrategyRun => {
    runTo(horizonNs);
    seals.sort((a, b) => a.startMs - b.startMs || a.cpu - b.cpu || a.file - b.file);
    // The warm-up (load.warmUpMs): pagevecs start empty, so seals before it are left out.
    const warmUpMs = s.load?.warmUpMs ?? 0;
    const kept = warmUpMs > 0 ? seals.filter((x) => x.startMs >= warmUpMs) : seals;
    const summary = summarize(kept, m.background, m.engine.events);
    summary.unfinished = ctx.started - seals.length;
    // S7's spinlock on every pagevec add, on every CPU, for the whole run.
    summary.lruAddOverheadMs = Math.round(m.pvecAdds * (strat.perAddCost?.(s.costs) ?? 0)) / 1e6;
    if (warmUpMs > 0) summary.warmUpSeals = seals.length - kept.length;
    const load = m.load.profile(Object.values(s.workload).some((g) => (Array.isArray(g) ? g.length > 0 : g !== undefined))); // workload.replay is one object
    const run: StrategyRun = {
      strategy: strategyName,
      ...(plugin ? { plugin: { file: plugin.file, sha256: plugin.sha256, api: strat.apiVersion ?? 0, ...(plugin.shadows ? { shadows: true } : {}) } } : {}),
      seals: kept,
      summary,
      lockdep: m.lockdep.report(),
      timeline: plugin ? m.timeline.slice() : m.timeline,
      // The measurement goes into the record when the scenario states its load, or with a warning.
      ...(s.load || load.warning ? { load } : {}),
    };
    if (plugin && !error && ctx.inFlight!.size > 0) error = stuckSeals(s, m, ctx, plugin);
    if (error) run.error = error;
    return run;
  };
  return { horizonNs, advance: (untilNs: number) => runTo(Math.min(untilNs, horizonNs)), finish };
}

/**
 * Simulates one strategy on a machine built over `arena` (which must be fresh or reset): a name
 * from the registry, or a strategy object itself.
 */
export function simulate(s: Scenario, strategy: string | Strategy, arena: Arena): StrategyRun {
  return startSimulation(s, strategy, arena).finish();
}

/**
 * A user strategy's seals still running at the horizon: the simulation goes on for the grace
 * period (nothing it does is recorded); a seal that has not returned by then never will. The
 * failure names the step it waits in (the last blocking building block it entered).
 */
function stuckSeals(s: Scenario, m: Machine, ctx: OpContext, plugin: PluginInfo): StrategyFailure | undefined {
  const horizon = s.horizonMs * 1e6;
  const pending = [...ctx.inFlight!];
  ctx.seals = []; // seals returning during the grace period are not part of the run
  try {
    m.engine.run(horizon + Math.max(STUCK_GRACE_MIN_MS, s.horizonMs) * 1e6);
  } catch (e) {
    return failure('threw', `threw after the horizon: ${describe(e)}`, plugin, plugin.locate(e), m.now);
  }
  const stuck = pending.filter((sc) => ctx.inFlight!.has(sc));
  if (stuck.length === 0) return undefined;
  const first = stuck[0]!;
  const graceMs = Math.max(STUCK_GRACE_MIN_MS, s.horizonMs);
  return failure(
    'stuck',
    `${stuck.length} seal(s) never returned: the first, on CPU ${first.task.cpu} for file ${first.file}, started at ${first.startNs / 1e6} ms and was still waiting at the horizon (${s.horizonMs} ms) and ${graceMs} ms later` +
      ` (holding ${first.task.held.length ? first.task.held.join(', ') : 'no lock'})`,
    plugin,
    first.where ? plugin.locate(first.where) : undefined,
    horizon,
  );
}

/**
 * The run of a user strategy the harness watchdog stopped (plugin-guard.ts): one call into its
 * seal path ran past the wall-clock budget, so its thread was terminated and nothing it
 * simulated is kept; the record says so (`error.kind` 'hung') and the command exits 1.
 */
export function hungRun(strategyName: string, plugin: PluginInfo, apiVersion: number, budgetMs: number, atNs: number | undefined): StrategyRun {
  return {
    strategy: strategyName,
    plugin: { file: plugin.file, sha256: plugin.sha256, api: apiVersion, ...(plugin.shadows ? { shadows: true } : {}) },
    error: {
      kind: 'hung',
      message: `one call into its seal path${atNs !== undefined ? ` (at simulated time ${atNs / 1e6} ms)` : ''} ran for more than ${budgetMs} ms of wall-clock time without returning (a loop that never yields?); the harness stopped it (DRAINLAB_PLUGIN_BUDGET_MS) and kept none of its run`,
      file: plugin.file,
      atMs: atNs !== undefined ? atNs / 1e6 : 0,
    },
    seals: [],
    summary: summarize([], newAcct(), 0),
    lockdep: { edges: [], cycles: [] },
  };
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}

function failure(kind: StrategyFailure['kind'], message: string, plugin: PluginInfo, at: { file: string; line: number; column: number } | undefined, nowNs: number): StrategyFailure {
  return { kind, message, file: at?.file ?? plugin.file, ...(at ? { line: at.line, column: at.column } : {}), atMs: nowNs / 1e6 };
}

/** A resolved scenario with every strategy asked for, in this thread (on `arena`'s runner if given). */
export function runResolved(s: Scenario, opts: RunOptions = {}, given?: Arena): RunRecord<Scenario> {
  const started = new Date();
  const t0 = performance.now();
  const scenario: Scenario = {
    ...s,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.strategies ? { strategies: opts.strategies } : {}),
  };
  const plan = planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize);
  let arena = given;
  let fresh = given === undefined;
  const runs = scenario.strategies.map((name) => {
    if (opts.hung && name in opts.hung) {
      const st = lookup(name);
      return hungRun(name, st.plugin!, st.apiVersion ?? 0, pluginBudgetMs(), opts.hung[name]);
    }
    if (!arena) arena = Arena.create(plan);
    else if (!fresh) arena.reset();
    fresh = false;
    return simulate(scenario, name, arena);
  });
  return withWarnings({ schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, arena?.runner.workers ?? 1), runs });
}

/** The record with its `warnings` (load changes the scenario did not state), when there are any. */
export function withWarnings<S>(r: RunRecord<S>): RunRecord<S> {
  const warnings = loadWarnings(r.runs);
  return warnings.length ? { ...r, warnings } : r;
}

/** Strategy runs claimed by one thread: the index in the scenario's list, and the run. */
export interface Claimed {
  index: number;
  run: StrategyRun;
}

/**
 * Simulates the strategies whose index this thread claims from the shared counter `next` (an
 * Atomics.add each), until none is left; `arena()` gives this thread's arena, reset before use.
 */
export function claimStrategies(s: Scenario, next: Int32Array, arena: () => Arena): Claimed[] {
  const out: Claimed[] = [];
  for (let i = Atomics.add(next, 0, 1); i < s.strategies.length; i = Atomics.add(next, 0, 1)) {
    const a = arena();
    a.reset();
    out.push({ index: i, run: simulate(s, s.strategies[i]!, a) });
  }
  return out;
}

/** A preset name or a scenario object, resolved and run in this thread. */
export async function runScenario(input: unknown, opts: RunOptions = {}): Promise<RunRecord<Scenario>> {
  const s = typeof input === 'string' ? presetScenario(input, opts.calibration) : resolveScenario(input, '(inline)', opts.calibration);
  return runResolved(s, opts);
}
