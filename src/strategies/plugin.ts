/**
 * Loads user strategies from files (`--strategy-file PATH`, or a scenario's `strategies` entry
 * naming a file): .ts, .mts, .js or .mjs, bundled with esbuild at load time (no tsx needed at run
 * time) and evaluated in this thread. `import ... from 'drainlab/strategy'` in the file (or in what
 * it imports) is this thread's strategy API (api.ts), so a strategy works wherever it lives, with
 * or without drainlab installed beside it. Worker threads load the same files from the specs the
 * main thread hands them (pluginSpecs), so a run's record does not depend on the thread count.
 *
 * A file's version is the sha256 of every source the bundle holds (the file and its imports),
 * shown beside its name in tables, records and the report.
 *
 * Where a user strategy fails at run time (it throws, or a seal never returns) pluginLocation()
 * maps the stack back to its file and line through the bundle's source map.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Script } from 'node:vm';
import { buildSync, type BuildResult } from 'esbuild';
import { UsageError } from '../errors.ts';
import * as api from './api.ts';
import { registerUserStrategy } from './registry.ts';
import { pluginBudgetMs } from '../sim/plugin-guard.ts';
import type { PluginInfo, Strategy } from './types.ts';

/** What a worker thread needs to load the same strategy file (plain data). */
export interface PluginSpec {
  absPath: string;
  /** The path shown in records (relative to the main thread's working directory when inside it). */
  file: string;
  force: boolean;
}

export const STRATEGY_FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;
/** The module id user strategies import the API from. */
export const API_MODULE = 'drainlab/strategy';

/** The global through which the module's (module, exports, require) reach its script. */
const ARGS = 'drainlab.pluginArgs';
/** Marks the evaluated bundle's frames in stack traces: `<absPath>` + this. */
const BUNDLE_SUFFIX = ' [drainlab strategy bundle]';

interface Loaded {
  strategy: Strategy;
  map: SourceMap;
  spec: PluginSpec;
}

/** Loaded files in this thread, by absolute path. */
const loaded = new Map<string, Loaded>();

/** The path as shown in records: relative to the working directory when inside it. */
export function displayPath(absPath: string, cwd = process.cwd()): string {
  const rel = relative(cwd, absPath);
  return rel.startsWith('..') || isAbsolute(rel) ? absPath : rel.split(sep).join('/');
}

/**
 * Loads (once per thread), checks and registers the strategy a file defines; returns it. Bad
 * files (missing, wrong extension, syntax or type errors esbuild reports, no strategy exported,
 * a name clash) are UsageErrors naming the file.
 */
export function loadStrategyFile(path: string, opts: { force?: boolean; baseDir?: string; flag?: string } = {}): Strategy {
  const flag = opts.flag ?? '--strategy-file';
  const absPath = resolve(opts.baseDir ?? process.cwd(), path);
  const known = loaded.get(absPath);
  if (known) {
    registerUserStrategy(known.strategy, opts.force ?? known.spec.force);
    return known.strategy;
  }
  return loadSpec({ absPath, file: displayPath(absPath), force: opts.force ?? false }, flag);
}

function loadSpec(spec: PluginSpec, flag: string): Strategy {
  const { absPath, file } = spec;
  if (!STRATEGY_FILE_EXTENSIONS.some((e) => absPath.endsWith(e))) {
    throw new UsageError(`${flag}: ${file}: allowed extensions: ${STRATEGY_FILE_EXTENSIONS.join(', ')}`);
  }
  if (!existsSync(absPath)) throw new UsageError(`${flag}: ${file}: no such file`);
  const { code, map, sha256 } = bundle(absPath, file, flag);
  // Compiled once per thread; evaluated afresh for every run (instantiate), so that state a file
  // keeps in module scope never carries from one run to the next, whichever thread runs it.
  // The module runs inside the script (its arguments passed through a global for the moment of
  // the call), so vm's timeout bounds it: a module that loops forever at load is stopped.
  const script = new Script(`(function (module, exports, require) {${code}\n}).apply(undefined, globalThis[Symbol.for('${ARGS}')])`, { filename: absPath + BUNDLE_SUFFIX });
  const instantiate = (): Strategy => {
    const exports = evaluate(script, absPath, map, file, flag);
    const candidate = (exports.default ?? exports.strategy) as Strategy | undefined;
    if (!candidate || typeof candidate !== 'object') {
      throw new UsageError(`${flag}: ${file}: exports no strategy; allowed: \`export default defineStrategy({ ... })\` (or \`export const strategy = ...\`) with defineStrategy from '${API_MODULE}'`);
    }
    let checked: Strategy;
    try {
      checked = api.defineStrategy(candidate);
    } catch (e) {
      throw new UsageError(`${flag}: ${file}: ${(e as Error).message}`);
    }
    if (candidate.apiVersion !== undefined && candidate.apiVersion !== api.STRATEGY_API_VERSION) {
      throw new UsageError(`${flag}: ${file}: written against strategy API version ${candidate.apiVersion}; this drainlab has version ${api.STRATEGY_API_VERSION}`);
    }
    return { ...checked, plugin: info };
  };
  const info: PluginInfo = { file, absPath, sha256, shadows: spec.force, locate: (e) => locate(e, map, absPath), instantiate };
  const strategy = instantiate();
  registerUserStrategy(strategy, spec.force);
  loaded.set(absPath, { strategy, map, spec });
  return strategy;
}

