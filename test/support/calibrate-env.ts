// Whether this machine can run the probe for real, and why not.
import { cpus } from 'node:os';
import { locateProbe } from '../../src/calibrate/probe.ts';

export function probeSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (SCHED_FIFO, /proc/kpageflags and tracefs need it)';
  if (cpus().length < 2) return 'fewer than two CPUs';
  const p = locateProbe();
  return p.available ? undefined : p.reason;
}
