/** Strategy name -> strategy (CONTRACT section 2). */
import type { Strategy } from './types.ts';
import { STRATEGY_NAMES } from './names.ts';
import { v414 } from './v4.14.ts';
import { noDrain } from './no-drain.ts';
import { v416 } from './v4.16.ts';
import { drainUnlocked } from './drain-unlocked.ts';

export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map(
  [v414, noDrain, v416, drainUnlocked].map((s) => [s.name, s]),
);

export function strategy(name: string): Strategy {
  const s = STRATEGIES.get(name);
  if (!s) throw new Error(`unknown strategy ${name}; allowed: ${STRATEGY_NAMES.join(', ')}`);
  return s;
}
