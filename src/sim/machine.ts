/**
 * One simulated machine for one strategy run: the page state (in the WASM arena), CPUs with their
 * classes and kworkers, files with their inode locks and seals, the global drain_all state, real
 * pins, lockdep, and the run's accounting. Kernel paths (seal.ts, drain.ts) act on it.
 */
import { Completion, Engine, Mutex, Sleeper, type EventId, type Proc, type Wait } from './engine.ts';
import type { Arena } from '../wasm/core.ts';
import type { Scenario } from '../scenario/resolve.ts';
import type { CpuClass } from '../scenario/schema.ts';
import { newAcct, type DrainAcct } from '../metrics/drain-acct.ts';
import { LoadMeter } from '../metrics/load.ts';
import { SEALER_BUSY_PREEMPT_PROB, type Costs } from '../kernel/costs.ts';
import { KERNEL_CONSTANTS, type DrainAllVariant, type KernelConstants, type PreemptModel } from '../kernel/versions.ts';
import { parseCpuList } from '../scenario/lists.ts';
import { Lockdep } from '../lockdep/graph.ts';
import { CounterRng, rngKey, type UniformAt } from '../stats/rng.ts';
import type { LockName, TimelineEvent, TraceStep } from '../metrics/record.ts';
import { sampleDuration } from './duration.ts';

/** PRNG stream ids: each (replication, CPU, stream) gets its own counter-based stream. */
export const STREAM = { KWORKER: 1, WORKLOAD: 2, SEALER: 3 } as const;

/** A task in the simulated kernel: the locks it holds (for lockdep) and how to wake it. */
export class Task {
  readonly held: LockName[] = [];
  readonly sleeper = new Sleeper();
  fatalSignal = false;
  constructor(readonly cpu: number) {}
}

/**
 * Work queued by lru_add_drain_all on one CPU (OP5.4), and when it ran. It is its own completion
 * (flush_work's barrier): one object per work item, the most numerous thing a drain storm makes.
 */
export class DrainWork extends Completion {
  startAt = 0;
  doneAt = 0;
  constructor(
    readonly cpu: number,
    readonly queuedAt: number,
    readonly acct: DrainAcct,
    /** A replayed call's recorded start delay (ns; -1: the CPU's rule applies). */
    readonly delayNs: number,
  ) {
    super();
  }
}

interface CpuState {
  cls: CpuClass;
  /** When the class last changed: the RT throttling period is counted from here. */
  clsSince: number;
  /** Work queued and not yet run (queue_work_on on a pending work returns false). */
  pending: DrainWork | undefined;
  startEvent: EventId | undefined;
  kworkerFreeAt: number;
  rng: CounterRng;
  /** Draws for a sealer woken on this CPU (its own stream: the kworker's draws stay as they were). */
  sealerRng: CounterRng;
  /** Tasks sealing on this CPU (a `signal` op reaches them). */
  sealers: Set<Task>;
}

/** A real get_user_pages pin: page ranges still held, and when it was taken. */
export interface Pin {
  startNs: number;
  ranges: [number, number][];
}

interface FileState {
  inodeLock: Mutex;
  sealWrite: boolean;
  sealSeal: boolean;
  /** A3: i_mmap_writable; > 0 shared writable mappings, < 0 denied. */
  mmapWritable: number;
  /** S9: the file was ever given out in a VM_SHARED writable mapping (a write pin implies one). */
  everMappedShared: boolean;
  pins: Pin[];
}

