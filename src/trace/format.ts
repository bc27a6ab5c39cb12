/**
 * The trace file of `drainlab record` (schema "drainlab/trace@1", docs/traces.md): gzip'd JSON
 * lines, a header first, then one line per event in the order the kernel's ring buffer gave them
 * (per CPU in time order; across CPUs nearly so), then a footer. This module owns the format:
 * the line types, the parser of the kernel's text lines (trace_pipe) into them, and the events
 * `record` asks for.
 */

export const TRACE_SCHEMA = 'drainlab/trace@1';

/** F_ADD_SEALS (include/uapi/linux/fcntl.h: F_LINUX_SPECIFIC_BASE 1024 + 9). */
export const F_ADD_SEALS = 1033;
export const F_SEAL_WRITE = 0x0008;
export const POSIX_FADV_DONTNEED = 4;
/** The work function lru_add_drain_all() queues on each CPU that needs a drain (mm/swap.c). */
export const DRAIN_WORK = 'lru_add_drain_per_cpu';

/** One kernel event, as `record` asks for it: system/name, a filter that bounds the volume, and whether `--comm` applies. */
export interface TraceEventSpec {
  name: string;
  filter?: string;
  /** The event fires in the caller's context, so a `--comm` filter selects the workload's own. */
  comm: boolean;
  /** Recorded only with `--comm` (too many events otherwise). */
  onlyWithComm?: boolean;
  why: string;
}

const drainWork = `function.function == ${DRAIN_WORK}`;

export const TRACE_EVENTS: readonly TraceEventSpec[] = [
  { name: 'syscalls/sys_enter_fcntl', filter: `cmd == ${F_ADD_SEALS}`, comm: true, why: 'a seal starts (F_ADD_SEALS only)' },
  { name: 'syscalls/sys_exit_fcntl', comm: true, why: "the seal's result (exits of other fcntls are dropped by record)" },
  { name: 'syscalls/sys_enter_memfd_create', comm: true, why: 'memfds created' },
  { name: 'syscalls/sys_enter_fadvise64', filter: `advice == ${POSIX_FADV_DONTNEED}`, comm: true, why: 'an fadvise(DONTNEED) caller, which may call lru_add_drain_all' },
  { name: 'syscalls/sys_exit_fadvise64', comm: true, why: "the fadvise call's end" },
  { name: 'workqueue/workqueue_queue_work', filter: drainWork, comm: true, why: 'lru_add_drain_all queues drain work on a CPU: its caller and target' },
  { name: 'workqueue/workqueue_execute_start', filter: drainWork, comm: false, why: 'the kworker starts the drain (its delay)' },
  { name: 'workqueue/workqueue_execute_end', filter: drainWork, comm: false, why: 'the kworker ends the drain' },
  { name: 'kmem/mm_page_alloc', filter: 'order == 0 && migratetype == 1', comm: true, onlyWithComm: true, why: "user (movable) pages allocated by the --comm tasks: the pages they produce, in their own context, on the CPU whose batch they enter (without --comm it would be every allocation of the box, so it is recorded only with it)" },
  { name: 'pagemap/mm_lru_insertion', comm: false, why: 'pages leaving a per-CPU batch for the LRU: page production per CPU' },
  { name: 'pagemap/mm_lru_activate', comm: false, why: 'pages leaving the activate batch' },
  { name: 'sched/sched_switch', filter: 'prev_pid == 0 || next_pid == 0 || prev_prio < 100 || next_prio < 100', comm: false, why: 'idle and RT occupancy per CPU (switches to and from idle or an RT task only)' },
];

interface Common {
  /** CLOCK_MONOTONIC (trace_clock "mono"), nanoseconds (the text format has microseconds). */
  t: number;
  cpu: number;
  pid: number;
  comm: string;
}

/** The event lines (`e` says which); the fields are the kernel's, renamed in camelCase. */
export type TraceEvent = Common &
  (
    | { e: 'seal'; fd: number; seals: number }
    | { e: 'sealExit'; ret: number }
    | { e: 'memfdCreate'; flags: number }
    | { e: 'fadvise'; fd: number }
    | { e: 'fadviseExit'; ret: number }
    | { e: 'drainQueue'; work: string; target: number }
    | { e: 'drainStart'; work: string }
    | { e: 'drainEnd'; work: string }
    /** `n` pages left a batch for the LRU in one burst (consecutive events of one task on one CPU within 50 us), the last at `t1`. */
    | { e: 'lruInsert'; n: number; t1: number }
    | { e: 'lruActivate'; n: number; t1: number }
    /** `n` user pages allocated by this task (only with --comm), the last at `t1`. */
    | { e: 'pageAlloc'; n: number; t1: number }
    | { e: 'switch'; prevPid: number; prevPrio: number; nextPid: number; nextPrio: number; nextComm: string }
  );

export type TraceEventKind = TraceEvent['e'];

export interface TraceHeader {
  type: 'header';
  schema: typeof TRACE_SCHEMA;
  provenance: {
    drainlab: string;
    gitCommit: string;
    startedAt: string;
    kernel: string;
    hz: number | null;
    hzSource: string;
    cpus: number;
    model: string;
    /** Kernel config facts that change what the trace means (null: no /proc/config.gz). */
    config: Record<string, string | null> | null;
    clock: 'mono';
    options: { seconds: number; cpus: string | null; comm: string | null; bufferKb: number };
    events: { name: string; filter: string; filterOk: boolean; enabled: boolean; error?: string }[];
    privateMount: boolean;
    /** Tasks whose LRU events were filtered out: the recorder itself. */
    excludedPids: number[];
  };
}

