/**
 * Where a worker thread's code comes from: the CommonJS bundles that `npm run build`
 * (scripts/build.mjs) writes to build/workers/, rebuilt whenever their sources change. Workers
 * never run TypeScript: a bundle starts in tens of milliseconds, and the tests build first
 * (vitest's global setup), so a worker never runs code older than the thread that starts it.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { rootPath } from './paths.ts';

/** Each worker's source (bundled by scripts/build.mjs into build/workers/NAME.cjs). */
export const WORKER_SOURCES = {
  'cell-worker': 'src/pool/cell-worker.ts',
  'shard-worker': 'src/shard/worker.ts',
  'strategy-worker': 'src/pool/strategy-worker.ts',
} as const;
export type WorkerName = keyof typeof WORKER_SOURCES;

/** The filename and execArgv for a piscina pool of NAME workers. */
export function workerEntry(name: WorkerName): { filename: string; execArgv: string[] } {
  const bundle = rootPath('build', 'workers', `${name}.cjs`);
  if (!existsSync(bundle)) throw new Error(`drainlab: ${bundle} is missing; run \`npm run build\``);
  // Plain JavaScript: no loader flags (an inherited `--import tsx` would cost ~0.1 s per worker).
  return { filename: pathToFileURL(bundle).href, execArgv: [] };
}
