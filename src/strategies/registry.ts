/**
 * Strategy name -> strategy (docs/scenario-format.md, "Strategies"): the built-ins, then user strategies loaded from
 * files (plugin.ts) in this thread. A user strategy may replace a built-in of the same name only
 * when loaded with `force` (--force).
 */
import type { Strategy } from './types.ts';
import { STRATEGY_NAMES, addUserStrategyName, allowedStrategyNames } from '../scenario/strategy-names.ts';
import { UsageError } from '../errors.ts';
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

/** The built-in strategies, in the order of docs/scenario-format.md, "Strategies". */
export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map(
  [v414, noDrain, v416, drainUnlocked, drainUnlockedIfTagged, drainEveryCpu, targeted, coalesced, localFirst, remoteDrain, lruDisable, skipUnshared].map((s) => [s.name, s]),
);

/** User strategies loaded in this thread, by name. */
const USER = new Map<string, Strategy>();

export function strategy(name: string): Strategy {
  const s = USER.get(name) ?? STRATEGIES.get(name);
  if (!s) throw new UsageError(`unknown strategy ${JSON.stringify(name)}; allowed: ${allowedStrategyNames().join(', ')}`);
  return s;
}

export function hasStrategy(name: string): boolean {
  return USER.has(name) || STRATEGIES.has(name);
}

/** Built-ins (user strategies of the same name in their place), then the other user strategies. */
export function allStrategies(): Strategy[] {
  return [...[...STRATEGIES.values()].map((s) => USER.get(s.name) ?? s), ...[...USER.values()].filter((s) => !STRATEGIES.has(s.name))];
}

/**
 * The versions (sha256 of the bundled sources, plugin.ts) of the user strategies among `names`,
 * by name; undefined when none of them is a user strategy. Sweep cell ids and manifests carry
 * them, so a sweep resumed or merged with a changed strategy file is refused rather than mixed.
 */
export function pluginVersions(names: readonly string[]): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const n of names) {
    const p = USER.get(n)?.plugin;
    if (p) (out ??= {})[n] = p.sha256;
  }
  return out;
}

/** User strategies loaded in this thread, in load order. */
export function userStrategies(): Strategy[] {
  return [...USER.values()];
}

/**
 * Adds a user strategy. Its name must not be a built-in's (unless `force`) nor another loaded
 * file's; loading the same file twice is a no-op.
 */
export function registerUserStrategy(s: Strategy, force: boolean): void {
  const file = s.plugin?.file ?? '(inline)';
  const prev = USER.get(s.name);
  if (prev) {
    if (prev.plugin?.absPath === s.plugin?.absPath && prev.plugin?.sha256 === s.plugin?.sha256) return;
    throw new UsageError(`--strategy-file: ${file} defines strategy "${s.name}", which ${prev.plugin?.file ?? 'another file'} already defines; give one of them another name`);
  }
  if ((STRATEGY_NAMES as readonly string[]).includes(s.name) && !force) {
    throw new UsageError(`--strategy-file: ${file} defines strategy "${s.name}", the name of a built-in strategy; rename it, or pass --force to replace the built-in`);
  }
  USER.set(s.name, s);
  addUserStrategyName(s.name);
}
