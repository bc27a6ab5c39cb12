/**
 * Strategy order and colours as the report shows them. What each strategy models is its own
 * `models` line (src/strategies/), never a second text here.
 */
import { STRATEGY_NAMES } from '../scenario/strategy-names.ts';
import { STRATEGIES } from '../strategies/registry.ts';

/** 12 colours distinguishable on white, in the order of STRATEGY_NAMES (Tableau 10 + 2). */
const PALETTE = [
  '#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b',
  '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#637939',
];

const EXTRA = ['#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1'];
const KNOWN: readonly string[] = STRATEGY_NAMES;

/** Known strategies in contract order, then unknown ones alphabetically. */
export function orderStrategies(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known = KNOWN.filter((n) => set.has(n));
  const unknown = [...set].filter((n) => !KNOWN.includes(n)).sort();
  return [...known, ...unknown];
}

export function strategyColor(name: string, unknownIndex = 0): string {
  const i = KNOWN.indexOf(name);
  return i >= 0 && i < PALETTE.length ? PALETTE[i]! : EXTRA[unknownIndex % EXTRA.length]!;
}

/** The strategy's own `models` line, or '' for a name this build does not know. */
export function strategyDescription(name: string): string {
  return STRATEGIES.get(name)?.models ?? '';
}
