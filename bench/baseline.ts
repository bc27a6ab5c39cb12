/**
 * Saved bench baselines (`--save-baseline NAME` -> .drainlab/baselines/bench-NAME.json, written
 * atomically) and the comparison of a run with one (`--baseline NAME|FILE`).
 *
 * Verdict per task, on the mean latency of one iteration, by the lab's one verdict rule
 * (src/stats/bootstrap.ts verdictOf): the relative change ± the two runs' margins of error must lie
 * wholly beyond NOISE_FLOOR to be "faster" or "slower"; otherwise "no change". The floor is there because the in-run interval only covers
 * in-run noise: on a shared VM two runs of the same code differ by several percent.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { writeAtomic } from '../src/io/files.ts';
import { join, resolve } from 'node:path';
import { UsageError } from '../src/errors.ts';
import { verdictOf as verdictOfInterval } from '../src/stats/bootstrap.ts';
import type { BenchReport, TaskResult } from './types.ts';

export const BASELINE_DIR = join('.drainlab', 'baselines');
export const NOISE_FLOOR = 0.05;

export type Verdict = 'faster' | 'slower' | 'no change';

export interface Change {
  suite: string;
  task: string;
  unit: string;
  /** Mean latency of one iteration (ms), baseline and now. */
  before: number;
  after: number;
  /** after / before - 1 (negative: faster). */
  change: number;
  /** The relative change the two intervals allow: (moe_before + moe_after) / before. */
  noise: number;
  verdict: Verdict;
}

export interface Comparison {
  baseline: string;
  baselineStartedAt: string;
  sameHost: boolean;
  changes: Change[];
  /** Tasks in only one of the two runs. */
  onlyNow: string[];
  onlyBaseline: string[];
}

const NAME = /^[A-Za-z0-9._-]+$/;

export function baselinePath(name: string, cwd = process.cwd()): string {
  if (!NAME.test(name)) throw new UsageError(`--save-baseline: got ${JSON.stringify(name)}; allowed: letters, digits, ".", "_" and "-"`);
  return resolve(cwd, BASELINE_DIR, `bench-${name}.json`);
}

export function saveBaseline(name: string, report: BenchReport, cwd = process.cwd()): string {
  const path = baselinePath(name, cwd);
  writeAtomic(path, `${JSON.stringify(report, null, 1)}\n`, '--save-baseline');
  return path;
}

/** A baseline by NAME (.drainlab/baselines/bench-NAME.json) or by FILE path. */
export function loadBaseline(arg: string, cwd = process.cwd()): { path: string; report: BenchReport } {
  const isFile = arg.includes('/') || arg.endsWith('.json');
  const path = isFile ? resolve(cwd, arg) : NAME.test(arg) ? resolve(cwd, BASELINE_DIR, `bench-${arg}.json`) : '';
  if (!path || !existsSync(path)) {
    const dir = resolve(cwd, BASELINE_DIR);
    const saved = existsSync(dir)
      ? readdirSync(dir).filter((f) => /^bench-.+\.json$/.test(f)).map((f) => f.slice(6, -5))
      : [];
    throw new UsageError(
      `--baseline: no baseline ${JSON.stringify(arg)} (${path || 'not a name or a .json path'}); ` +
        `saved baselines: ${saved.length ? saved.join(', ') : 'none'} (make one with --save-baseline NAME)`,
    );
  }
  let report: BenchReport;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
  } catch (e) {
    throw new UsageError(`--baseline ${arg}: ${path} is not JSON (${(e as Error).message})`);
  }
  if (report?.schema !== 'drainlab/bench@1' || !Array.isArray(report.suites)) {
    throw new UsageError(`--baseline ${arg}: ${path} is not a drainlab bench result (schema "drainlab/bench@1")`);
  }
  return { path, report };
}

export function verdictOf(before: TaskResult['latency'], after: TaskResult['latency']): { change: number; noise: number; verdict: Verdict } {
  const change = after.mean / before.mean - 1;
  const noise = (before.moe + after.moe) / before.mean;
  // The lab's one verdict rule (src/stats/bootstrap.ts) on the relative change's interval, with the noise floor as the smallest effect.
  const v = verdictOfInterval(change - noise, change + noise, 'lower', NOISE_FLOOR);
  const verdict: Verdict = v === 'better' ? 'faster' : v === 'worse' ? 'slower' : 'no change';
  return { change, noise, verdict };
}

export function compare(now: BenchReport, base: BenchReport, label: string): Comparison {
  const key = (suite: string, task: string) => `${suite} / ${task}`;
  const before = new Map<string, TaskResult>();
  for (const s of base.suites) for (const t of s.tasks) before.set(key(s.name, t.name), t);
  const changes: Change[] = [];
  const onlyNow: string[] = [];
  const seen = new Set<string>();
  for (const s of now.suites) {
    for (const t of s.tasks) {
      const k = key(s.name, t.name);
      const b = before.get(k);
      if (!b) {
        onlyNow.push(k);
        continue;
      }
      seen.add(k);
      changes.push({ suite: s.name, task: t.name, unit: t.unit, before: b.latency.mean, after: t.latency.mean, ...verdictOf(b.latency, t.latency) });
    }
  }
  // Suites that did not run now (not asked for) are not "gone".
  const ran = new Set(now.suites.map((s) => s.name));
  const onlyBaseline = [...before.keys()].filter((k) => !seen.has(k) && ran.has(k.split(' / ')[0]));
  return {
    baseline: label,
    baselineStartedAt: base.provenance.startedAt,
    sameHost: base.provenance.host.model === now.provenance.host.model && base.provenance.host.cpus === now.provenance.host.cpus,
    changes,
    onlyNow,
    onlyBaseline,
  };
}
