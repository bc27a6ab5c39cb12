// What the live trace tests need: why they cannot run here (if so), the host's tracing state
// for the events `record` enables (read through a private mount where tracefs is not mounted),
// and the synthetic workload.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_DIR } from '../../src/calibrate/probe.ts';
import { locateRecorder } from '../../src/trace/record.ts';
import { TRACE_EVENTS } from '../../src/trace/format.ts';
import { traceMounts } from './calibrate-tracing.ts';

export const WORKLOAD_BIN = join(PROBE_DIR, 'bin', 'drainworkload');

export function traceSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (mounting tracefs privately and creating a tracing instance need it)';
  const r = locateRecorder();
  if ('reason' in r) return r.reason;
  if (!existsSync(WORKLOAD_BIN)) return `${WORKLOAD_BIN} not built (no C compiler)`;
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'grep -q tracefs /proc/self/mountinfo || mount -t tracefs nodev /sys/kernel/tracing'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `tracefs is not usable: ${probe.error?.message ?? probe.stderr.trim()}`;
  return undefined;
}

/** Every enable and filter file of the recorded events, the top-level switches, and the instances. */
export function hostTracing(): { mounts: string[]; files: Record<string, string>; instances: string[] } {
  const mounted = traceMounts().find((m) => m.endsWith(' tracefs'))?.split(' ')[0];
  const files = ['tracing_on', 'trace_clock', 'buffer_size_kb', 'set_event', 'events/enable', ...TRACE_EVENTS.flatMap((e) => [`events/${e.name}/enable`, `events/${e.name}/filter`])];
  const script = [
    mounted ? `cd ${mounted}` : 'mount -t tracefs nodev /sys/kernel/tracing && cd /sys/kernel/tracing',
    ...files.map((f) => `printf '%s\\t%s\\n' '${f}' "$(tr '\\n' ' ' < ${f} 2>&1)"`),
    `printf 'instances\\t%s\\n' "$(ls instances | tr '\\n' ' ')"`,
  ].join(' && ');
  const r = mounted ? spawnSync('sh', ['-c', script], { encoding: 'utf8' }) : spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`cannot read tracefs: ${r.error?.message ?? r.stderr}`);
  const out: Record<string, string> = {};
  let instances: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const [k, v = ''] = line.split('\t');
    if (k === 'instances') instances = v.trim().split(/\s+/).filter(Boolean).sort();
    else if (k) out[k] = v.trim();
  }
  return { mounts: traceMounts(), files: out, instances };
}

/** The synthetic workload, running until stopped; resolves its JSON line. */
export function startWorkload(args: string[]): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(WORKLOAD_BIN, ['--seconds', '600', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const done = new Promise<string>((res) => child.on('close', () => res(out.trim())));
  return { child, done };
}
