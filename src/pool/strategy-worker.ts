/**
 * A worker that simulates whole strategy runs of one scenario on its own arena (src/sim/run.ts
 * fans a scenario's strategies out over these and the main thread). Its one task claims strategy
 * indices from a shared counter until none is left, so the threads balance themselves and a
 * worker that boots late simply finds less (or nothing) to do. The arena is kept between tasks of
 * the same plan.
 */
import { claimStrategies, type Claimed } from '../sim/run.ts';
import type { Scenario } from '../scenario/resolve.ts';
import { Arena } from '../wasm/core.ts';
import { ensurePlugins, type PluginSpec } from '../strategies/plugin.ts';
import { planArena } from '../wasm/layout.ts';
import { setPluginGuard } from '../sim/plugin-guard.ts';

export interface StrategyTask {
  scenario: Scenario;
  /** Int32Array over a SharedArrayBuffer: [0] is the next strategy index to claim. */
  next: Int32Array;
  /** User strategy files the main thread loaded. */
  plugins?: PluginSpec[];
  /** The harness watchdog's shared memory (src/sim/plugin-guard.ts), for a user strategy's run. */
  guard?: SharedArrayBuffer;
}

let arena: Arena | undefined;
let planKey = '';

function arenaFor(s: Scenario): Arena {
  const key = `${s.files}/${s.pages}/${s.cpus}/${s.pagevecSize}`;
  if (!arena || key !== planKey) {
    arena = undefined; // let the old memory go before allocating the next
    arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
    planKey = key;
  }
  return arena;
}

export default function strategyWorker(t: StrategyTask): Claimed[] {
  setPluginGuard(t.guard);
  ensurePlugins(t.plugins);
  return claimStrategies(t.scenario, t.next, () => arenaFor(t.scenario));
}
