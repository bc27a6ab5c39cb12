/**
 * The calibration file (`drainlab calibrate --out FILE`): schema "drainlab/calibration@1".
 * `costs` holds only what was fitted (ns, src/kernel/costs.ts names); `cases` every measurement
 * (ms); `derived` what the fit learned about mechanisms; `comparison` the model beside the
 * measurements when a predictor ran. `drainlab run --calibration FILE` reads `costs`.
 */
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { Costs } from '../kernel/costs.ts';
import { KERNELS, type KernelVersion } from '../kernel/versions.ts';
import { readJsonInput, writeAtomic } from '../io/files.ts';
import { costsSchema } from '../scenario/schema.ts';
import type { CalibrationCase } from './cases.ts';
import type { Comparison } from './compare.ts';
import type { CalibrationLoad, FitDerived } from './fit.ts';
import type { BusySealCase, DistributionResult, HostPreempt } from './distribution.ts';
import type { GuestCase } from './guest.ts';

export const CALIBRATION_SCHEMA = 'drainlab/calibration@1';

export interface CalibrationFile {
  schema: typeof CALIBRATION_SCHEMA;
  host: { kernel: string; hz: number | null; hzSource: string; cpus: number; model: string };
  /** ISO-8601 time the probe started. */
  measuredAt: string;
  costs: Partial<Costs>;
  cases: CalibrationCase[];
  notes: string[];
  derived: FitDerived;
  probe: {
    version: number; quick: boolean; elapsedMs: number | null; complete: boolean; skipped: { case: string; reason: string }[];
    /** The probe's tick grid (its clock line), when it found one; absent in older files. */
    clock?: { tickNs: number; tickPhaseNs: number; stepSeenAtPhaseNs: number[] };
  };
  comparison?: Comparison;
  /** The host's load while the probe ran (fit.ts hostLoad; older files lack othersCpus, loadBefore, stealPct, why). */
  load?: CalibrationLoad;
  /** Said loudly: e.g. a fit of partial probe output (calibrate --allow-partial). */
  warnings?: string[];
  /** Case e: seals on a busy sealing CPU (distribution.ts), and the preemption model they ran under. */
  busySeals?: BusySealCase[];
  preempt?: HostPreempt;
  /** The in-sample distribution checks (busy sealer, RT window phase) against model replications. */
  distributions?: DistributionResult[];
  /**
   * false when the measured kernel's clock cannot be trusted (a QEMU guest under TCG: a 10 ms
   * sleep takes 34-49 ms of guest time). `validate --calibration` then compares outcomes, drain
   * targets and fill behaviour only, and says so. Absent means true (the host, or a KVM guest).
   */
  timingsCalibrated?: boolean;
  /** Case g's measurements (probe/case_guest.c, src/calibrate/guest.ts), when the probe ran it. */
  guestCases?: GuestCase[];
  /** Present when the probe ran in a QEMU guest (calibrate --kernel SPEC --cpus N; src/calibrate/guest-boot.ts). */
  guest?: GuestSection;
}

/**
 * A guest run: which kernel, what its config and the booted kernel said, how QEMU ran it. Under
 * TCG (emulated time) the file's `timingsCalibrated` is false and its `costs` empty: only outcomes,
 * drain targets and fill behaviour are meant to be compared.
 */
