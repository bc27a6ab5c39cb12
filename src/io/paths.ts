/**
 * Where the project's files are. Modules run from their TypeScript sources (tests), from the
 * compiled CLI under build/ and from the worker bundles under build/workers/, each at a different
 * depth, so paths are taken from the package root rather than from a module's own location.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'drainlab') return dir;
    if (dirname(dir) === dir) throw new Error(`drainlab: no package.json of drainlab above ${from}`);
  }
}

/** The drainlab package's root directory (where package.json is). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package. */
export const rootPath = (...parts: string[]): string => join(ROOT, ...parts);
