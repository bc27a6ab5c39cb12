/**
 * How busy the host was, before and during a measurement (Linux /proc; `null` where unreadable).
 * One place for the concept: `drainlab bench` judges its timings with it, and `drainlab calibrate`
 * the probe run (src/calibrate/fit.ts hostLoad). Timings on a shared or oversubscribed host say as
 * much about the neighbours as about what is measured, so a noisy run is flagged when:
 *   - other processes used more than a quarter of the host's CPUs during the run: the host's busy
 *     time from /proc/stat, less this process's own CPU time (worker threads included) and that of
 *     the children it waited for (cutime/cstime of /proc/self/stat: the bench's CLI runs, the
 *     calibrate probe with its spinner threads);
 *   - more than 5 % of the CPU time was stolen by the hypervisor during the run;
 *   - only where /proc/stat cannot be read (no direct measure of the others): the 1-minute load
 *     average before the run is above half the host's CPUs. Where it can, the load average before
 *     is recorded but judges nothing: it decays over minutes, so the previous command of a series
 *     (the last bench run, a build) raised it although nothing else ran during this one.
 * The load average during the run is recorded but judges nothing: it counts the run's own threads
 * (a probe that pins spinners raises it from 0.06 to 0.81 on an idle 2-CPU host).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** /proc/stat's aggregate line, in its own ticks. */
export interface CpuTimes {
  busy: number;
  idle: number;
  steal: number;
  total: number;
}

export interface HostLoad {
  cpus: number;
  /** 1-minute load average just before the run. */
  loadBefore: number | null;
  /** The highest 1-minute load average sampled during the run (this run's own threads included). */
  loadDuringMax: number | null;
  /** CPU time stolen by the hypervisor during the run, % of all CPU time. */
  stealPct: number | null;
  /** CPUs' worth of time other processes used during the run, on average. */
  othersCpus: number | null;
  noisy: boolean;
  /** Why it is noisy, one reason each; empty when quiet. */
  why: string[];
}

/** The first ("cpu ") line of /proc/stat: user nice system idle iowait irq softirq steal [guest ...]. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq;
  return { busy, idle: idle + iowait, steal, total: busy + idle + iowait + steal };
}

export function parseLoadavg(text: string): number | null {
  const v = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(v) ? v : null;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const loadavg = () => {
  const t = read('/proc/loadavg');
  return t === null ? null : parseLoadavg(t);
};
const cpuTimes = () => {
  const t = read('/proc/stat');
  return t === null ? null : parseProcStat(t);
};
/** CPU ms of this process and of the children it has waited for (the workers suite's CLI runs, the probe). */
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000 + childrenCpuMs();
};
const childrenCpuMs = () => {
  const t = read('/proc/self/stat');
  if (t === null) return 0;
  const f = t.slice(t.lastIndexOf(')') + 2).split(' '); // fields from state (3) on: cutime is 16, cstime 17
  const ticks = Number(f[13]) + Number(f[14]);
  return Number.isFinite(ticks) ? ticks * 10 : 0; // USER_HZ is 100 on Linux
};

/**
 * The verdict from the measurements (a pure function: the rules of the module comment). `busy`
 * is the share of all CPU time that was busy during the run, `selfCpus` this process's CPUs' worth.
 */
export function hostVerdict(m: { cpus: number; loadBefore: number | null; loadDuringMax: number | null; busyShare: number | null; stealShare: number | null; selfCpus: number }): HostLoad {
  const othersCpus = m.busyShare === null ? null : Math.max(0, m.busyShare * m.cpus - m.selfCpus);
  const stealPct = m.stealShare === null ? null : m.stealShare * 100;
  const why: string[] = [];
  if (othersCpus === null && m.loadBefore !== null && m.loadBefore > 0.5 * m.cpus) why.push(`load average ${m.loadBefore.toFixed(2)} before the run, on ${m.cpus} CPUs`);
  if (othersCpus !== null && othersCpus > 0.25 * m.cpus) why.push(`other processes used ${othersCpus.toFixed(2)} of ${m.cpus} CPUs during the run`);
  if (stealPct !== null && stealPct > 5) why.push(`${stealPct.toFixed(1)} % of CPU time stolen by the hypervisor`);
  const r = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return { cpus: m.cpus, loadBefore: r(m.loadBefore), loadDuringMax: r(m.loadDuringMax), stealPct: r(stealPct), othersCpus: r(othersCpus), noisy: why.length > 0, why };
}

/** Samples the host from start() to stop(): at both ends, and every second in between when the event loop is free. */
export class HostLoadMeter {
  private readonly cpus = availableParallelism();
  private loadBefore: number | null = null;
  private loadMax: number | null = null;
  private t0: CpuTimes | null = null;
  private self0 = 0;
  private wall0 = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    this.loadBefore = loadavg();
    this.loadMax = this.loadBefore;
    this.t0 = cpuTimes();
    this.self0 = selfCpuMs();
    this.wall0 = performance.now();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** Also call between suites: a long synchronous task keeps the interval from firing. */
  sample(): void {
    const l = loadavg();
    if (l !== null) this.loadMax = Math.max(this.loadMax ?? l, l);
  }

  stop(): HostLoad {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const t1 = cpuTimes();
    const wall = performance.now() - this.wall0;
    const d = this.t0 && t1 && t1.total > this.t0.total ? { busy: t1.busy - this.t0.busy, steal: t1.steal - this.t0.steal, total: t1.total - this.t0.total } : null;
    return hostVerdict({
      cpus: this.cpus,
      loadBefore: this.loadBefore,
      loadDuringMax: this.loadMax,
      busyShare: d ? d.busy / d.total : null,
      stealShare: d ? d.steal / d.total : null,
      selfCpus: wall > 0 ? (selfCpuMs() - this.self0) / wall : 0,
    });
  }
}
