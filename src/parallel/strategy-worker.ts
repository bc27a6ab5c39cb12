/**
 * A worker that simulates one strategy of a scenario on its own arena (src/sim/run.ts fans a
 * scenario's strategies out over these). The arena is kept between tasks of the same plan.
 */
import { simulate } from '../sim/run.ts';
import type { Scenario } from '../scenario/resolve.ts';
import type { StrategyRun } from '../metrics/record.ts';
import { Arena } from '../wasm/core.ts';
import { planArena } from '../wasm/layout.ts';

let arena: Arena | undefined;
let planKey = '';

export default function strategyWorker(t: { scenario: Scenario; strategy: string }): StrategyRun {
  const s = t.scenario;
  const key = `${s.files}/${s.pages}/${s.cpus}/${s.pagevecSize}`;
  if (!arena || key !== planKey) {
    arena = undefined; // let the old memory go before allocating the next
    arena = Arena.create(planArena(s.files, s.pages, s.cpus, s.pagevecSize));
    planKey = key;
  } else {
    arena.reset();
  }
  return simulate(s, t.strategy, arena);
}
