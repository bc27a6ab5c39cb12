/**
 * The sweep, merge and tune commands: what the CLI calls once commander has parsed the flags.
 * Progress and notes go to stderr, results to files and stdout.
 */
import { join } from 'node:path';
import { readJsonInput } from '../io/files.ts';
import { termSafe } from '../io/text.ts';
import { UsageError } from '../errors.ts';
import { parseWorkers, type WorkersOption } from '../pool/auto-workers.ts';
import { loadSweepFile } from './grid.ts';
import { runSweep, summaryLine } from './runner.ts';
import { resolveShard } from './shard.ts';
import { mergeLine, mergeSweeps } from './merge.ts';
import { loadStrategyFile } from '../strategies/plugin.ts';
import { STRATEGY_NAMES, isStrategyPath } from '../scenario/strategy-names.ts';
import { tuneCpus, tuneCpusTable } from './tune.ts';

type Out = (s: string) => void;
const err = (s: string) => process.stderr.write(termSafe(s.endsWith('\n') ? s : s + '\n'));

export interface SweepFlags {
  file: string;
  out?: string;
  workers?: WorkersOption;
  shard?: string;
  shards?: number;
  resume?: boolean;
  quiet?: boolean;
  json?: boolean;
  strategyFile?: string[];
  force?: boolean;
}

/**
 * Loads the --strategy-file files and the strategy files a sweep names (relative to the sweep
 * file, in `strategies` or the base scenario's), and puts the user strategies beside the others.
 */
export function sweepStrategies(files: readonly string[] | undefined, force = false): (raw: unknown, baseDir: string) => void {
  const users = (files ?? []).map((f) => loadStrategyFile(f, { force }).name);
  return (raw, dir) => {
    if (typeof raw !== 'object' || raw === null) return;
    const r = raw as { strategies?: unknown; base?: unknown };
    const fix = (list: unknown) =>
      Array.isArray(list) ? list.map((e) => (typeof e === 'string' && isStrategyPath(e) ? loadStrategyFile(e, { force, baseDir: dir, flag: `strategies entry ${JSON.stringify(e)}` }).name : e)) : list;
    if (r.strategies !== undefined) r.strategies = fix(r.strategies);
    const base = typeof r.base === 'object' && r.base !== null ? (r.base as { strategies?: unknown }) : undefined;
    if (base?.strategies !== undefined) base.strategies = fix(base.strategies);
    if (users.length > 0) {
      const current = (Array.isArray(r.strategies) ? r.strategies : Array.isArray(base?.strategies) ? base.strategies : [...STRATEGY_NAMES]) as string[];
      r.strategies = [...current, ...users.filter((n) => !current.includes(n))];
    }
  };
}

/** A directory name from a sweep name: never '.', '..' or hidden, never a path. */
export const safeName = (n: string) => n.replace(/[^\w.-]+/g, '_').replace(/^\.+/, (d) => '_'.repeat(d.length)).slice(0, 80) || 'sweep';

/** Exit code: 0 done; 1 some cells failed; 130 / 143 interrupted by SIGINT / SIGTERM. */
export async function sweepCommand(o: SweepFlags, out: Out): Promise<number> {
  const sweep = loadSweepFile(o.file, sweepStrategies(o.strategyFile, o.force));
  const shard = resolveShard(o.shard, o.shards);
  const dir = o.out ?? join('out', 'sweeps', safeName(sweep.config.name), ...(shard ? [`shard-${shard.index}-of-${shard.count}`] : []));
  const quiet = !!o.quiet;
  const summary = await runSweep(sweep, {
    out: dir,
    workers: o.workers ?? 'auto',
    shard,
    resume: !!o.resume,
    progress: !quiet && !!process.stderr.isTTY,
    log: quiet ? () => {} : err,
    warn: err,
  });
  err(summaryLine(summary));
  if (o.json) out(JSON.stringify(summary, null, 2));
  if (summary.interrupted === 'SIGINT') return 130;
  if (summary.interrupted === 'SIGTERM') return 143;
  return summary.failed > 0 || summary.strategyFailures > 0 ? 1 : 0;
}

export interface MergeFlags {
  out: string;
  canonical?: boolean;
  allowPartial?: boolean;
  json?: boolean;
}

/** Exit code: 0 merged and complete (or --allow-partial); 1 cells are missing. */
export function mergeCommand(dirs: string[], o: MergeFlags, out: Out): number {
  const s = mergeSweeps(dirs, { out: o.out, canonical: o.canonical, log: err });
  err(mergeLine(s));
  if (o.json) out(JSON.stringify(s, null, 2));
  return s.complete || o.allowPartial ? 0 : 1;
}

export interface TuneFlags {
  preset?: string;
  scenario?: string;
  strategy?: string;
  metric: string;
  budget?: number;
  cpusMin?: number;
  cpusMax: number;
  replications?: number;
  workers?: string;
  seed?: number;
  json?: boolean;
  quiet?: boolean;
  strategyFile?: string[];
  force?: boolean;
}

function workersFlag(v: string | undefined): WorkersOption {
  return v === undefined ? 'auto' : parseWorkers(v, 256);
}

/**
 * Without --budget and with --workers auto: the worker-count search (b). Otherwise the CPU-count
 * search (a), which needs --preset or --scenario, --strategy and --budget.
 */
export async function tuneCommand(o: TuneFlags, out: Out): Promise<number> {
  const w = workersFlag(o.workers);
  const log = o.quiet ? () => {} : err;
  for (const f of o.strategyFile ?? []) loadStrategyFile(f, { force: o.force });
  // `--workers auto` given, without --budget: the worker-count search. Left out, auto is just the
  // default worker count of the CPU-count search.
  if (o.budget === undefined && o.workers === 'auto') {
    if (o.scenario) throw new UsageError('tune --workers auto measures a preset (--preset, default debate-2017), not --scenario');
    const { tuneWorkers, tuneWorkersTable } = await import('../../bench/tune-workers.ts');
    const r = await tuneWorkers({ preset: o.preset ?? 'debate-2017', replications: o.replications ?? 24, log });
    out(o.json ? JSON.stringify(r, null, 2) : tuneWorkersTable(r));
    return 0;
  }
  if (!o.preset && !o.scenario) throw new UsageError('tune: give --preset NAME or --scenario FILE (with --strategy and --budget), or --workers auto');
  if (!o.strategy) throw new UsageError('tune: --strategy is required for the CPU-count search');
  if (o.budget === undefined) throw new UsageError('tune: --budget is required for the CPU-count search (the metric value to cross)');
  let base: string | Record<string, unknown>;
  if (o.scenario !== undefined) {
    const raw = readJsonInput(o.scenario, '--scenario');
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`--scenario ${o.scenario}: expected a scenario object`);
    base = raw as Record<string, unknown>;
  } else base = o.preset!;
  const r = await tuneCpus({
    base,
    strategy: o.strategy,
    metric: o.metric,
    budget: o.budget,
    cpusMin: o.cpusMin,
    cpusMax: o.cpusMax,
    replications: o.replications ?? 5,
    workers: w,
    seed: o.seed,
    log,
  });
  out(o.json ? JSON.stringify(r, null, 2) : tuneCpusTable(r));
  return 0;
}
