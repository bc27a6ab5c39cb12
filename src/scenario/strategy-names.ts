/**
 * Strategy names the lab implements (docs/scenario-format.md, "Strategies"; the names are part of
 * the interface). The registry (strategies/registry.ts) maps each to its factory; a test keeps the
 * two lists equal. User strategies loaded from files (--strategy-file) add their names here, in
 * the thread that loaded them, so that scenarios and sweeps may name them.
 */
export const STRATEGY_NAMES = [
  'v4.14', 'no-drain', 'v4.16', 'drain-unlocked', 'drain-unlocked-if-tagged', 'drain-every-cpu',
  'targeted', 'coalesced', 'local-first', 'remote-drain', 'lru-disable', 'skip-unshared',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

const userNames = new Set<string>();

/** Makes a user strategy's name valid in scenarios (the strategy registry calls this). */
export function addUserStrategyName(name: string): void {
  userNames.add(name);
}

/** A built-in strategy, or a user strategy loaded in this thread. */
export function isStrategyName(name: string): boolean {
  return (STRATEGY_NAMES as readonly string[]).includes(name) || userNames.has(name);
}

/** Every name allowed now: the built-ins, then the loaded user strategies. */
export function allowedStrategyNames(): string[] {
  return [...STRATEGY_NAMES, ...[...userNames].filter((n) => !(STRATEGY_NAMES as readonly string[]).includes(n))];
}

/** A scenario's `strategies` entry that names a strategy file by path (relative to the scenario file). */
export function isStrategyPath(entry: string): boolean {
  return /\.(ts|mts|js|mjs)$/.test(entry) && (entry.startsWith('./') || entry.startsWith('../') || entry.startsWith('/'));
}
