/**
 * Builds, finds and runs the native probe (probe/drainprobe.c, docs/calibration.md), and parses
 * its JSON lines (parse.ts). The lab works without the probe: every way it can be missing comes
 * back as a reason, never as an exception.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { rootPath } from '../io/paths.ts';
import { parseProbeOutput, type ProbeRun } from './parse.ts';

export const PROBE_DIR = rootPath('probe');
export const PROBE_BIN = join(PROBE_DIR, 'bin', 'drainprobe');

/** The probe's cases (probe/drainprobe.c usage); e and f: the distribution cases (case_busy.c); g: the guest cases (case_guest.c). */
export type ProbeCase = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';
export const PROBE_CASES: readonly ProbeCase[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
export type ProbeAvailability = { available: true; path: string } | { available: false; reason: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the probe when needed (probe/build.mjs: up-to-date check, system cc) and says whether
 * it can run. `build: false` only looks for an existing binary.
 */
export function locateProbe(opts: { build?: boolean; binary?: string } = {}): ProbeAvailability {
  if (opts.binary) return executable(opts.binary) ? { available: true, path: opts.binary } : { available: false, reason: `${opts.binary} is not an executable file` };
  if (process.platform !== 'linux') return { available: false, reason: `the probe measures the Linux kernel; this host runs ${process.platform}` };
  if (opts.build !== false) {
    const r = spawnSync(process.execPath, [join(PROBE_DIR, 'build.mjs')], { encoding: 'utf8' });
    if (r.status !== 0) return { available: false, reason: `building the probe failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}` };
    if (!executable(PROBE_BIN)) return { available: false, reason: (r.stderr || 'no C compiler').trim() };
  }
  return executable(PROBE_BIN) ? { available: true, path: PROBE_BIN } : { available: false, reason: `${PROBE_BIN} not built (npm run probe:build)` };
}

export interface ProbeOptions {
  binary: string;
  quick?: boolean;
  cases?: ProbeCase[];
  /** The probe's own bound on its run (it stops every case in time and exits). */
  budgetMs?: number;
  reps?: number;
  extraArgs?: string[];
  /** Each stderr line (progress and diagnostics). */
  onStderr?: (line: string) => void;
}

export interface ProbeExit {
  run: ProbeRun;
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The probe's argument vector for these options (also what a test passes to spawn). */
export function probeArgs(o: Omit<ProbeOptions, 'binary' | 'onStderr'>): string[] {
  const a: string[] = [];
  if (o.quick) a.push('--quick');
  if (o.cases?.length) a.push('--cases', o.cases.join(','));
  if (o.budgetMs !== undefined) a.push('--budget-ms', String(Math.round(o.budgetMs)));
  if (o.reps !== undefined) a.push('--reps', String(o.reps));
  // Owned by this process: the probe stops when it is gone (PR_SET_PDEATHSIG and this check).
  a.push('--parent-pid', String(process.pid));
  return [...a, ...(o.extraArgs ?? [])];
}

/**
 * Runs the probe to completion and parses what it printed. A watchdog sends SIGINT 15 s past
 * the budget (the probe then cleans up and exits) and SIGKILL 5 s after that.
 */
export function runProbe(o: ProbeOptions): Promise<ProbeExit> {
  const budget = o.budgetMs ?? 45_000;
  return new Promise((resolve, reject) => {
    const child = spawn(o.binary, probeArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let errBuf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      errBuf += d;
      let nl: number;
      while ((nl = errBuf.indexOf('\n')) >= 0) {
        o.onStderr?.(errBuf.slice(0, nl));
        errBuf = errBuf.slice(nl + 1);
      }
    });
    const soft = setTimeout(() => child.kill('SIGINT'), budget + 15_000);
    const hard = setTimeout(() => child.kill('SIGKILL'), budget + 20_000);
    child.on('error', (e) => {
      clearTimeout(soft);
      clearTimeout(hard);
      reject(new Error(`cannot run ${o.binary}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(soft);
      clearTimeout(hard);
      if (errBuf) o.onStderr?.(errBuf);
      if (code === 2) return reject(new Error(`${o.binary} rejected its arguments (${probeArgs(o).join(' ')})`));
      try {
        resolve({ run: parseProbeOutput(stdout, o.binary), stdout, code, signal });
      } catch (e) {
        reject(e);
      }
    });
  });
}
