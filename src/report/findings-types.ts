/** The findings' data model (plain JSON, embedded in report data and baselines). */
import type { PairedCell } from './types.ts';

/** One paired statistic a finding cites: strategy - baseline on one metric in one scenario. */
export interface FindingStat extends Omit<PairedCell, 'metric'> {
  scenario: string;
  /** What the scenario is, in a few words (e.g. '8 CPUs' or 'writePages = 13'). */
  where: string;
  metric: string;
  strategy: string;
  baseline: string;
}

/** The ids of the 2017 thread's three questions, the findings that come first. */
export const THREAD_QUESTIONS: readonly string[] = ['michal', 'david', 'upstream'];

export interface Finding {
  id: string;
  /** The question, as the scenario (or the 2017 thread) asks it. */
  question: string;
  /** Who asked it, e.g. 'Michal Hocko, 2017' or 'preset debate-2017'. */
  askedBy: string;
  /** The answer in a sentence or two, built from `stats` only. */
  answer: string;
  /** Its details, one line per scenario or strategy (also from `stats`). */
  points: string[];
  /** The paired statistics the answer is built from. */
  stats: FindingStat[];
  /** Ids of the charts that show it (chart-<id> anchors), and scenario anchors. */
  charts: string[];
  scenarios: { name: string; anchor: string }[];
  /** The confidence level of every CI in it. */
  level: number;
  /**
   * With `report --sensitivity FILE`: what the verdict's outputs (a strategy's metric in the
   * scenario the sensitivity run analysed) depend on, one sentence each, only as far as the Sobol
   * intervals allow (src/sweep/sensitivity.ts dependence()).
   */
  dependsOn?: string[];
}
