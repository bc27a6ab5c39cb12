/** Strategy name -> strategy (docs/scenario-format.md, "Strategies"). */
import type { Strategy } from './types.ts';
import { STRATEGY_NAMES } from '../scenario/strategy-names.ts';
import { v414 } from './v4.14.ts';
import { noDrain } from './no-drain.ts';
import { v416 } from './v4.16.ts';
import { drainUnlocked } from './drain-unlocked.ts';
import { drainUnlockedIfTagged } from './drain-unlocked-if-tagged.ts';
import { drainEveryCpu } from './drain-every-cpu.ts';
import { targeted } from './targeted.ts';
import { coalesced } from './coalesced.ts';
import { localFirst } from './local-first.ts';
import { remoteDrain } from './remote-drain.ts';
import { lruDisable } from './lru-disable.ts';
import { skipUnshared } from './skip-unshared.ts';

/** In the order of docs/scenario-format.md, "Strategies". */
export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map(
  [v414, noDrain, v416, drainUnlocked, drainUnlockedIfTagged, drainEveryCpu, targeted, coalesced, localFirst, remoteDrain, lruDisable, skipUnshared].map((s) => [s.name, s]),
);

export function strategy(name: string): Strategy {
  const s = STRATEGIES.get(name);
  if (!s) throw new Error(`unknown strategy ${name}; allowed: ${STRATEGY_NAMES.join(', ')}`);
  return s;
}