export class Machine {
  readonly engine = new Engine();
  readonly kernel: KernelConstants;
  readonly costs: Costs;
  readonly tickNs: number;
  readonly cpus: CpuState[];
  readonly files: FileState[];
  /** OP5.3: the global lru_add_drain_all mutex. */
  readonly drainMutex: Mutex;
  /** A4 / OP5' v5.10: lru_drain_gen. */
  drainGen = 0;
  /** The system's lru_add_drain_all (the kernel's, changed by the strategy). */
  readonly drainAllVariant: DrainAllVariant;
  readonly lockdep = new Lockdep();
  /** Background drain_all callers, and writes refused by F_SEAL_WRITE. */
  readonly background = newAcct();
  refusedWrites = 0;
  /** lru_disable_count (A4, v5.13). */
  lruDisableCount = 0;
  /**
   * Per CPU: 1 while its buffer-head LRU holds a buffer head (fs/buffer.c bh_lrus). It holds no
   * memfd page, so it never decides a seal; from v5.15 it makes drain_all queue work on that CPU
   * (KernelConstants.bhLruDrain). Set by a bhLookup, emptied only by drain work run there.
   */
  readonly bhLru: Uint8Array;
  /** Pages that went through a pagevec add (allocations): what a per-add cost (S7) is charged on. */
  pvecAdds = 0;
  /** The run's own load over time (src/metrics/load.ts). */
  readonly load: LoadMeter;
  readonly timeline: TimelineEvent[] = [];
  /** Tracing is on while the first seal runs (its timeline goes into the record). */
  timelineOpen = false;
  timelineUsed = false;

  /** The PRNG's draws, computed by the WASM core (the same numbers as src/stats/rng.ts). */
  readonly uniform: UniformAt;
  /** RT_RUNTIME_SHARE (the scenario's, else the kernel version's default). */
  readonly rtRuntimeShare: boolean;
  /** The preemption model (the scenario's, else voluntary). */
  readonly preempt: PreemptModel;
  /** CPUs whose class is rt now (RT_RUNTIME_SHARE: can they all borrow a full period?). */
  private rtCpus = 0;

  constructor(
    readonly s: Scenario,
    readonly arena: Arena,
    strategyDrainAll: Partial<DrainAllVariant> = {},
  ) {
    const rngUniform = arena.rngUniform;
    this.uniform = (key, counter) => rngUniform(key.hi, key.lo, counter);
    this.kernel = KERNEL_CONSTANTS[s.kernel];
    this.costs = s.costs;
    this.tickNs = 1e9 / s.hz;
    const v = { ...this.kernel.drainAll, ...strategyDrainAll };
    // Built field by field: one object shape for every kernel and strategy keeps drain_all's
    // property loads monomorphic (a spread's shape varied, and each new one deoptimized it).
    this.drainAllVariant = { hotplugLock: v.hotplugLock, piggyback: v.piggyback, localFirst: v.localFirst, cpus: v.cpus };
    const cls: CpuClass[] = new Array(s.cpus).fill('idle');
    for (const c of s.cpuClasses) for (const cpu of parseCpuList('cpuClasses', c.cpus, s.cpus)) cls[cpu] = c.class;
    this.cpus = cls.map((c, cpu) => ({
      cls: c, clsSince: 0, pending: undefined, startEvent: undefined, kworkerFreeAt: 0,
      rng: new CounterRng(rngKey(s.seed, s.replication, cpu, STREAM.KWORKER), 0, this.uniform),
      sealerRng: new CounterRng(rngKey(s.seed, s.replication, cpu, STREAM.SEALER), 0, this.uniform), sealers: new Set(),
    }));
    this.rtCpus = cls.filter((c) => c === 'rt').length;
    this.bhLru = new Uint8Array(s.cpus);
    this.rtRuntimeShare = s.rtRuntimeShare ?? this.kernel.rtRuntimeShare;
    this.preempt = s.preempt ?? 'voluntary';
    arena.setMglru(s.mglru ?? false);
    const handoff = this.costs.mutexHandoffNs;
    this.files = Array.from({ length: s.files }, () => ({
      inodeLock: new Mutex('i_rwsem', this.engine, handoff), sealWrite: false, sealSeal: false, mmapWritable: 0, everMappedShared: false, pins: [],
    }));
    this.drainMutex = new Mutex('lru_add_drain_all.lock', this.engine, handoff);
    this.load = new LoadMeter(s.horizonMs, s.load, s.cpus);
  }

  /**
   * True while a workload generator's arrival is applied: the load meter counts what generators
   * do (their load is the one meant to hold); the script states its own, op by op.
   */
  generating = false;

  /** `n` new pages entered a pagevec (OP7): charged to S7's per-add cost and, for a generator, to the load meter. */
  added(n: number): void {
    if (n === 0) return;
    this.pvecAdds += n;
    if (this.generating) this.load.pvecAdds(this.engine.now, n);
  }

