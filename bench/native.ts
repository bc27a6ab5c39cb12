/**
 * The native reference (bench/native/scan.c): compiled with the system `cc` into build/ at -O2
 * and -O3 when cc is present, run as a child process on the same population (same seed), which
 * prints its own samples as JSON. No cc: the native rows are skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { rootPath } from '../src/io/paths.ts';

const SOURCE = rootPath('bench', 'native', 'scan.c');

export type OptLevel = 'O2' | 'O3';

export interface NativeBuild {
  opt: OptLevel;
  path: string;
}

export interface NativeVariant {
  tagged: number;
  stillPinned: number;
  /** Samples of one tag pass / one re-check, in ms. */
  tagPass: number[];
  recheck: number[];
}

export interface NativeRun {
  pages: number;
  seed: number;
  pinned: number;
  variants: { plain: NativeVariant; sse2: NativeVariant };
}

/** `cc --version`'s first line, or null when there is no cc. */
export function ccVersion(): string | null {
  const r = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim();
}

/**
 * Builds build/bench-scan-O2 and -O3 (again when scan.c is newer). Plain -O2/-O3, no -march:
 * SSE2's 16-byte vectors are the width of WASM SIMD128. Returns the builds, or why there are none.
 */
export function buildNative(): { builds: NativeBuild[]; skipped?: string } {
  const cc = ccVersion();
  if (!cc) return { builds: [], skipped: 'no C compiler (`cc`) on PATH: the native C rows (gcc -O2/-O3) are skipped' };
  mkdirSync(rootPath('build'), { recursive: true });
  const builds: NativeBuild[] = [];
  for (const opt of ['O2', 'O3'] as const) {
    const path = rootPath('build', `bench-scan-${opt}`);
    if (!existsSync(path) || statSync(path).mtimeMs < statSync(SOURCE).mtimeMs) {
      const r = spawnSync('cc', [`-${opt}`, '-std=c11', '-Wall', '-Wextra', '-o', path, SOURCE], { encoding: 'utf8' });
      if (r.status !== 0) return { builds: [], skipped: `cc -${opt} bench/native/scan.c failed: ${(r.stderr || String(r.error)).trim()}` };
    }
    builds.push({ opt, path });
  }
  return { builds };
}

export function runNative(build: NativeBuild, pages: number, seed: number, timeMs: number, warmupMs: number, minSamples: number): NativeRun {
  const args = [pages, seed >>> 0, timeMs, warmupMs, minSamples].map(String);
  const r = spawnSync(build.path, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${build.path} ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout) as NativeRun;
}
