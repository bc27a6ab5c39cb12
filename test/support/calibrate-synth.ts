// Synthetic probe runs for fit and compare tests: exact numbers, so a fit can be checked exactly.
import type { DrainLine, MetaLine, RecheckLine, SchedLine, TraceLine, WalkLine } from '../../src/calibrate/lines.ts';
import type { ProbeRun } from '../../src/calibrate/parse.ts';

export const META: MetaLine = {
  kind: 'meta', probe: 'drainprobe', version: 1, sysname: 'Linux', release: '6.18.0-synthetic', machine: 'x86_64',
  cpus: 2, model: 'synthetic', pageSize: 4096, shmemThp: 'always within_size advise [never] deny force', euid: 0,
  quick: false, cases: 'abcd', budgetMs: 45000, sealCpu: 0, remoteCpu: 1, startedAtUnixMs: Date.UTC(2026, 10, 25),
};

export const SCHED: SchedLine = { kind: 'sched', rtRuntimeUs: 950000, rtPeriodUs: 1000000, autogroup: 1, lockdown: 'none' };

export function run(parts: Partial<ProbeRun>): ProbeRun {
  return { meta: META, sched: SCHED, rechecks: [], drains: [], walks: [], busySeals: [], traces: [], verifies: [], skips: [], truncated: [], guests: [], ...parts };
}

export const walk = (pages: number, latencyNs: number, rep = 0): WalkLine => ({
  kind: 'walk', case: 'c', pages, rep, latencyNs, result: 'ok', errno: 0, fallocateNs: 1, shmemHugeKbDelta: 0,
});

export const recheck = (delayMs: number, latencyNs: number, result: 'ok' | 'EBUSY', startSinceTickNs: number, rep = 0): RecheckLine => ({
  kind: 'recheck', case: 'a', delayMs, rep, pages: 4, latencyNs, result, errno: result === 'ok' ? 0 : 16,
  releaseNs: delayMs * 1e6, plannedReleaseNs: delayMs * 1e6, startSinceTickNs,
  endSinceTickNs: (startSinceTickNs + latencyNs) % 4_000_000, ticks: Math.floor((startSinceTickNs + latencyNs) / 4_000_000),
});

export const drain = (cpuClass: 'idle' | 'busy' | 'rt', rep: number, latencyNs: number, extra: Partial<DrainLine> = {}): DrainLine => ({
  kind: 'drain', case: 'b', cpuClass, rep, pages: 8, latencyNs, result: 'ok', errno: 0,
  ...(cpuClass === 'idle' ? {} : { spinBeforeSealNs: 2_000_000, spinCapped: false, spinMaxNs: cpuClass === 'rt' ? 2.5e9 : 4e8 }),
  ...(cpuClass === 'rt' ? { cfsLeadNs: 0 } : {}),
  startSinceTickNs: 500_000,
  ...extra,
});

/** The trace line of a drain: work on the remote CPU starting `delayNs` after being queued at 10 us. */
export const trace = (d: DrainLine, delayNs: number, cpus = [1]): TraceLine => ({
  kind: 'trace', case: 'd', cpuClass: d.cpuClass, rep: d.rep, sealLatencyNs: d.latencyNs, events: cpus.length * 3,
  works: cpus.map((cpu) => ({
    cpu, fromCpu: 0, queuedNs: 10_000, startNs: 10_000 + (cpu === 1 ? delayNs : 5_000),
    endNs: 20_000 + (cpu === 1 ? delayNs : 5_000), startDelayNs: cpu === 1 ? delayNs : 5_000,
  })),
});