  get now(): number {
    return this.engine.now;
  }

  // --- locks, with lockdep (section F) ---------------------------------------------------------
  /** Takes a sleeping lock: lockdep records held -> acquired before the task may block. */
  *lock(task: Task, lock: Mutex): Proc {
    this.lockdep.acquire(task.held, lock.name);
    yield { kind: 'lock', lock };
    task.held.push(lock.name);
  }
  unlock(task: Task, lock: Mutex): void {
    task.held.splice(task.held.lastIndexOf(lock.name), 1);
    lock.release();
  }
  /** A lock taken for read that never blocks here (cpus_read_lock: no hotplug writer is modelled). */
  readLock(task: Task, name: LockName): void {
    this.lockdep.acquire(task.held, name);
    task.held.push(name);
  }
  readUnlock(task: Task, name: LockName): void {
    task.held.splice(task.held.lastIndexOf(name), 1);
  }

  // --- time ------------------------------------------------------------------------------------
  sleep(ns: number): Wait {
    return { kind: 'sleep', ns };
  }

  /**
   * schedule_timeout_killable(j) (OP2.2b): the timer wheel since v4.8 puts the timer in the bucket
   * after its expiry, rounded up to the level's granularity (kernel/time/timer.c calc_index:
   * `expires = (expires >> LVL_SHIFT(lvl)) + 1`), so a level-0 sleep of j jiffies ends at the
   * (j+1)-th tick after the current one, and one of >= 63 jiffies at a multiple of 8 jiffies.
   * The sleeper runs timerSlackNs after that tick; timerSlackBusyNs, when set, if its CPU runs a
   * CFS hog as it goes to sleep (no exit from idle at the wake-up). Returns the absolute wake-up time.
   */
  timerWakeAt(jiffies: number, cpu?: number): number {
    const now = Math.floor(this.now / this.tickNs);
    const expires = now + jiffies;
    let lvl = 0;
    while (lvl < 8 && jiffies >= 63 * 8 ** lvl) lvl++;
    const gran = 8 ** lvl;
    const bucket = (Math.floor(expires / gran) + 1) * gran;
    const busy = cpu !== undefined && this.costs.timerSlackBusyNs !== undefined && this.cpus[cpu].cls === 'busy';
    return bucket * this.tickNs + (busy ? this.costs.timerSlackBusyNs! : this.costs.timerSlackNs);
  }

  // --- CPUs and kworkers (OP5.4, OP5.5, CPU classes) ----------------------------------------
  setCpuClass(cpu: number, cls: CpuClass): void {
    const c = this.cpus[cpu];
    const before = c.cls;
    if (c.cls === cls) return;
    this.rtCpus += (cls === 'rt' ? 1 : 0) - (c.cls === 'rt' ? 1 : 0);
    c.cls = cls;
    c.clsSince = this.now;
    // A kworker waiting for this CPU gets it under the new class (e.g. the RT spinner stopped).
    const w = c.pending;
    if (w) {
      if (c.startEvent !== undefined) this.engine.cancel(c.startEvent);
      this.scheduleKworker(w);
    }
    // RT_RUNTIME_SHARE: the number of rt CPUs decides whether the others are throttled.
    if (this.rtRuntimeShare && (cls === 'rt' || before === 'rt')) this.rescheduleRtKworkers(cpu);
  }

