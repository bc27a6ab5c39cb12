/**
 * Boots a kernel under QEMU with the probe's initramfs (initramfs.ts) and collects what the guest
 * printed (serial.ts); docs/calibration.md, "Other kernels under QEMU".
 *
 * The accelerator plan: KVM when /dev/kvm is usable, with a short boot timeout (a KVM guest hung
 * in early boot on the VM this was built on); then multi-threaded TCG (`-accel tcg,thread=multi
 * -cpu max`); when that guest dies (an Oops, a panic, no end marker), once more; then
 * single-threaded TCG. Every attempt's QEMU runs under `timeout` in its own session, and is
 * killed (the whole process group) on every way out: done, boot timeout, overall timeout, abort
 * (SIGINT). If node itself is killed with SIGKILL, `timeout` still ends QEMU at the attempt's limit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { consoleTrouble, readGuestOutput, type GuestOutput } from './serial.ts';

export const QEMU_BIN = 'qemu-system-x86_64';
export type Accel = 'kvm' | 'tcg-multi' | 'tcg-single';
export type AccelChoice = 'auto' | 'kvm' | 'tcg';
export const ACCEL_CHOICES: readonly AccelChoice[] = ['auto', 'kvm', 'tcg'];

/** --cpus for a guest: the probe needs two; TCG beyond 64 vCPUs takes too long on a small host. */
export const GUEST_CPUS_MIN = 2;
export const GUEST_CPUS_MAX = 64;

export function qemuAvailable(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(QEMU_BIN, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return { ok: false, reason: `${QEMU_BIN} is not installed (Debian package qemu-system-x86; node scripts/ensure-qemu.mjs installs it as root)` };
  }
  return { ok: true, version: (r.stdout.split('\n')[0] ?? '').trim() };
}

/** Whether KVM can be tried: /dev/kvm present and read-writable by us. */
export function kvmUsable(dev = '/dev/kvm'): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(dev)) return { ok: false, reason: `${dev} does not exist` };
  try {
    accessSync(dev, constants.R_OK | constants.W_OK);
    return { ok: true };
  } catch {
    return { ok: false, reason: `${dev} is not read-writable by this user` };
  }
}

/** Guest memory: room for the kernel, the initramfs and the probe's files, growing with the vCPUs. */
export function guestMemoryMb(cpus: number): number {
  return Math.min(4096, 768 + 32 * cpus);
}

export const KERNEL_CMDLINE = 'console=ttyS0 panic=-1 oops=panic';

export interface QemuArgsOptions {
  kernel: string;
  initrd: string;
  cpus: number;
  memMb: number;
  accel: Accel;
  consolePath: string;
  dataPath: string;
  /** Appended to the kernel command line (tests: `rdinit=/nonexistent` makes a guest that panics). */
  extraAppend?: string;
}

/** The QEMU command line: no default devices, console on ttyS0, the framed data on ttyS1, exit on panic. */
export function qemuArgs(o: QemuArgsOptions): string[] {
  const accel = o.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', `tcg,thread=${o.accel === 'tcg-multi' ? 'multi' : 'single'}`, '-cpu', 'max'];
  return [
    '-nodefaults', '-display', 'none', '-no-reboot',
    ...accel,
    '-smp', String(o.cpus), '-m', String(o.memMb),
    '-kernel', o.kernel, '-initrd', o.initrd, '-append', o.extraAppend ? `${KERNEL_CMDLINE} ${o.extraAppend}` : KERNEL_CMDLINE,
    '-chardev', `file,id=con,path=${o.consolePath}`, '-serial', 'chardev:con',
    '-chardev', `file,id=data,path=${o.dataPath}`, '-serial', 'chardev:data',
  ];
}

export type AttemptOutcome = 'ok' | 'died' | 'boot-timeout' | 'timeout' | 'qemu-error' | 'interrupted';

export interface BootAttempt {
  accel: Accel;
  outcome: AttemptOutcome;
  reason?: string;
  wallMs: number;
  /** ms from QEMU's start to the guest's first line (its /init running). */
  bootMs?: number;
  exitCode: number | null;
  guest: GuestOutput;
  console: string;
}

