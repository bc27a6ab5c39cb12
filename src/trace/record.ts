/**
 * `drainlab record`: trace the seal and drain activity of this machine into a drainlab/trace@1
 * file (format.ts, docs/traces.md). The tracefs work is done by the native helper probe/tracerec.c
 * (`drainrec`): a private mount namespace when tracefs is not mounted, a private tracing instance,
 * removed on exit. Node cannot do that itself (unshare(CLONE_NEWNS) fails in a threaded process).
 *
 * This side turns the kernel's text lines into JSON lines, merges bursts of LRU insertions,
 * drops the exits of fcntls that were not seals, streams everything through gzip into
 * OUT.partial, and renames it to OUT when the footer is written: on time, on SIGINT (what was
 * recorded is kept), or when the helper dies (the footer says so).
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGzip } from 'node:zlib';
import { release, cpus as hostCpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../errors.ts';
import { parseCpuList } from '../scenario/lists.ts';
import { PROBE_DIR } from '../calibrate/probe.ts';
import { hostInfo } from '../calibrate/host.ts';
import { provenance } from '../metrics/provenance.ts';
import {
  TRACE_EVENTS, TRACE_SCHEMA, cpumaskHex, parseTextLine,
  type TraceEvent, type TraceEventKind, type TraceFooter, type TraceHeader,
} from './format.ts';

export const RECORDER_BIN = join(PROBE_DIR, 'bin', 'drainrec');

export interface RecordOptions {
  seconds: number;
  cpus?: string;
  comm?: string;
  out: string;
  bufferKb?: number;
  /** A progress line (about once a second). */
  progress?: (line: string) => void;
  /** Resolves when the recording should stop early (the CLI passes SIGINT). */
  stopSignal?: Promise<unknown>;
  /** Called once the helper has enabled its events (a test starts its workload then). */
  onRecording?: () => void;
  binary?: string;
}

export interface RecordResult {
  path: string;
  header: TraceHeader;
  footer: TraceFooter;
}

/** Kernel config facts that change what a trace means (from /proc/config.gz). */
const CONFIG_KEYS = ['CONFIG_HZ', 'CONFIG_PREEMPT', 'CONFIG_PREEMPT_VOLUNTARY', 'CONFIG_PREEMPT_NONE', 'CONFIG_PREEMPT_RT', 'CONFIG_NO_HZ_FULL', 'CONFIG_LRU_GEN', 'CONFIG_LRU_GEN_ENABLED', 'CONFIG_TRANSPARENT_HUGEPAGE', 'CONFIG_FTRACE_SYSCALLS', 'CONFIG_NUMA'];

export function kernelConfigFacts(path = '/proc/config.gz'): Record<string, string | null> | null {
  let text: string;
  try {
    const b = readFileSync(path);
    text = b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b).toString('utf8') : b.toString('utf8');
  } catch {
    return null;
  }
  const out: Record<string, string | null> = {};
  for (const k of CONFIG_KEYS) {
    const m = new RegExp(`^${k}=(.*)$`, 'm').exec(text);
    out[k] = m ? m[1].replace(/^"|"$/g, '') : null;
  }
  return out;
}

/** Builds the helper when needed (probe/build.mjs) and says why it cannot run, if it cannot. */
export function locateRecorder(binary?: string): { path: string } | { reason: string } {
  const path = binary ?? RECORDER_BIN;
  if (process.platform !== 'linux') return { reason: `tracing needs Linux tracefs; this host runs ${process.platform}` };
  if (!binary) spawnSync(process.execPath, [join(PROBE_DIR, 'build.mjs')], { encoding: 'utf8' });
  try {
    accessSync(path, constants.X_OK);
    return { path };
  } catch {
    return { reason: `${path} is not built (needs a C compiler: npm run probe:build)` };
  }
}

/** Merges single LRU events into bursts: one task draining one batch on one CPU. */
type BurstEvent = Extract<TraceEvent, { e: 'lruInsert' | 'lruActivate' | 'pageAlloc' }>;
class Bursts {
  private open = new Map<string, BurstEvent>();
  constructor(private readonly emit: (ev: TraceEvent) => void) {}
  add(ev: BurstEvent): void {
    const key = `${ev.cpu}/${ev.e}`;
    const b = this.open.get(key);
    if (b && b.pid === ev.pid && ev.t - b.t1 <= 50_000) {
      b.n += ev.n;
      b.t1 = ev.t1;
      return;
    }
    if (b) this.emit(b);
    this.open.set(key, { ...ev });
  }
  flush(): void {
    for (const b of this.open.values()) this.emit(b);
    this.open.clear();
  }
}

