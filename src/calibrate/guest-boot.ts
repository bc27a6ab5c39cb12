/**
 * `drainlab calibrate --kernel SPEC --cpus N`: a kernel the host does not run, booted under QEMU
 * with the probe as its workload (docs/calibration.md, "Other kernels under QEMU"). Fetches the
 * kernel (kernel-package.ts), builds the static probe and the initramfs (initramfs.ts), boots it
 * (qemu.ts: KVM, then TCG, with retries), reads the probe's lines from the serial port (serial.ts)
 * and writes a calibration file with a `guest` section. Under TCG guest time is not the hardware's,
 * so the file says `timingsCalibrated: false`, fits no costs into `costs` and carries no timing
 * comparison; what the kernel did (outcomes, drain targets, fill behaviour) is still there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { buildCalibration, partialReason } from './index.ts';
import { fetchKernel, kernelFacts, scenarioFieldsFromConfig, type KernelConfigFacts, type KernelPackage } from './kernel-package.ts';
import { buildGuestBinaries, buildInitramfs } from './initramfs.ts';
import { bootGuest, guestMemoryMb, kvmUsable, qemuAvailable, GUEST_CPUS_MAX, GUEST_CPUS_MIN, type AccelChoice, type GuestBoot } from './qemu.ts';
import { activePreempt, rtRuntimeShareFromFeatures } from './serial.ts';
import { parseProbeOutput } from './parse.ts';
import { writeCalibration, type CalibrationFile, type GuestSection } from './file.ts';
import type { Predictor } from './compare.ts';

/** SPEC forms: a Debian version (6.1, 6.12, 6.12-rt), a package name, or a path to a vmlinuz. */
export const KERNEL_SPEC_HELP = 'a Debian kernel version (6.1, 6.12, 6.12-rt), a package name (linux-image-6.1.0-57-cloud-amd64), or a path to a vmlinuz-<release> with its config-<release> beside it';

export function checkKernelSpec(spec: string): string {
  const s = spec.trim();
  if (s.includes('/')) return s;
  if (/^\d+\.\d+(-rt)?$/.test(s) || /^linux-image-\d+\.\d+[\w.+~-]*$/.test(s)) return s;
  throw new UsageError(`--kernel: got ${JSON.stringify(spec)}; allowed: ${KERNEL_SPEC_HELP}`);
}

export function checkGuestCpus(n: number): number {
  if (!Number.isInteger(n) || n < GUEST_CPUS_MIN || n > GUEST_CPUS_MAX) {
    throw new UsageError(`--cpus: got ${n}; allowed: an integer in ${GUEST_CPUS_MIN}..${GUEST_CPUS_MAX} (the guest's vCPUs; the probe needs two)`);
  }
  return n;
}

/**
 * The probe's arguments in the guest: no parent to watch; cases a, b, d as on the host (c, the
 * tag walk, is timing only: added when KVM may run the guest) plus the guest suite, case g
 * (`--guest-cases`: pages parked on K of N CPUs, fills around PAGEVEC_SIZE, re-reads, pins around
 * the last re-check, concurrent sealers; probe/case_guest.c).
 */
export function guestProbeArgs(o: { budgetMs: number; timings: boolean; quick?: boolean; cases?: string }): string[] {
  const cases = o.cases ?? (o.timings ? 'a,b,c,d' : 'a,b,d');
  return [...(o.quick === false ? [] : ['--quick']), '--cases', cases, '--guest-cases', '--budget-ms', String(o.budgetMs)];
}

export interface GuestCalibrateOptions {
  kernel: string;
  cpus: number;
  out?: string;
  /** The output path once the kernel's release is known (when `out` is absent). */
  outFor?: (release: string) => string;
  accel?: AccelChoice;
  /** The probe's budget inside the guest (default 60 s). */
  budgetMs?: number;
  /** The probe's cases (default a,b,d; a,b,c,d when the timings count, under KVM). */
  cases?: string;
  /** Full probe run instead of --quick. */
  full?: boolean;
  predictor?: Predictor;
  allowPartial?: boolean;
  signal?: AbortSignal;
  cacheDir?: string;
  log?: (line: string) => void;
}

export type GuestCalibrateOutcome =
  | { status: 'measured'; file: CalibrationFile; path?: string; boot: GuestBoot }
  | { status: 'interrupted'; boot?: GuestBoot };

/** The guest never finished: every attempt's accelerator and why, for the error message. */
export class GuestBootError extends Error {
  constructor(message: string, readonly boot: GuestBoot) {
    super(message);
    this.name = 'GuestBootError';
  }
}

