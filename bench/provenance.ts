/** Where and on what a bench run was measured: only numbers with the same provenance compare. */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { coreSha256 } from '../src/wasm/core.ts';
import { ccVersion } from './native.ts';
import type { BenchProvenance } from './types.ts';
import pkg from '../package.json' with { type: 'json' };

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** The commit, marked "+dirty" when the working tree has changes to tracked files. */
function gitCommit(): string {
  const head = run('git', ['rev-parse', 'HEAD']);
  if (!head) return 'unknown';
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no']);
  return dirty ? `${head}+dirty` : head;
}

/** lscpu's "Model name", the CPU the README's figures name. */
function lscpuModel(): string | null {
  const out = run('lscpu', []);
  const line = out?.split('\n').find((l) => l.startsWith('Model name:'));
  return line ? line.slice('Model name:'.length).trim() : null;
}

export function benchProvenance(started: Date, wallMs: number): BenchProvenance {
  const host = cpus();
  return {
    drainlab: pkg.version,
    gitCommit: gitCommit(),
    wasmSha256: coreSha256(),
    node: process.version,
    v8: process.versions.v8,
    host: { cpus: host.length, model: host[0]?.model ?? 'unknown', lscpuModel: lscpuModel() },
    cc: ccVersion(),
    startedAt: started.toISOString(),
    wallMs: Math.round(wallMs),
  };
}