export interface BootOptions {
  kernel: string;
  initrd: string;
  cpus: number;
  memMb?: number;
  /** A directory for the serial captures (the caller removes it). */
  dir: string;
  /** Give up when the guest's /init has not spoken by then. */
  bootTimeoutMs: number;
  /** The whole attempt, boot included. */
  limitMs: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  extraAppend?: string;
}

const readOr = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};

/** One boot with one accelerator; resolves when QEMU is gone (it never leaves it running). */
export function bootOnce(accel: Accel, o: BootOptions, n: number): Promise<BootAttempt> {
  const log = o.log ?? (() => {});
  const consolePath = join(o.dir, `console-${n}.log`);
  const dataPath = join(o.dir, `data-${n}.log`);
  const args = qemuArgs({ kernel: o.kernel, initrd: o.initrd, cpus: o.cpus, memMb: o.memMb ?? guestMemoryMb(o.cpus), accel, consolePath, dataPath, extraAppend: o.extraAppend });
  const t0 = Date.now();
  return new Promise((resolve) => {
    // `timeout` bounds QEMU even if this process dies without cleaning up; its own session (detached)
    // keeps a terminal's SIGINT from reaching QEMU behind our back: we stop it, and read what it left.
    const child = spawn('timeout', ['-k', '5', String(Math.ceil(o.limitMs / 1000) + 5), QEMU_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    let stopped: { outcome: AttemptOutcome; reason: string } | undefined;
    let bootMs: number | undefined;
    let seenLines = 0;
    let lastLog = t0;
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig); // timeout and QEMU: the whole group
      } catch {
        try {
          child.kill(sig);
        } catch { /* already gone */ }
      }
    };
    let hard: NodeJS.Timeout | undefined;
    const stop = (outcome: AttemptOutcome, reason: string) => {
      if (stopped) return;
      stopped = { outcome, reason };
      kill('SIGTERM');
      hard = setTimeout(() => kill('SIGKILL'), 3000);
    };
    const onAbort = () => stop('interrupted', 'interrupted (SIGINT)');
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort);
    const poll = setInterval(() => {
      const now = Date.now();
      const g = readGuestOutput(readOr(dataPath));
      if (g.start && bootMs === undefined) {
        bootMs = now - t0;
        log(`calibrate: guest up after ${(bootMs / 1000).toFixed(1)} s: ${g.start.release}, ${g.start.cpusOnline} CPUs online; probe running`);
      }
      const lines = g.probeText ? g.probeText.split('\n').length - 1 : 0;
      if (lines !== seenLines && now - lastLog >= 5000) {
        const last = g.probeText.trimEnd().split('\n').pop() ?? '';
        const kind = /"kind":"([^"]+)"/.exec(last)?.[1];
        const kase = /"case":"([^"]+)"/.exec(last)?.[1];
        log(`calibrate: guest probe: ${lines} lines (last: ${kind ?? '?'}${kase ? ` case ${kase}` : ''}), ${((now - t0) / 1000).toFixed(0)} s`);
        seenLines = lines;
        lastLog = now;
      }
      if (bootMs === undefined && now - t0 > o.bootTimeoutMs) stop('boot-timeout', `the guest's /init did not start within ${Math.round(o.bootTimeoutMs / 1000)} s`);
      else if (now - t0 > o.limitMs) stop('timeout', `the guest did not finish within ${Math.round(o.limitMs / 1000)} s`);
    }, 500);
    const finish = (code: number | null, spawnError?: string) => {
      clearInterval(poll);
      if (hard) clearTimeout(hard);
      o.signal?.removeEventListener('abort', onAbort);
      kill('SIGKILL'); // nothing of the group outlives the attempt
      const consoleText = readOr(consolePath);
      const guest = readGuestOutput(readOr(dataPath));
      const wallMs = Date.now() - t0;
      const base = { accel, wallMs, exitCode: code, guest, console: consoleText, ...(bootMs !== undefined || guest.start ? { bootMs: bootMs ?? wallMs } : {}) };
      const trouble = consoleTrouble(consoleText);
      if (spawnError) return resolve({ ...base, outcome: 'qemu-error', reason: spawnError });
      if (stopped) return resolve({ ...base, outcome: stopped.outcome, reason: trouble ? `${stopped.reason}; console: ${trouble}` : stopped.reason });
      if (guest.done && guest.probeExit) return resolve({ ...base, outcome: 'ok', ...(trouble ? { reason: `console: ${trouble}` } : {}) });
      if (!guest.start && !consoleText.trim()) {
        const err = stderr.trim().split('\n').filter((l) => !/TCG doesn't support requested feature/.test(l)).slice(-3).join(' | ');
        return resolve({ ...base, outcome: 'qemu-error', reason: `${QEMU_BIN} exited with ${code} before the guest printed anything${err ? `: ${err}` : ''}` });
      }
      resolve({ ...base, outcome: 'died', reason: trouble ?? (code === 124 ? 'killed by its time limit' : 'the guest stopped without its end marker') });
    };
    child.on('error', (e) => finish(null, `cannot run timeout/${QEMU_BIN}: ${e.message}`));
    child.on('close', (code) => finish(code));
  });
}

