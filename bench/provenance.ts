/** Where and on what a bench run was measured: only numbers with the same provenance compare. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** /proc/cpuinfo's vendor, family and model: "AMD EPYC" alone names several generations. */
function cpuId(): string | null {
  let info: string;
  try {
    info = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
  const field = (k: string) => info.match(new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
  const vendor = field('vendor_id');
  const family = field('cpu family');
  const model = field('model');
  return vendor && family && model ? `${vendor} family ${family} model ${model}` : null;
}

/** The CPU a ratio was measured on, as the bench prints it beside every ratio. */
export function cpuLabel(): string {
  const name = lscpuModel() ?? cpus()[0]?.model ?? 'unknown CPU';
  const id = cpuId();
  return id ? `${name} (${id})` : name;
}

export function benchProvenance(started: Date, wallMs: number): BenchProvenance {
  const host = cpus();
  return {
    drainlab: pkg.version,
    gitCommit: gitCommit(),
    wasmSha256: coreSha256(),
    node: process.version,
    v8: process.versions.v8,
    host: { cpus: host.length, model: host[0]?.model ?? 'unknown', lscpuModel: lscpuModel(), cpu: cpuLabel() },
    cc: ccVersion(),
    startedAt: started.toISOString(),
    wallMs: Math.round(wallMs),
  };
}
