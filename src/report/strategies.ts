/** Strategy names, order and colours as the report shows them (docs/scenario-format.md, "Strategies"). */

export const KNOWN_STRATEGIES: ReadonlyArray<readonly [string, string]> = [
  ['v4.14', 'S0: upstream 4.14 (local drain, tag, scan-0 drain_all under the inode lock with the hotplug lock)'],
  ['no-drain', "S1: Michal Hocko's patch 1/2: no drain_all in the wait loop"],
  ['v4.16', 'S2: drain_all without the hotplug lock (what upstream did)'],
  ['drain-unlocked', "S3: David Herrmann's idea: drop the inode lock, drain_all always, relock, then wait"],
  ['drain-unlocked-if-tagged', 'S3b: the same, only when tags remain after the local drain'],
  ['drain-every-cpu', 'S4: drain_all that queues work on every online CPU (pre-3.12)'],
  ['targeted', "S4b: queue work only on CPUs whose pagevecs hold a tagged page"],
  ['coalesced', 'S5: generation-number piggyback of concurrent drain_all callers (5.5/5.10)'],
  ['local-first', 'S6: local drain, recheck, and drain_all only if still needed (6.18 style)'],
  ['remote-drain', 'S7: the caller drains remote pagevecs itself under per-CPU locks (no kworker)'],
  ['lru-disable', 'S8: lru_cache_disable() around the wait (5.13)'],
  ['skip-unshared', 'S9: skip the scan when the file was never mapped shared'],
];

/** 12 colours distinguishable on white, in the order of KNOWN_STRATEGIES (Tableau 10 + 2). */
const PALETTE = [
  '#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b',
  '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#637939',
];

const EXTRA = ['#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1'];

/** Known strategies in contract order, then unknown ones alphabetically. */
export function orderStrategies(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known = KNOWN_STRATEGIES.map(([n]) => n).filter((n) => set.has(n));
  const unknown = [...set].filter((n) => !KNOWN_STRATEGIES.some(([k]) => k === n)).sort();
  return [...known, ...unknown];
}

export function strategyColor(name: string, unknownIndex = 0): string {
  const i = KNOWN_STRATEGIES.findIndex(([n]) => n === name);
  return i >= 0 ? PALETTE[i]! : EXTRA[unknownIndex % EXTRA.length]!;
}

export function strategyDescription(name: string): string {
  return KNOWN_STRATEGIES.find(([n]) => n === name)?.[1] ?? '';
}
