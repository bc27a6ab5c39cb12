/**
 * Every time cost of the model, in nanoseconds, with its default and where the default comes
 * from. A scenario's `costs` (milliseconds are NOT used here: cost fields are ns, named *Ns) or a
 * calibration file overrides any of them. docs/kernel-model.md (section f, "The simulator's parameters") lists
 * these as assumptions; the defaults below are first estimates from the cited code paths, and
 * `drainlab calibrate` fits the ones it can measure on the host kernel (docs/calibration.md).
 */
export interface Costs {
  /** OP3.2 full walk of the mapping: per slot (rcu walk + page_count/page_mapcount reads) once the walk no longer fits in cache. Fitted by calibrate (probe c). */
  tagWalkNsPerPage: number;
  /** The first this-many pages of a walk run from cache at tagWalkCachedNsPerPage (0: no cached regime). Fitted by calibrate (probe c). */
  tagWalkCachedPages: number;
  /** OP3.2 per slot while the walk's working set stays in cache (a small file). */
  tagWalkCachedNsPerPage: number;
  /** OP3.2: setting the PINNED tag under tree_lock, per tagged page. */
  tagSetNs: number;
  /** OP2.2c: per tagged slot re-checked (and tag cleared under tree_lock). */
  recheckNsPerTagged: number;
  /** OP4: lru_add_drain() per page moved to the LRU (lru_lock, list add, release_pages). */
  drainNsPerPage: number;
  /** OP4: per non-empty pagevec (lru_lock round trip, pagevec reset). */
  drainFixedNs: number;
  /** OP5.4: reading one CPU's pagevec counts (remote cache lines). */
  drainAllScanNsPerCpu: number;
  /** OP5.4: INIT_WORK + queue_work_on + remote wake-up (IPI) per CPU with work. */
  queueWorkNs: number;
  /** OP5.5: flush_work on a work item that already finished. */
  flushDoneNs: number;
  /** OP5.5: waking the flusher when the work it sleeps on completes (context switch). */
  flushWakeNs: number;
  /** A kworker on an idle (or isolated) CPU: wake-up from idle to running. Fitted by calibrate (probe b, idle). */
  kworkerIdleWakeNs: number;
  /**
   * A kworker woken on a CPU running a CFS hog that does not preempt it at once waits for the
   * scheduler tick, at most this long ("within one tick": 0 = one tick at the scenario's HZ).
   */
  kworkerBusyMaxNs: number;
  /** The chance that the woken kworker preempts the CFS hog at once (wake-up preemption). Measured on 6.18: 5 of 6 and 5 of 7 (docs/calibration.md). */
  kworkerBusyPreemptProb: number;
  /** sched_rt_runtime_us: an RT spinner runs this long in every period before others get in (C1: 950000 us). */
  rtRuntimeNs: number;
  /** sched_rt_period_us (C1: 1000000 us). */
  rtPeriodNs: number;
  /** Extra delay after a timer's jiffy fires before the sleeper runs again (softirq + wake-up). Fitted by calibrate (probe a). */
  timerSlackNs: number;
  /** Mutex hand-off to the next waiter (drain_all mutex, inode lock). */
  mutexHandoffNs: number;
  /** fcntl entry and exit, deny_writable and seal bit update (OP1 steps 1-6 without the wait). */
  sealSyscallNs: number;
  /** S7 remote-drain: per-CPU spinlock taken on every pagevec add (QPW / static key), per add. */
  remoteLockNsPerAdd: number;
  /** S7 remote-drain: draining a remote CPU's pagevec from the caller (cache-line bouncing), per CPU. */
  remoteDrainNsPerCpu: number;
  /** S8 lru-disable: synchronize_rcu_expedited() (T9). */
  rcuExpeditedNs: number;
  /**
   * EEVDF kernels (6.6+): the chance that a sealer woken by its timer on a CPU running a CFS hog
   * preempts the hog at once (else it waits for a tick; Machine.sealerRunsAt). A probability, not
   * a time. Optional: a scenario or calibration that does not set it is recorded without it and
   * SEALER_BUSY_PREEMPT_PROB applies.
   */
  sealerBusyPreemptProb?: number;
  /**
   * timerSlackNs for a sleeper whose CPU runs a CFS hog (class busy) when it goes to sleep: the
   * CPU is running when the tick comes, so the wake-up has no exit from idle (on the host VM, a
   * halted vCPU resumed by the hypervisor) and the woken sealer that preempts the hog runs a few us
   * after the tick. Optional: unset, timerSlackNs applies (what every preset does). Fitted by
   * calibrate from case e (docs/calibration.md "Distributions"): 3 and 20 us in two runs on the
   * host's 6.18, where case a's idle sleepers measured 60 and 38 us.
   */
  timerSlackBusyNs?: number;
}

/**
 * Default of costs.sealerBusyPreemptProb: on the host's 6.18 (HZ=250) under a load average of ~4
 * on 2 vCPUs, about 1 seal in 6 finished 1-2 jiffies later than the model without this wait said
 * (issue 14's live runs of `drainlab validate --calibration`); `drainlab calibrate` fits it where
 * its busy-sealer case ran.
 */
export const SEALER_BUSY_PREEMPT_PROB = 5 / 6;

export const DEFAULT_COSTS: Readonly<Costs> = Object.freeze({
  tagWalkNsPerPage: 11, // docs/scenario-format.md example; ~1 radix slot + 2 struct page reads
  tagWalkCachedPages: 0,
  tagWalkCachedNsPerPage: 11,
  tagSetNs: 40,
  recheckNsPerTagged: 40,
  drainNsPerPage: 60,
  drainFixedNs: 300,
  drainAllScanNsPerCpu: 40, // 5 remote pagevec counts, mostly shared cache lines
  queueWorkNs: 1_500,
  flushDoneNs: 100,
  flushWakeNs: 3_000,
  kworkerIdleWakeNs: 20_000,
  kworkerBusyMaxNs: 0, // 0 = one tick at the scenario's HZ
  kworkerBusyPreemptProb: 0.8, // drainlab calibrate on 6.18.44, HZ=250, 2026-11-25
  rtRuntimeNs: 950_000_000, // C1 RT throttling default
  rtPeriodNs: 1_000_000_000,
  timerSlackNs: 60_000,
  mutexHandoffNs: 2_000,
  sealSyscallNs: 1_500,
  remoteLockNsPerAdd: 15,
  remoteDrainNsPerCpu: 400,
  rcuExpeditedNs: 200_000,
});

export const COST_NAMES = [...Object.keys(DEFAULT_COSTS), 'sealerBusyPreemptProb', 'timerSlackBusyNs'] as (keyof Costs)[];