  /**
   * When the CPU's kworker gets to run drain work queued at `t` (the CPU classes of the issue):
   * idle and isolated at once (a wake-up from idle); busy either at once (wake-up preemption of the
   * CFS hog, with kworkerBusyPreemptProb) or at the CPU's next scheduler tick, "within one tick";
   * rt only when RT throttling lets other tasks in: the spinner runs rtRuntime of every rtPeriod
   * counted from when it started (C1: 950 ms of 1000 ms; confirmed by drainlab calibrate on 6.18).
   * With RT_RUNTIME_SHARE (on by default before 5.10), an rt_rq that runs out borrows runtime from
   * the other CPUs' rt_rqs up to the whole period (kernel/sched/rt.c do_balance_runtime()), and
   * sched_rt_runtime_exceeded() never throttles an rt_rq whose runtime reached the period: as long
   * as the rt CPUs' full periods fit in what all CPUs have (rtCpus x period <= cpus x runtime), no
   * spinner is ever throttled and the kworker waits until the spinner stops (the CPU's class
   * changes). When they do not fit, the model keeps the throttled window (an approximation: the
   * kernel then throttles some spinners and not others).
   */
  private kworkerStart(cpu: number, t: number): number {
    const c = this.cpus[cpu];
    const k = this.costs;
    const at = Math.max(t, c.kworkerFreeAt);
    const per = this.s.wakeups?.kworkerPerCpu;
    const wake = per ? per[cpu % per.length] : this.s.wakeups?.kworker;
    if (wake && c.cls !== 'rt') return at + sampleDuration(wake, c.rng) * 1e6;
    switch (c.cls) {
      case 'idle':
      case 'isolated':
        return at + k.kworkerIdleWakeNs;
      case 'busy': {
        if (c.rng.next() < k.kworkerBusyPreemptProb) return at + k.kworkerIdleWakeNs;
        const nextTick = (Math.floor(at / this.tickNs) + 1) * this.tickNs;
        return Math.min(nextTick, at + k.kworkerBusyMaxNs) + k.kworkerIdleWakeNs;
      }
      case 'rt': {
        if (this.rtRuntimeShare && this.rtCpus * k.rtPeriodNs <= this.s.cpus * k.rtRuntimeNs) return Number.POSITIVE_INFINITY;
        const into = (at - c.clsSince) % k.rtPeriodNs;
        return into >= k.rtRuntimeNs ? at + k.kworkerIdleWakeNs : at + (k.rtRuntimeNs - into) + k.kworkerIdleWakeNs;
      }
    }
  }

  /** Kworkers waiting on other rt CPUs: their start depends on how many CPUs run RT spinners. */
  private rescheduleRtKworkers(except: number): void {
    this.cpus.forEach((o, i) => {
      if (i === except || o.cls !== 'rt' || !o.pending) return;
      if (o.startEvent !== undefined) this.engine.cancel(o.startEvent);
      this.scheduleKworker(o.pending);
    });
  }

  /**
   * When a sealer woken at `t` on `cpu` runs (a timer's expiry in the wait loop). On an idle CPU
   * at once. On a CPU running a CFS hog: before EEVDF (v6.6) the woken sleeper is placed
   * sched_latency/2 behind min_vruntime and preempts the hog at once; with EEVDF it preempts at
   * once with sealerBusyPreemptProb, else it waits for the hog's slice to end at a scheduler
   * tick: the next tick under full and rt preemption, the next or the one after (equally likely)
   * under none and voluntary, where the hog's kernel sections are not preempted (measured on the
   * host 6.18 under load: about 1 seal in 6 finished 1-2 jiffies late; docs/calibration.md).
   */
  sealerRunsAt(cpu: number, t: number): number {
    const c = this.cpus[cpu];
    if (c.cls !== 'busy' || !this.kernel.eevdf) return t;
    if (c.sealerRng.next() < (this.costs.sealerBusyPreemptProb ?? SEALER_BUSY_PREEMPT_PROB)) return t;
    const ticks = this.preempt === 'full' || this.preempt === 'rt' ? 1 : c.sealerRng.next() < 0.5 ? 1 : 2;
    // it runs when that tick's interrupt switches to it: the busy CPU's wake-up path again
    // (timerSlackBusyNs when set; unset, at the tick itself, as before it existed)
    return (Math.floor(t / this.tickNs) + ticks) * this.tickNs + (this.costs.timerSlackBusyNs ?? 0);
  }

  /**
   * A buffer-head lookup on `cpu` (__find_get_block -> bh_lru_install): the bh stays in the CPU's
   * LRU. bh_lru_install does nothing while LRU caching is disabled (lru_cache_disabled(), v5.13).
   */
  bhLookup(cpu: number): void {
    if (this.lruDisableCount === 0) this.bhLru[cpu] = 1;
  }