export interface GuestBoot {
  /** The attempt that finished (the last one when none did). */
  final: BootAttempt;
  attempts: BootAttempt[];
}

/** The attempts in order for an accelerator choice (KVM only when usable). */
export function accelPlan(choice: AccelChoice, kvm: { ok: boolean; reason?: string }): Accel[] {
  if (choice === 'kvm') {
    if (!kvm.ok) throw new UsageError(`--accel kvm: KVM is not usable here (${kvm.reason}); allowed: ${ACCEL_CHOICES.join(', ')}`);
    return ['kvm'];
  }
  const tcg: Accel[] = ['tcg-multi', 'tcg-multi', 'tcg-single'];
  return choice === 'auto' && kvm.ok ? ['kvm', ...tcg] : tcg;
}

export interface BootGuestOptions extends Omit<BootOptions, 'bootTimeoutMs' | 'limitMs'> {
  accel?: AccelChoice;
  /** The probe's own budget: the attempt's limit is boot + budget + a margin. */
  probeBudgetMs: number;
  /** Boot timeout with KVM (default 20 s: a working KVM guest runs /init in ~2 s). */
  kvmBootTimeoutMs?: number;
  /** Boot timeout under TCG (default 90 s + 6 s per vCPU). */
  tcgBootTimeoutMs?: number;
}

/** Boots with the accelerator plan until one attempt finishes, an abort, or the plan runs out. */
export async function bootGuest(o: BootGuestOptions): Promise<GuestBoot> {
  const log = o.log ?? (() => {});
  const plan = accelPlan(o.accel ?? 'auto', kvmUsable());
  if (o.accel !== 'tcg' && plan[0] !== 'kvm') log(`calibrate: KVM not used (${(kvmUsable() as { reason?: string }).reason ?? 'not chosen'}); booting under TCG`);
  const attempts: BootAttempt[] = [];
  for (let i = 0; i < plan.length; i++) {
    const accel = plan[i];
    const bootTimeoutMs = accel === 'kvm' ? o.kvmBootTimeoutMs ?? 20_000 : o.tcgBootTimeoutMs ?? 90_000 + 6_000 * o.cpus;
    const limitMs = bootTimeoutMs + o.probeBudgetMs + 60_000;
    log(`calibrate: booting ${o.kernel.split('/').pop()} with ${o.cpus} vCPUs under ${accel} (attempt ${i + 1} of at most ${plan.length}, boot timeout ${Math.round(bootTimeoutMs / 1000)} s)`);
    const a = await bootOnce(accel, { ...o, bootTimeoutMs, limitMs }, i);
    attempts.push(a);
    if (a.outcome === 'ok' || a.outcome === 'interrupted') return { final: a, attempts };
    const next = plan[i + 1];
    log(`calibrate: ${accel} attempt ${a.outcome}: ${a.reason}${next ? `; next: ${next}` : ''}`);
    if (a.outcome === 'qemu-error' && accel !== 'kvm') break; // QEMU itself cannot run: retrying will not help
  }
  return { final: attempts[attempts.length - 1], attempts };
}
