/** Where and on what a result was produced: the one provenance builder (records, sweeps, bench). */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { ROOT } from '../io/paths.ts';
import { coreSha256 } from '../wasm/core.ts';
import type { Provenance } from './record.ts';
import pkg from '../../package.json' with { type: 'json' };

export const LAB_VERSION: string = pkg.version;

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

let commit: string | undefined;
/** The commit, marked "+dirty" when tracked files have changes; 'unknown' outside a checkout. */
export function gitCommit(): string {
  if (commit === undefined) {
    // One spawn for both facts: "# branch.oid SHA" and a line per changed tracked file.
    const lines = git(['status', '--porcelain=v2', '--branch', '--untracked-files=no'])?.split('\n') ?? [];
    const head = lines.find((l) => l.startsWith('# branch.oid '))?.slice('# branch.oid '.length);
    const dirty = lines.some((l) => !l.startsWith('#') && l.trim() !== '');
    commit = !head || head === '(initial)' ? 'unknown' : dirty ? `${head}+dirty` : head;
  }
  return commit;
}

export function provenance(started: Date, wallMs: number, workers: number): Provenance {
  const host = cpus();
  return {
    drainlab: LAB_VERSION,
    gitCommit: gitCommit(),
    wasmSha256: coreSha256(),
    node: process.version,
    host: { cpus: host.length, model: host[0]?.model ?? 'unknown' },
    startedAt: started.toISOString(),
    wallMs: Math.round(wallMs * 10) / 10,
    workers,
  };
}
