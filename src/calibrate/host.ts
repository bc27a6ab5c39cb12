/**
 * The host kernel: version (uname -r), HZ, CPUs, CPU model. HZ comes from /proc/config.gz
 * (CONFIG_HZ) when the kernel exports its config, else from the probe's tick (the coarse
 * clock's resolution is TICK_NSEC = 1e9/HZ), else from the re-check times of case a.
 */
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import type { ProbeRun } from './parse.ts';
import type { RecheckLine } from './lines.ts';
import { recheckTickRanges } from './ticks.ts';

export type HzSource = 'config' | 'probe-tick' | 'recheck-times' | 'unknown';

export interface HostInfo {
  kernel: string;
  hz: number | null;
  hzSource: HzSource;
  cpus: number;
  model: string;
}

/** CONFIG_HZ from a kernel config (plain text or the gzip of /proc/config.gz). */
export function hzFromConfig(data: Buffer | string): number | undefined {
  let text: string;
  if (typeof data === 'string') text = data;
  else text = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data).toString('utf8') : data.toString('utf8');
  const m = /^CONFIG_HZ=(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function readConfigHz(path = '/proc/config.gz'): number | undefined {
  try {
    return hzFromConfig(readFileSync(path));
  } catch {
    return undefined; // no IKCONFIG_PROC, or not Linux
  }
}

/** The HZ values the kernel offers (kernel/Kconfig.hz) and the lab models. */
export const HZ_CANDIDATES = [100, 250, 300, 1000] as const;

/**
 * HZ from case a alone: each re-check (and the EBUSY after the last) happens at a whole number
 * of ticks after the tick before the seal began (OP2.2b, C2, plus the timer wheel's one-jiffy
 * round-up), so latency + start phase is a multiple of the tick. Without the phase, a latency
 * L must lie in (R_n - tick, R_n + slack]. The candidate that leaves the least unexplained
 * time wins; ties go to the more common Kconfig default order above.
 */
export function inferHzFromRechecks(rechecks: readonly RecheckLine[]): number | undefined {
  const lat = rechecks.filter((r) => r.result !== 'error' && r.latencyNs > 500_000).map((r) => r.latencyNs);
  if (lat.length < 3) return undefined;
  const slackNs = 1_000_000;
  let best: { hz: number; cost: number } | undefined;
  for (const hz of HZ_CANDIDATES) {
    const tick = 1e9 / hz;
    const ranges = recheckTickRanges(hz).slice(1);
    let cost = 0;
    for (const L of lat) {
      let d = Infinity;
      for (const [a, b] of ranges) {
        const lo = a * tick - tick;
        const hi = b * tick + slackNs;
        d = Math.min(d, L < lo ? lo - L : L > hi ? L - hi : 0);
      }
      cost += d * d;
    }
    if (!best || cost < best.cost) best = { hz, cost };
  }
  return best?.hz;
}

/**
 * Everything calibrate records about the host; `probe` refines HZ when config.gz is missing.
 * `configHz` null means "no config"; by default /proc/config.gz is read, but only when the probe
 * ran on this very kernel (a recorded run from elsewhere must not borrow this host's HZ).
 */
export function hostInfo(probe?: ProbeRun, configHz: number | null = probe && probe.meta.release !== release() ? null : readConfigHz() ?? null): HostInfo {
  const cpuList = cpus();
  const kernel = probe?.meta.release ?? release();
  const model = probe?.meta.model || cpuList[0]?.model || 'unknown';
  const n = probe?.meta.cpus ?? cpuList.length;
  if (configHz) return { kernel, hz: configHz, hzSource: 'config', cpus: n, model };
  if (probe?.clock) return { kernel, hz: probe.clock.hzFromTick, hzSource: 'probe-tick', cpus: n, model };
  const inferred = probe ? inferHzFromRechecks(probe.rechecks) : undefined;
  if (inferred) return { kernel, hz: inferred, hzSource: 'recheck-times', cpus: n, model };
  return { kernel, hz: null, hzSource: 'unknown', cpus: n, model };
}