export interface GuestSection {
  /** --kernel as given: a version, a package name or a vmlinuz path. */
  spec: string;
  package?: string;
  /** uname -r and -v inside the guest. */
  release: string;
  version: string;
  /** The kernel config's facts (kernel-package.ts KernelConfigFacts). */
  config: { hz: number | null; preempt: string | null; preemptDynamic: boolean; lruGen: boolean; lruGenEnabled: boolean; rtGroupSched: boolean };
  /** The scenario fields this kernel implies (mglru, preempt, hz; rtRuntimeShare from the booted sched_features). */
  scenario: { mglru: boolean; preempt?: string; hz?: number; rtRuntimeShare?: boolean };
  /** What the booted kernel reported (proc, sysfs, debugfs). */
  booted: {
    cpusOnline: number; memKb: number; cmdline: string; schedFeatures: string; preemptActive: string | null;
    rtRuntimeUs: number | null; rtPeriodUs: number | null; lruGenEnabled: string | null; dataPort: string;
  };
  vcpus: number;
  memMb: number;
  /** The accelerator of the run that finished: kvm, tcg-multi or tcg-single. */
  accelerator: 'kvm' | 'tcg-multi' | 'tcg-single';
  qemu: string;
  attempts: { accel: string; outcome: string; reason?: string; wallMs: number; bootMs?: number }[];
  wallMs: number;
  bootMs: number | null;
  probeArgs: string[];
  /** Framed serial lines that did not check out (cut or interleaved). */
  droppedLines: number;
  /** The host's 1-minute load average before and after the guest ran. */
  hostLoadAvg1: number[];
  /** Under TCG: what the fit gave, kept for reference and never applied. */
  uncalibratedCosts?: Partial<Costs>;
}

/** What a reader relies on; the rest is descriptive and kept as it is. */
export const calibrationFileSchema = z.looseObject({
  schema: z.literal(CALIBRATION_SCHEMA),
  host: z.looseObject({ kernel: z.string(), hz: z.number().int().positive().nullable(), cpus: z.number().int().positive(), model: z.string() }),
  measuredAt: z.string(),
  costs: costsSchema,
  cases: z.array(z.looseObject({ id: z.string(), kind: z.enum(['recheck', 'drain', 'walk']), latencyMs: z.number(), result: z.string() })),
  notes: z.array(z.string()),
  timingsCalibrated: z.boolean().optional(),
  guestCases: z.array(z.looseObject({ id: z.string(), test: z.string(), cpus: z.number().int().positive() })).optional(),
});

/** Whether a calibration file's timings may be compared (absent: yes). */
export function timingsCalibrated(f: Pick<CalibrationFile, 'timingsCalibrated'>): boolean {
  return f.timingsCalibrated !== false;
}

/** Through the one atomic writer: a failed write leaves the previous calibration file as it was. */
export function writeCalibration(path: string, f: CalibrationFile): void {
  writeAtomic(path, `${JSON.stringify(f, null, 2)}\n`, '--out');
}

/** Reads and checks a calibration file; errors name the file and the field. */
export function readCalibration(path: string): CalibrationFile {
  const raw = readJsonInput(path, '--calibration');
  const r = calibrationFileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`--calibration ${path}: ${i.path.join('.') || '(top level)'}: ${i.message} (expected a drainlab/calibration@1 file from drainlab calibrate --out)`);
  }
  return r.data as unknown as CalibrationFile;
}

/** The lab's kernel version of a measured release ("6.1.0-27-cloud-amd64" -> "6.1"); undefined when the lab has no such version. */
export function labKernel(release: string): KernelVersion | undefined {
  const v = calibrationKernelVersion(release);
  return (KERNELS as readonly string[]).includes(v) ? (v as KernelVersion) : undefined;
}

/** "6.18.44-fc-v669" -> "6.18": the kernel version a calibration was measured on, as the lab names versions. */
export function calibrationKernelVersion(release: string): string {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? `${m[1]}.${m[2]}` : release;
}

/**
 * Why costs measured on `release` should not be applied to a scenario of kernel `scenarioKernel`
 * (undefined when the versions agree): a fit holds for the kernel it was measured on.
 */
export function calibrationKernelMismatch(release: string, scenarioKernel: string): string | undefined {
  const v = calibrationKernelVersion(release);
  return v === scenarioKernel ? undefined : `the calibration was measured on kernel ${release} (${v}) and the scenario is kernel ${scenarioKernel}: its fitted costs (timer slack, wake-ups, tag walk) hold for ${v}`;
}
