/** Where and on what a bench run was measured: only numbers with the same provenance compare. */
import { execFileSync } from 'node:child_process';
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

export function benchProvenance(started: Date, wallMs: number): BenchProvenance {
  const { workers: _, host, ...p } = provenance(started, wallMs, 1);
  return { ...p, v8: process.versions.v8, host: { ...host, lscpuModel: lscpuModel() }, cc: ccVersion(), wallMs: Math.round(wallMs) };
}
