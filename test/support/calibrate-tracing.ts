// The host's tracing state, to check that a probe run leaves it as it was. Where tracefs is not
// mounted, it is read through a private mount (unshare -m), which changes nothing on the host.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const FILES = [
  'tracing_on', 'trace_clock', 'current_tracer', 'buffer_size_kb', 'set_event', 'events/enable',
  'events/workqueue/enable',
  ...['workqueue_queue_work', 'workqueue_execute_start', 'workqueue_execute_end'].flatMap((e) => [
    `events/workqueue/${e}/enable`, `events/workqueue/${e}/filter`,
  ]),
];

/** tracefs/debugfs mounts as "mountpoint fstype", sorted. */
export function traceMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').flatMap((l) => {
    const [pre, post] = l.split(' - ');
    const fs = post?.split(' ')[0];
    return fs === 'tracefs' || fs === 'debugfs' ? [`${pre.split(' ')[4]} ${fs}`] : [];
  }).sort();
}

export type TracingState = { ok: true; files: Record<string, string>; instances: string[] } | { ok: false; why: string };

export function tracingState(): TracingState {
  const mounted = traceMounts().find((m) => m.endsWith(' tracefs'))?.split(' ')[0];
  const script = [
    mounted ? `cd ${mounted}` : 'mount -t tracefs nodev /sys/kernel/tracing && cd /sys/kernel/tracing',
    ...FILES.map((f) => `printf '%s\\t%s\\n' '${f}' "$(tr '\\n' ' ' < ${f} 2>&1)"`),
    `printf 'instances\\t%s\\n' "$(ls instances | tr '\\n' ' ')"`,
  ].join(' && ');
  const r = mounted
    ? spawnSync('sh', ['-c', script], { encoding: 'utf8' })
    : spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { ok: false, why: `cannot read tracefs: ${r.error?.message ?? r.stderr.trim()}` };
  const files: Record<string, string> = {};
  let instances: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const [k, v = ''] = line.split('\t');
    if (k === 'instances') instances = v.trim().split(/\s+/).filter(Boolean).sort();
    else if (k) files[k] = v.trim();
  }
  return { ok: true, files, instances };
}
