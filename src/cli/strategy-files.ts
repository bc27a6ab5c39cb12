/**
 * The CLI side of user strategies: --strategy-file and --force on run, sweep, study, tune and
 * report; strategy files named by a scenario; what a run's user strategies did (failures, unsafe
 * seals); and the template `drainlab strategies --new NAME` writes.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { loadStrategyFile } from '../strategies/plugin.ts';
import { STRATEGY_API_VERSION, STRATEGY_NAME_PATTERN } from '../strategies/api.ts';
import { writeAtomic } from '../io/files.ts';
import type { RunRecord, StrategyRun } from '../metrics/record.ts';

/** Loads every --strategy-file (in order); returns the strategies' names. */
export function loadStrategyFiles(files: readonly string[] | undefined, force = false): string[] {
  return (files ?? []).map((f) => loadStrategyFile(f, { force }).name);
}

/** report --strategy-file: loads the files (so their names and descriptions are known); one line per file. */
export function loadStrategyFilesQuiet(files: readonly string[] | undefined, force = false): string[] {
  return (files ?? []).map((f) => {
    const s = loadStrategyFile(f, { force });
    return `${s.name}: ${s.plugin!.file} (sha256 ${s.plugin!.sha256}): ${s.models}`;
  });
}

/** For loadScenarioFile / sweep files: a `strategies` entry naming a file, relative to `baseDir`. */
export function strategyFileEntry(force = false): (entry: string, baseDir: string) => string {
  return (entry, baseDir) => loadStrategyFile(entry, { force, baseDir, flag: `strategies entry ${JSON.stringify(entry)}` }).name;
}

/** `list`, then each of `extra` not already in it. */
export function withStrategies(list: readonly string[], extra: readonly string[]): string[] {
  return [...list, ...extra.filter((n) => !list.includes(n))];
}

/** One line per user strategy that failed in `runs`: "NAME (FILE:LINE) threw: ..." */
export function failureLines(runs: readonly StrategyRun[]): string[] {
  return runs.filter((r) => r.error).map((r) => {
    const e = r.error!;
    return `strategy ${r.strategy} (${e.file}${e.line !== undefined ? `:${e.line}:${e.column}` : ''}) ${e.kind === 'stuck' ? 'never finished a seal: ' : e.kind === 'hung' ? 'hung: ' : ''}${e.message}`;
  });
}

/**
 * After a run: says on stderr which user strategies failed and which strategies sealed unsafely;
 * returns the exit code (1 when a user strategy failed; the record is written either way).
 */
export function checkRun(record: RunRecord<unknown>, log: (l: string) => void): number {
  for (const r of record.runs) {
    if (r.summary.unsafe > 0) log(`drainlab: UNSAFE: strategy ${r.strategy}${r.plugin ? ` (${r.plugin.file})` : ''} set F_SEAL_WRITE ${r.summary.unsafe} time(s) while a real pin was held`);
  }
  const lines = failureLines(record.runs);
  for (const l of lines) log(`drainlab: ${l}`);
  return lines.length > 0 ? 1 : 0;
}

/** The commented template of `drainlab strategies --new NAME`. */
export function strategyTemplate(name: string): string {
  return `/**
 * ${name}: a drain strategy for drainlab (strategy API v${STRATEGY_API_VERSION}, docs/strategies.md).
 *
 * Run it beside the built-in strategies:
 *   npx drainlab run --preset debate-2017 --strategy-file ${name}.ts
 *   npx drainlab run --preset idle-many-cpus --strategy-file ${name}.ts --strategy v4.14 --strategy ${name}
 *
 * addSeals(ctx, sealSeal) is the whole fcntl(F_ADD_SEALS, F_SEAL_WRITE) call for one seal. It is
 * a generator: every building block that takes simulated time is called with \`yield*\`. Whatever
 * it does, drainlab counts unsafe seals (F_SEAL_WRITE set while a real pin is held), records every
 * lock order (lockdep), and reports a throw, or a seal that never returns, with this file's line.
 */
import {
  addSealsLocked,
  defineStrategy,
  drainAllVariant,
  tagPins,
  waitLoop,
} from 'drainlab/strategy';

export default defineStrategy({
  name: '${name}',
  // One line: the patch, commit or mail this models. Shown in \`drainlab strategies\` and the report.
  models: 'TODO: what this strategy models',
  // Changes to lru_add_drain_all() itself, for every caller (optional): e.g. { hotplugLock: false }
  // as v4.16 (no cpu_hotplug_lock), { piggyback: true } as 5.5+, { localFirst: true } as 6.18.
  drainAll: { hotplugLock: false },
  *addSeals(ctx, sealSeal) {
    // OP1 with the inode lock held throughout: syscall cost, inode_lock, F_SEAL_SEAL check,
    // deny_writable, then the wait below (shmem_wait_for_pins), then F_SEAL_WRITE, inode_unlock.
    return yield* addSealsLocked(ctx, function* (c) {
      // OP3: a local lru_add_drain(), then tag every page with an extra reference.
      yield* tagPins(c);
      // OP2: five passes; scan 0 calls lru_add_drain_all() in this machine's variant (use
      // { scan0: 'none' } for no drain, or pass options: { filter, force, remote } ...).
      return yield* waitLoop(c, { scan0: { drainAll: drainAllVariant(c) } });
    }, sealSeal);
  },
});
`;
}

/** Writes NAME.ts (refuses to overwrite); returns the path. */
export function writeStrategyTemplate(name: string, dir = '.'): string {
  if (!STRATEGY_NAME_PATTERN.test(name)) throw new UsageError(`--new: got ${JSON.stringify(name)}; allowed: ${STRATEGY_NAME_PATTERN} (e.g. skip-clean-cpus)`);
  const path = `${dir.replace(/\/$/, '')}/${name}.ts`;
  if (existsSync(path)) throw new UsageError(`--new: ${path} exists; choose another name or move it away`);
  writeAtomic(path, strategyTemplate(name));
  return path;
}
