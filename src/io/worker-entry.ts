/**
 * Where a worker thread's code comes from. `npm run build` bundles each worker entry into plain
 * JavaScript under build/workers/ (scripts/build-workers.mjs); a worker then starts in tens of
 * milliseconds instead of registering tsx and transpiling its module graph (~0.3 s each). A
 * bundle is used only when it is newer than every file under src/, so a worker never runs code
 * older than the thread that starts it; otherwise the TypeScript source runs through tsx.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** Each worker's source, relative to this file; its bundle is build/workers/NAME.cjs. */
export const WORKER_SOURCES = {
  'cell-worker': '../pool/cell-worker.ts',
  'shard-worker': '../shard/worker.ts',
  'strategy-worker': '../pool/strategy-worker.ts',
} as const;
export type WorkerName = keyof typeof WORKER_SOURCES;

const SRC = fileURLToPath(new URL('..', import.meta.url));
const BUNDLES = fileURLToPath(new URL('../../build/workers/', import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');

let newestSource: number | undefined;
function newestSourceMtime(dir = SRC): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSourceMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Is build/workers/NAME.cjs there and newer than the sources? */
export function freshBundle(name: WorkerName): string | undefined {
  const file = join(BUNDLES, `${name}.cjs`);
  if (!existsSync(file)) return undefined;
  newestSource ??= newestSourceMtime();
  return statSync(file).mtimeMs >= newestSource ? file : undefined;
}

const WITH_VALUE = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

/**
 * The parent's flags a worker needs (module loaders and resolution conditions, e.g. vitest's), and
 * no others: Worker rejects per-process flags (`node --expose-gc` ...) with
 * ERR_WORKER_INVALID_EXEC_ARGV, and V8 flags are process-wide anyway.
 */
export function loaderArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (WITH_VALUE.has(name)) {
      if (a.includes('=')) out.push(a);
      else if (i + 1 < argv.length) out.push(a, argv[++i]!);
    } else if (a === '--no-warnings' || a === '--enable-source-maps' || /^--(no-)?experimental-/.test(name) || name === '--disable-warning') {
      out.push(a);
    }
  }
  return out;
}

/**
 * The filename and execArgv for a piscina pool of NAME workers. Worker threads do not inherit a
 * loader registered with tsx's register() API (bin/drainlab.js), so a .ts worker gets tsx by file
 * URL (docs/toolchain.md, "Workers and compiled code"), which loads whatever the current directory is.
 */
export function workerEntry(name: WorkerName): { filename: string; execArgv: string[] } {
  const bundle = freshBundle(name);
  // A bundle is plain JavaScript: no loader (an inherited `--import tsx` would cost ~0.1 s per worker).
  if (bundle) return { filename: pathToFileURL(bundle).href, execArgv: [] };
  const inherited = loaderArgs(process.execArgv);
  if (!fromSource) return { filename: new URL(WORKER_SOURCES[name].replace(/\.ts$/, '.js'), import.meta.url).href, execArgv: inherited };
  if (!warnedStale) {
    warnedStale = true;
    process.stderr.write(`drainlab: build/workers/ is missing or older than src/; worker threads run the TypeScript sources through tsx (slower to start) until \`npm run build\`\n`);
  }
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename: new URL(WORKER_SOURCES[name], import.meta.url).href, execArgv: [...inherited, '--import', tsx] };
}
let warnedStale = false;
