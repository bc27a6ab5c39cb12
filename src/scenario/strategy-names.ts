/**
 * Strategy names the lab implements (docs/scenario-format.md, "Strategies"; the names are part of the interface). The
 * registry (registry.ts) maps each to its factory; a test keeps the two lists equal.
 */
export const STRATEGY_NAMES = [
  'v4.14', 'no-drain', 'v4.16', 'drain-unlocked', 'drain-unlocked-if-tagged', 'drain-every-cpu',
  'targeted', 'coalesced', 'local-first', 'remote-drain', 'lru-disable', 'skip-unshared',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
