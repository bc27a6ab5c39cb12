/** Where and on what a bench run was measured: only numbers with the same provenance compare. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { provenance } from '../src/metrics/provenance.ts';
import { ccVersion } from './native.ts';
import type { BenchProvenance } from './types.ts';

/** lscpu's "Model name", the CPU the README's figures name. */
function lscpuModel(): string | null {
  try {
    const line = execFileSync('lscpu', [], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Model name:'));
    return line ? line.slice('Model name:'.length).trim() : null;
  } catch {
    return null;
  }
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
  const { workers: _, host, ...p } = provenance(started, wallMs, 1);
  return { ...p, v8: process.versions.v8, host: { ...host, lscpuModel: lscpuModel(), cpu: cpuLabel() }, cc: ccVersion(), wallMs: Math.round(wallMs) };
}