  /**
   * cpu_needs_drain() (OP5.4): a non-empty batch, or from v5.15 a non-empty bh LRU. The model's
   * batches are lru_add and activate; the kernel's other folio batches (lru_move_tail,
   * lru_deactivate_file, lru_deactivate, lru_lazyfree) and the mlock batch are emptied by every
   * local lru_add_drain() too, so they add no drain target the model misses after the seal's own.
   */
  needsDrain(cpu: number): boolean {
    return this.arena.pvecCount(cpu) > 0 || (this.kernel.bhLruDrain && this.bhLru[cpu] === 1);
  }

  /** A drain_all caller on `cpu` woken by its last awaited work: flushWakeNs, or the scenario's measured wake-ups. */
  callerWakeNs(cpu: number): number {
    const wake = this.s.wakeups?.caller;
    return wake ? sampleDuration(wake, this.cpus[cpu].sealerRng) * 1e6 : this.costs.flushWakeNs;
  }

  /** queue_work_on(cpu, mm_percpu_wq, lru_add_drain_work) at time t (OP5.4). */
  queueDrainWork(cpu: number, t: number, acct: DrainAcct, delayNs?: number): DrainWork {
    const c = this.cpus[cpu];
    if (c.pending) return c.pending; // already pending: the same work is flushed
    const w = new DrainWork(cpu, t, acct, delayNs ?? -1);
    c.pending = w;
    acct.cpusInterrupted++;
    this.scheduleKworker(w);
    return w;
  }

  private scheduleKworker(w: DrainWork): void {
    const c = this.cpus[w.cpu];
    const t = Math.max(w.queuedAt, this.now);
    w.startAt = w.delayNs >= 0 && c.cls !== 'rt' ? Math.max(t, c.kworkerFreeAt) + w.delayNs : this.kworkerStart(w.cpu, t);
    // Never (an unthrottled RT spinner): nothing is scheduled; setCpuClass reschedules it when the
    // spinner stops.
    c.startEvent = Number.isFinite(w.startAt) ? this.engine.at(w.startAt, () => this.runKworker(w)) : undefined;
  }

  /** The kworker runs lru_add_drain_per_cpu -> lru_add_drain() on its CPU (OP4). */
  private runKworker(w: DrainWork): void {
    const c = this.cpus[w.cpu];
    c.pending = undefined;
    c.startEvent = undefined;
    if (c.cls === 'isolated') w.acct.isolatedDisturbances++;
    w.acct.byClass[c.cls]++;
    const dur = this.localDrainCost(this.arena.drainCpu(w.cpu));
    this.bhLru[w.cpu] = 0; // lru_add_and_bh_lrus_drain(): invalidate_bh_lrus_cpu()
    w.acct.drainCpuNs += dur;
    w.doneAt = this.now + dur;
    c.kworkerFreeAt = w.doneAt;
    this.trace(w.cpu, 'kworker', dur, 'lru_add_drain_per_cpu');
    this.engine.at(w.doneAt, () => w.complete());
  }

  /** OP4 cost: one lock round trip plus the pages moved. */
  localDrainCost(pages: number): number {
    return pages === 0 ? 0 : this.costs.drainFixedNs + pages * this.costs.drainNsPerPage;
  }

  // --- files -----------------------------------------------------------------------------------
  file(f: number): FileState {
    return this.files[f];
  }

  /** Is any real pin (OP6) on the file still held? */
  hasRealPin(f: number): boolean {
    return this.files[f].pins.length > 0;
  }

  /** Was a pin taken before `t` still held now? (the `unsafe` test) */
  hasPinOlderThan(f: number, t: number): boolean {
    return this.files[f].pins.some((p) => p.startNs < t);
  }

  // --- timeline of the first seal ----------------------------------------------------------------
  trace(cpu: number, what: TraceStep, durNs?: number, detail?: string): void {
    if (!this.timelineOpen || this.timeline.length >= 400) return;
    this.timeline.push({ atMs: this.now / 1e6, cpu, what, ...(durNs ? { durMs: durNs / 1e6 } : {}), ...(detail ? { detail } : {}) });
  }
}