export async function record(o: RecordOptions): Promise<RecordResult> {
  if (!Number.isFinite(o.seconds) || o.seconds <= 0) throw new UsageError(`--seconds: got ${o.seconds}; allowed: a number > 0`);
  const online = hostCpus().length;
  const cpuList = o.cpus !== undefined ? parseCpuList('--cpus', o.cpus, online) : undefined;
  if (o.comm !== undefined && !/^[\w .*?:/+-]{1,15}$/.test(o.comm)) {
    throw new UsageError(`--comm: got ${JSON.stringify(o.comm)}; allowed: a task name of up to 15 characters (letters, digits, "-_.:/+ " and the globs * ?)`);
  }
  const where = locateRecorder(o.binary);
  if ('reason' in where) throw new UsageError(`record: cannot trace here: ${where.reason}`);
  if (process.getuid && process.getuid() !== 0) throw new UsageError('record: tracing needs root (to mount tracefs privately and create a tracing instance); run it as root');

  const bufferKb = o.bufferKb ?? 8192;
  const args = ['--buffer-kb', String(bufferKb), '--stop-on-eof'];
  if (cpuList) args.push('--cpumask', cpumaskHex(cpuList));
  for (const ev of TRACE_EVENTS) {
    if (ev.onlyWithComm && !o.comm) continue;
    // A symbol filter (function.function == sym) does not parse inside parentheses: join without them where possible.
    // The recorder's own page faults (V8's heap, gzip) would be the biggest "producer" on the box: leave them out.
    const self = ev.name.startsWith('pagemap/') ? `common_pid != ${process.pid}` : undefined;
    const parts = [ev.filter, ev.comm && o.comm ? `comm ~ "${o.comm}"` : undefined, self].filter((f): f is string => !!f);
    const filter = parts.length > 1 ? parts.map((f) => (f.includes('||') ? `(${f})` : f)).join(' && ') : parts[0];
    args.push(filter ? `${ev.name}:${filter}` : ev.name);
  }

  mkdirSync(dirname(o.out) || '.', { recursive: true });
  const partial = `${o.out}.partial`;
  const gz = createGzip({ level: 6 });
  const file = createWriteStream(partial);
  gz.pipe(file);
  const fileDone = new Promise<void>((res, rej) => {
    file.on('finish', () => res());
    file.on('error', rej);
  });
  const write = (obj: object) => gz.write(`${JSON.stringify(obj)}\n`);

  const child = spawn(where.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: TraceHeader['provenance']['events'] = [];
  const counts: Partial<Record<TraceEventKind, number>> = {};
  let setup: { privateMount?: boolean } = {};
  let stats: TraceFooter['lost']['perCpu'] = [];
  let teardownRemoved = false;
  let error: string | undefined;
  let headerWritten = false;
  let firstNs = Infinity;
  let lastNs = -Infinity;
  let unparsed = 0;
  let interrupted = false;
  const host = hostInfo();
  const prov = provenance(new Date(), 0, 1);

  let recordingStarted!: () => void;
  const recording = new Promise<void>((r) => (recordingStarted = r));
  const errLines = createInterface({ input: child.stderr });
  errLines.on('line', (l) => {
    let m: { type?: string } & Record<string, unknown>;
    try {
      m = JSON.parse(l);
    } catch {
      o.progress?.(`record: drainrec: ${l}`);
      return;
    }
    if (m.type === 'setup') setup = m as typeof setup;
    else if (m.type === 'event') events.push({ name: String(m.name), filter: String(m.filter), filterOk: !!m.filterOk, enabled: !!m.enabled, ...(m.error ? { error: String(m.error) } : {}) });
    else if (m.type === 'recording') recordingStarted();
    else if (m.type === 'stats') stats = (m.cpus as { cpu: number; overrun: number; commitOverrun: number; dropped: number; entries: number }[]).map((c) => ({ cpu: c.cpu, overrun: c.overrun, commitOverrun: c.commitOverrun, dropped: c.dropped, entries: c.entries }));
    else if (m.type === 'teardown') teardownRemoved = !!m.removed;
    else if (m.type === 'error') error = String(m.message);
    else if (m.type === 'note') o.progress?.(`record: ${String(m.message)}`);
  });

  const pendingSeal = new Set<number>();
  const pendingFadvise = new Set<number>();
  const emit = (ev: TraceEvent) => {
    counts[ev.e] = (counts[ev.e] ?? 0) + ('n' in ev ? ev.n : 1);
    firstNs = Math.min(firstNs, ev.t);
    lastNs = Math.max(lastNs, 't1' in ev ? ev.t1 : ev.t);
    write(ev);
  };
  const bursts = new Bursts(emit);
  const outLines = createInterface({ input: child.stdout });
  const outClosed = new Promise<void>((r) => outLines.once('close', () => r()));
  outLines.on('line', (l) => {
    if (!l.trim()) return;
    let ev;
    try {
      ev = parseTextLine(l);
    } catch {
      unparsed++;
      return;
    }
    if (!ev) return;
    if (!headerWritten) writeHeader();
    if (ev.e === 'lruInsert' || ev.e === 'lruActivate' || ev.e === 'pageAlloc') return bursts.add(ev);
    if (ev.e === 'seal') pendingSeal.add(ev.pid);
    if (ev.e === 'fadvise') pendingFadvise.add(ev.pid);
    if (ev.e === 'sealExit' && !pendingSeal.delete(ev.pid)) return; // the exit of another fcntl
    if (ev.e === 'fadviseExit' && !pendingFadvise.delete(ev.pid)) return;
    emit(ev);
  });

  const header = (): TraceHeader => ({
    type: 'header',
    schema: TRACE_SCHEMA,
    provenance: {
      drainlab: prov.drainlab,
      gitCommit: prov.gitCommit,
      startedAt: prov.startedAt,
      kernel: release(),
      hz: host.hz,
      hzSource: host.hzSource,
      cpus: online,
      model: host.model,
      config: kernelConfigFacts(),
      clock: 'mono',
      options: { seconds: o.seconds, cpus: o.cpus ?? null, comm: o.comm ?? null, bufferKb },
      events,
      privateMount: !!setup.privateMount,
      excludedPids: [process.pid],
    },
  });
  function writeHeader() {
    headerWritten = true;
    write(header());
  }

  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  child.on('error', (e) => (error = `cannot run ${where.path}: ${e.message}`));
  const t0 = Date.now();
  const ready = await Promise.race([recording.then(() => true), exited.then(() => false)]);
  if (!ready) {
    gz.end();
    await fileDone;
    unlinkSync(partial);
    throw new UsageError(`record: cannot trace here: ${error ?? 'the tracing helper exited before recording'}`);
  }
  // CLOCK_MONOTONIC, the clock of the trace (trace_clock mono; libuv's hrtime is the same clock on Linux)
  const startNs = Number(process.hrtime.bigint());
  o.onRecording?.();
  const tick = setInterval(() => {
    const s = (Date.now() - t0) / 1000;
    const n = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    o.progress?.(`record: ${s.toFixed(0)}/${o.seconds} s, ${n} events (seals ${counts.seal ?? 0}, drain works ${counts.drainQueue ?? 0}, pages to LRU ${counts.lruInsert ?? 0}, fadvise ${counts.fadvise ?? 0})`);
  }, 1000);
  const timeUp = new Promise<'time'>((r) => setTimeout(() => r('time'), o.seconds * 1000).unref());
  const why = await Promise.race([timeUp, exited.then(() => 'exit' as const), (o.stopSignal ?? new Promise(() => {})).then(() => 'signal' as const)]);
  interrupted = why === 'signal';
  const endNs = Number(process.hrtime.bigint());
  child.stdin.end(); // the helper stops on EOF: disables the events, drains the buffer, removes the instance
  const code = await exited;
  clearInterval(tick);
  await outClosed;
  bursts.flush();
  if (!headerWritten) writeHeader();
  const lostTotal = stats.reduce((a, c) => a + Math.max(0, c.overrun) + Math.max(0, c.dropped), 0);
  const footer: TraceFooter = {
    type: 'footer',
    endedAt: new Date().toISOString(),
    startNs,
    endNs,
    firstEventNs: Number.isFinite(firstNs) ? firstNs : null,
    lastEventNs: Number.isFinite(lastNs) ? lastNs : null,
    interrupted: interrupted || why === 'exit',
    counts,
    lost: { total: lostTotal, perCpu: stats },
    unparsed,
    teardown: { instanceRemoved: teardownRemoved },
  };
  write(footer);
  gz.end();
  await fileDone;
  renameSync(partial, o.out);
  if (code !== 0 && error) o.progress?.(`record: the tracing helper failed: ${error}`);
  return { path: o.out, header: header(), footer };
}