function bundle(absPath: string, file: string, flag: string): { code: string; map: SourceMap; sha256: string } {
  const dir = dirname(absPath);
  let result: BuildResult<{ write: false; metafile: true }>;
  try {
    result = buildSync({
      entryPoints: [absPath],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      metafile: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      outfile: resolve(dir, '__drainlab_strategy.js'),
      external: [API_MODULE, 'drainlab', 'drainlab/*'],
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${displayPath(resolve(dir, first.location.file))}:${first.location.line}:${first.location.column + 1}: ` : '';
    throw new UsageError(`${flag}: ${file}: ${where}${first?.text ?? (e as Error).message}`);
  }
  const out = result.outputFiles;
  const js = out.find((f) => f.path.endsWith('.js'))!;
  const mapFile = out.find((f) => f.path.endsWith('.js.map'))!;
  // The version: every source in the bundle, by path relative to the strategy file, sorted.
  const h = createHash('sha256');
  for (const input of Object.keys(result.metafile.inputs).sort()) {
    h.update(input.split(sep).join('/')).update('\0').update(readFileSync(resolve(dir, input))).update('\0');
  }
  return { code: js.text.replace(/\/\/# sourceMappingURL=.*\s*$/, ''), map: new SourceMap(JSON.parse(mapFile.text)), sha256: h.digest('hex').slice(0, 12) };
}

function evaluate(script: Script, absPath: string, map: SourceMap, file: string, flag: string): Record<string, unknown> {
  const req = createRequire(absPath);
  const requireShim = (id: string): unknown => (id === API_MODULE ? api : req(id));
  const mod = { exports: {} as Record<string, unknown> };
  const budget = pluginBudgetMs();
  const g = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(ARGS);
  try {
    // The wrapper stays on the bundle's first line, so bundle lines are stack lines.
    g[key] = [mod, mod.exports, requireShim];
    script.runInThisContext({ timeout: budget });
  } catch (e) {
    if ((e as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new UsageError(`${flag}: ${file}: the module ran for more than ${budget} ms of wall-clock time while loading (a loop that never ends?); stopped (DRAINLAB_PLUGIN_BUDGET_MS)`);
    }
    const at = locate(e, map, absPath);
    throw new UsageError(`${flag}: ${file}${at ? `:${at.line}:${at.column}` : ''}: the module threw while loading: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    delete g[key];
  }
  return mod.exports;
}

/** A place in a user strategy's sources. */
export interface SourcePlace {
  /** As shown in records (relative to the working directory when inside it). */
  file: string;
  line: number;
  column: number;
}

function locate(e: unknown, map: SourceMap, absPath: string): SourcePlace | undefined {
  const stack = (e as Error | undefined)?.stack;
  if (typeof stack !== 'string') return undefined;
  const marker = absPath + BUNDLE_SUFFIX + ':';
  for (const line of stack.split('\n')) {
    const i = line.indexOf(marker);
    if (i < 0) continue;
    const m = /^(\d+):(\d+)/.exec(line.slice(i + marker.length));
    if (!m) continue;
    const entry = map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined) continue;
    const src = entry.originalSource.startsWith('file://') ? new URL(entry.originalSource).pathname : resolve(dirname(absPath), entry.originalSource);
    return { file: displayPath(src), line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
  return undefined;
}

/** The specs of every strategy file loaded in this thread (for worker threads). */
export function pluginSpecs(): PluginSpec[] {
  return [...loaded.values()].map((l) => l.spec);
}

/** Loads, in a worker thread, the files the main thread loaded (a no-op for those already loaded). */
export function ensurePlugins(specs: readonly PluginSpec[] | undefined): void {
  for (const s of specs ?? []) {
    const known = loaded.get(s.absPath);
    if (known) registerUserStrategy(known.strategy, s.force);
    else loadSpec(s, '--strategy-file');
  }
}