export interface TraceFooter {
  type: 'footer';
  endedAt: string;
  /** The recording window (CLOCK_MONOTONIC ns, the events' clock): from the events' enabling to the stop request. */
  startNs: number;
  endNs: number;
  firstEventNs: number | null;
  lastEventNs: number | null;
  interrupted: boolean;
  counts: Partial<Record<TraceEventKind, number>>;
  /** Events the ring buffer lost (per_cpu/cpuN/stats: overrun + dropped events); 0 means the trace is complete. */
  lost: { total: number; perCpu: { cpu: number; overrun: number; commitOverrun: number; dropped: number; entries: number }[] };
  /** Text lines that could not be parsed (should be 0). */
  unparsed: number;
  teardown: { instanceRemoved: boolean };
}

export type TraceLine = TraceHeader | TraceEvent | TraceFooter;

const LINE = /^\s*(.*)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+)\.(\d+):\s(.*)$/;

/** A number the kernel printed as hex (0x...) or decimal; syscall returns are 64-bit two's complement. */
export function kernelInt(s: string): number {
  if (/^0x[0-9a-f]+$/i.test(s)) return Number(BigInt.asIntN(64, BigInt(s)));
  return Number(s);
}

function fields(rest: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of rest.matchAll(/(\w+)[=:]\s?(\S+?)(?=,?\s|,?$|\))/g)) out[m[1]] = m[2];
  return out;
}

/**
 * One line of trace_pipe text ("comm-pid [cpu] flags sec.usec: event: fields") to an event, or
 * undefined for a line of no interest (an exit of another fcntl is kept here; record pairs it).
 * Throws on a line it cannot read at all.
 */
export function parseTextLine(line: string): TraceEvent | undefined {
  // drainrec merges bursts of page events into their first line + " drainrec_burst n=N last=SEC.USEC"
  const burst = / drainrec_burst n=(\d+) last=(\d+)\.(\d+)$/.exec(line);
  const ev = parseOne(burst ? line.slice(0, burst.index) : line);
  if (burst && ev && 'n' in ev) {
    ev.n = Number(burst[1]);
    ev.t1 = Number(burst[2]) * 1e9 + Number(burst[3].padEnd(6, '0').slice(0, 6)) * 1e3;
  }
  return ev;
}

function parseOne(line: string): TraceEvent | undefined {
  const m = LINE.exec(line);
  if (!m) throw new Error(`not a trace line: ${line.slice(0, 120)}`);
  const [, comm, pid, cpu, sec, usec, rest] = m;
  const c: Common = { t: Number(sec) * 1e9 + Number(usec.padEnd(6, '0').slice(0, 6)) * 1e3, cpu: Number(cpu), pid: Number(pid), comm: comm.trim() };
  let sm = /^sys_(\w+)\((.*)\)$/.exec(rest);
  if (sm) {
    const f = fields(sm[2]);
    if (sm[1] === 'fcntl') return kernelInt(f.cmd) === F_ADD_SEALS ? { ...c, e: 'seal', fd: kernelInt(f.fd), seals: kernelInt(f.arg) } : undefined;
    if (sm[1] === 'memfd_create') return { ...c, e: 'memfdCreate', flags: kernelInt(f.flags) };
    if (sm[1] === 'fadvise64') return kernelInt(f.advice) === POSIX_FADV_DONTNEED ? { ...c, e: 'fadvise', fd: kernelInt(f.fd) } : undefined;
    return undefined;
  }
  sm = /^sys_(\w+) -> (\S+)$/.exec(rest);
  if (sm) {
    if (sm[1] === 'fcntl') return { ...c, e: 'sealExit', ret: kernelInt(sm[2]) };
    if (sm[1] === 'fadvise64') return { ...c, e: 'fadviseExit', ret: kernelInt(sm[2]) };
    return undefined;
  }
  const em = /^(\w+): (.*)$/.exec(rest);
  if (!em) throw new Error(`unknown trace event: ${rest.slice(0, 120)}`);
  const [, name, body] = em;
  switch (name) {
    case 'workqueue_queue_work': {
      if (!body.includes(`function=${DRAIN_WORK} `)) return undefined;
      const f = fields(body.replace('work struct=', 'work='));
      return { ...c, e: 'drainQueue', work: f.work, target: Number(f.cpu) };
    }
    case 'workqueue_execute_start':
    case 'workqueue_execute_end': {
      if (!body.includes(`function ${DRAIN_WORK}`)) return undefined;
      const w = /work struct (\S+):/.exec(body);
      return { ...c, e: name === 'workqueue_execute_start' ? 'drainStart' : 'drainEnd', work: w ? w[1] : '' };
    }
    case 'mm_lru_insertion':
      return { ...c, e: 'lruInsert', n: 1, t1: c.t };
    case 'mm_lru_activate':
      return { ...c, e: 'lruActivate', n: 1, t1: c.t };
    case 'mm_page_alloc':
      return { ...c, e: 'pageAlloc', n: 1, t1: c.t };
    case 'sched_switch': {
      const s = /prev_comm=(.*) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=\S+ ==> next_comm=(.*) next_pid=(-?\d+) next_prio=(-?\d+)/.exec(body);
      if (!s) throw new Error(`unreadable sched_switch: ${body.slice(0, 120)}`);
      return { ...c, e: 'switch', prevPid: Number(s[2]), prevPrio: Number(s[3]), nextPid: Number(s[5]), nextPrio: Number(s[6]), nextComm: s[4] };
    }
    default:
      return undefined;
  }
}

/** CPU list ("0-3,8") to the hex mask tracing_cpumask takes ("10f"). */
export function cpumaskHex(cpus: readonly number[]): string {
  let mask = 0n;
  for (const c of cpus) mask |= 1n << BigInt(c);
  return mask.toString(16);
}
