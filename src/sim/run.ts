/**
 * Runs a resolved scenario: one machine per strategy, the same seeds for each (common random
 * numbers), the result record of docs/result-record.md.
 */
import { Arena } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { presetScenario } from '../scenario/presets.ts';
import { strategy as lookup } from '../strategies/registry.ts';
import type { Strategy } from '../strategies/types.ts';
import { Machine } from './machine.ts';
import { applyOp, prepareOp, type OpContext } from './ops.ts';
import { startWorkload } from './workload.ts';
import { summarize } from '../metrics/summary.ts';
import type { RunRecord, SealRecord, StrategyRun } from '../metrics/record.ts';
import { provenance } from '../metrics/provenance.ts';
import type { Costs } from '../kernel/costs.ts';

export interface RunOptions {
  /** Overrides the scenario's strategies. */
  strategies?: string[];
  seed?: number;
  workers?: number;
  calibration?: Partial<Costs>;
}

/**
 * Simulates one strategy on a machine built over `arena` (which must be fresh or reset): a name
 * from the registry, or a strategy object itself.
 */
export function simulate(s: Scenario, strategy: string | Strategy, arena: Arena): StrategyRun {
  const strat = typeof strategy === 'string' ? lookup(strategy) : strategy;
  const strategyName = strat.name;
  const m = new Machine(s, arena, strat.drainAll);
  const seals: SealRecord[] = [];
  const ctx: OpContext = { m, addSeals: strat.addSeals, seals, started: 0 };
  // Script ops in (atMs, order in file) order: the engine's sequence numbers keep file order on ties.
  s.script.forEach((o, i) => {
    const op = prepareOp(s, o, `script[${i}]`);
    m.engine.at(o.atMs * 1e6, () => applyOp(ctx, op));
  });
  startWorkload(ctx);
  m.engine.run(s.horizonMs * 1e6);
  seals.sort((a, b) => a.startMs - b.startMs || a.cpu - b.cpu || a.file - b.file);
  const summary = summarize(seals, m.background, m.engine.events);
  // S7's spinlock on every pagevec add, on every CPU, for the whole run.
  summary.unfinished = ctx.started - seals.length;
  summary.lruAddOverheadMs = Math.round(m.pvecAdds * (strat.perAddCost?.(s.costs) ?? 0)) / 1e6;
  return {
    strategy: strategyName,
    seals,
    summary,
    lockdep: m.lockdep.report(),
    timeline: m.timeline,
  };
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
    if (!arena) arena = Arena.create(plan);
    else if (!fresh) arena.reset();
    fresh = false;
    return simulate(scenario, name, arena);
  });
  return { schema: 'drainlab/run@1', scenario, provenance: provenance(started, performance.now() - t0, arena?.runner.workers ?? 1), runs };
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