function guestSection(k: KernelPackage, spec: string, facts: KernelConfigFacts, boot: GuestBoot, o: { cpus: number; memMb: number; qemu: string; probeArgs: string[]; wallMs: number; load: number[] }): GuestSection {
  const g = boot.final.guest;
  const s = g.start!;
  const share = rtRuntimeShareFromFeatures(s.schedFeatures);
  return {
    spec,
    ...(k.package ? { package: k.package } : {}),
    release: s.release,
    version: s.version,
    config: facts,
    scenario: { ...scenarioFieldsFromConfig(facts), ...(share === undefined ? {} : { rtRuntimeShare: share }) },
    booted: {
      cpusOnline: s.cpusOnline,
      memKb: s.memKb,
      cmdline: s.cmdline,
      schedFeatures: s.schedFeatures,
      preemptActive: activePreempt(s.preemptDynamic) ?? null,
      rtRuntimeUs: s.rtRuntimeUs,
      rtPeriodUs: s.rtPeriodUs,
      lruGenEnabled: s.lruGenEnabled || null,
      dataPort: s.port,
    },
    vcpus: o.cpus,
    memMb: o.memMb,
    accelerator: boot.final.accel,
    qemu: o.qemu,
    attempts: boot.attempts.map((a) => ({ accel: a.accel, outcome: a.outcome, ...(a.reason ? { reason: a.reason } : {}), wallMs: a.wallMs, ...(a.bootMs !== undefined ? { bootMs: a.bootMs } : {}) })),
    wallMs: o.wallMs,
    bootMs: boot.final.bootMs ?? null,
    probeArgs: o.probeArgs,
    droppedLines: g.dropped,
    hostLoadAvg1: o.load,
  };
}

export async function calibrateGuest(o: GuestCalibrateOptions): Promise<GuestCalibrateOutcome> {
  const log = o.log ?? (() => {});
  const spec = checkKernelSpec(o.kernel);
  const cpus = checkGuestCpus(o.cpus);
  const qemu = qemuAvailable();
  if (!qemu.ok) throw new UsageError(`--kernel: ${qemu.reason}`);
  const t0 = Date.now();
  const load = [loadavg()[0]];
  log(`calibrate: kernel ${spec}: looking it up (apt-get download + dpkg -x into the cache when missing)`);
  const k = fetchKernel(spec, o.cacheDir, log);
  const facts = kernelFacts(k);
  log(`calibrate: ${k.package ?? k.vmlinuz}: HZ=${facts.hz}, ${facts.preempt ?? 'unknown'} preemption${facts.preemptDynamic ? ' (dynamic)' : ''}, LRU_GEN ${facts.lruGen ? (facts.lruGenEnabled ? 'on' : 'built, off') : 'absent'}`);
  const bins = buildGuestBinaries();
  const budgetMs = o.budgetMs ?? 60_000;
  // case c (the tag walk) is timing only: worth its time when KVM may run the guest
  const timingsPossible = o.accel !== 'tcg' && kvmUsable().ok;
  const probeArgs = guestProbeArgs({ budgetMs, timings: timingsPossible, quick: !o.full, cases: o.cases });
  const dir = mkdtempSync(join(tmpdir(), 'drainlab-guest-'));
  try {
    const initrd = buildInitramfs(dir, bins, probeArgs);
    const memMb = guestMemoryMb(cpus);
    const boot = await bootGuest({ kernel: k.vmlinuz, initrd, cpus, memMb, dir, accel: o.accel, probeBudgetMs: budgetMs, signal: o.signal, log });
    if (boot.final.outcome === 'interrupted') return { status: 'interrupted', boot };
    if (boot.final.outcome !== 'ok') {
      throw new GuestBootError(`calibrate: the guest did not finish (${boot.attempts.map((a) => `${a.accel}: ${a.outcome}, ${a.reason}`).join('; ')})`, boot);
    }
    const g = boot.final.guest;
    if (!g.start) throw new GuestBootError('calibrate: the guest finished without its start line (serial data lost)', boot);
    if (g.start.cpusOnline !== cpus) log(`calibrate: WARNING: the guest saw ${g.start.cpusOnline} CPUs online, not ${cpus}`);
    const run = parseProbeOutput(g.probeText, `guest ${g.start.release} serial data`);
    const partial = partialReason(run, { code: g.probeExit?.code ?? null, signal: g.probeExit?.signal ? String(g.probeExit.signal) : null });
    if (partial && !o.allowPartial) throw new GuestBootError(`calibrate: in the guest, ${partial} (nothing written; --allow-partial keeps it)`, boot);
    const timings = boot.final.accel === 'kvm';
    const file = await buildCalibration(run, timings ? { predictor: o.predictor } : {}, facts.hz ?? null);
    load.push(loadavg()[0]);
    file.guest = guestSection(k, spec, facts, boot, { cpus, memMb, qemu: qemu.version, probeArgs, wallMs: Date.now() - t0, load });
    if (!timings) {
      file.timingsCalibrated = false;
      file.guest.uncalibratedCosts = file.costs;
      file.costs = {};
      file.notes.unshift(`TCG (${boot.final.accel}): guest time is emulated, not the hardware's, so timings are not calibrated: no costs fitted (the fit is kept under guest.uncalibratedCosts for reference) and no timing comparison; outcomes, drain targets and fill behaviour stand.`);
    }
    if (partial) file.warnings = [...(file.warnings ?? []), `PARTIAL PROBE OUTPUT in the guest (kept with --allow-partial): ${partial}`];
    const path = o.out ?? o.outFor?.(k.release);
    if (path) writeCalibration(path, file);
    return { status: 'measured', file, ...(path ? { path } : {}), boot };
  } finally {
    // DRAINLAB_KEEP_GUEST_DIR=1 keeps the initramfs and both serial captures, for a look at a guest
    if (process.env.DRAINLAB_KEEP_GUEST_DIR === '1') log(`calibrate: kept ${dir} (DRAINLAB_KEEP_GUEST_DIR=1): console-N.log, data-N.log, initramfs.cpio`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
