/**
 * Constants and the lru_add_drain_all() variant of each kernel version (docs/kernel-model.md C1, OP5,
 * OP5', and the timeline in section d). A scenario's `kernel` picks one; single constants can
 * still be overridden in the scenario. docs/kernel-model.md ("Kernels in the lab") lists each version's facts with sources.
 */
export const KERNELS = ['4.14', '4.16', '5.10', '6.1', '6.9', '6.12', '6.18'] as const;
export type KernelVersion = (typeof KERNELS)[number];

/** Kernels that have the multi-gen LRU (CONFIG_LRU_GEN, merged in v6.1). */
export const MGLRU_KERNELS: readonly KernelVersion[] = ['6.1', '6.9', '6.12', '6.18'];

/** Preemption models (CONFIG_PREEMPT_NONE / _VOLUNTARY / PREEMPT / PREEMPT_RT). */
export const PREEMPT_MODELS = ['none', 'voluntary', 'full', 'rt'] as const;
export type PreemptModel = (typeof PREEMPT_MODELS)[number];

/** How lru_add_drain_all() behaves (OP5 / OP5'). */
export interface DrainAllVariant {
  /** OP5.1: get_online_cpus() around the drain (v4.14; dropped in v4.16 by 9852a7212324 [T1]). */
  hotplugLock: boolean;
  /** OP5' v5.5/v5.10: skip the drain when a full drain was scheduled after we arrived [T6][T7]. */
  piggyback: boolean;
  /** OP5' v6.18: a local lru_add_drain() before taking the mutex [T19]. */
  localFirst: boolean;
  /** OP5.4: which CPUs get work: those with non-empty pagevecs (v3.12+ [T3]) or every online CPU (pre-3.12). */
  cpus: 'non-empty' | 'all';
}

export interface KernelConstants {
  version: KernelVersion;
  /** C1 PAGEVEC_SIZE: 14 (<= 4.15), 15 (4.16 .. 6.8, [T13]), 31 (6.9+, [T11]); from 5.17/6.1 the batches are folio_batch of the same size. */
  pagevecSize: number;
  drainAll: DrainAllVariant;
  /** C1: LAST_SCAN, unchanged since v3.17. */
  lastScan: number;
  /** A2/C1: large folios never wait in a batch from v6.18 (folio_may_be_lru_cached [T19]); THP drains at once before. */
  largeFoliosCached: boolean;
  /**
   * The RT_RUNTIME_SHARE sched feature's default: on until 2586af1ac187 "sched/rt: Disable
   * RT_RUNTIME_SHARE by default" (tip sched/core 2020-09-25, first released in v5.10; v5.9's
   * kernel/sched/features.h still has `SCHED_FEAT(RT_RUNTIME_SHARE, true)`). Backported to some
   * stable branches in July 2022, so a late 4.x/5.4 stable may have it off; the versions here are
   * the releases as tagged.
   */
  rtRuntimeShare: boolean;
  /**
   * The fair scheduler is EEVDF (147f3efaa241 "sched/fair: Implement an EEVDF-like scheduling
   * policy", v6.6): a task woken after a sleep gets no sleeper credit, so it may not preempt a CFS
   * hog on its CPU at once (RUN_TO_PARITY) and waits for the hog's slice to end at a tick. Before,
   * place_entity() put a woken sleeper sched_latency/2 behind min_vruntime (GENTLE_FAIR_SLEEPERS)
   * and it preempted the hog at once.
   */
  eevdf: boolean;
  /**
   * lru_add_drain_all() also queues work on a CPU whose buffer-head LRU is not empty, and only that
   * work empties it: a local lru_add_drain() leaves it. has_bh_in_lru() joined the drain test with
   * 8cc621d2f45d "mm: fs: invalidate BH LRU during page migration" (Minchan Kim, v5.13), which also
   * emptied the bh LRU in lru_add_drain_cpu(); 243418e3925d "mm: fs: invalidate bh_lrus for only
   * cold path" (v5.15) moved that into lru_add_and_bh_lrus_drain(), the per-CPU work's function.
   * So from v5.15 (6.1 here) a CPU that did file-system metadata I/O since its last drain work gets
   * work even right after its own local drain (docs/kernel-model.md OP5'; [S3] mm/swap.c
   * lru_add_drain, lru_add_and_bh_lrus_drain, cpu_needs_drain).
   */
  bhLruDrain: boolean;
  source: string;
}

const v = (
  version: KernelVersion,
  pagevecSize: number,
  drainAll: DrainAllVariant,
  source: string,
  sched: { rtRuntimeShare: boolean; eevdf: boolean },
): KernelConstants => ({ version, pagevecSize, drainAll, lastScan: 4, largeFoliosCached: false, ...sched, bhLruDrain: BH_LRU_DRAIN.includes(version), source });

/** Kernels whose drain_all looks at the buffer-head LRU that only the drain work empties (v5.15+: KernelConstants.bhLruDrain). */
export const BH_LRU_DRAIN: readonly KernelVersion[] = ['6.1', '6.9', '6.12', '6.18'];

const CFS_SHARE = { rtRuntimeShare: true, eevdf: false };
const CFS = { rtRuntimeShare: false, eevdf: false };
const EEVDF = { rtRuntimeShare: false, eevdf: true };

export const KERNEL_CONSTANTS: Record<KernelVersion, KernelConstants> = {
  '4.14': v('4.14', 14, { hotplugLock: true, piggyback: false, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md C1, OP5 (v4.14 mm/swap.c:684-732) [S1]', CFS_SHARE),
  '4.16': v('4.16', 15, { hotplugLock: false, piggyback: false, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md OP5\' v4.16 (9852a7212324) [T1]; PAGEVEC_SIZE 15 [T13]', CFS_SHARE),
  '5.10': v('5.10', 15, { hotplugLock: false, piggyback: true, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md OP5\' v5.5/v5.10 piggyback (eef1a429f234, 6446a5131e24) [T6][T7]; [S2] mm/swap.c:762-853', CFS),
  // v6.1: struct cpu_fbatches (mm/swap.c) holds folio_batch lru_add, lru_rotate, lru_deactivate_file,
  // lru_deactivate, lru_lazyfree and activate; a folio_batch holds PAGEVEC_SIZE = 15 folios
  // (include/linux/pagevec.h); __lru_add_drain_all() keeps the v5.10 lru_drain_gen piggyback,
  // takes no cpus_read_lock, and queues work only where cpu_needs_drain(); no local drain first.
  // folio_mark_accessed() takes the lru_gen path when the multi-gen LRU is enabled (scenario `mglru`).
  '6.1': v('6.1', 15, { hotplugLock: false, piggyback: true, localFirst: false, cpus: 'non-empty' },
    'v6.1 mm/swap.c cpu_fbatches, __lru_add_drain_all(), folio_mark_accessed(); include/linux/pagevec.h PAGEVEC_SIZE 15', CFS),
  '6.9': v('6.9', 31, { hotplugLock: false, piggyback: true, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md C1 PAGEVEC_SIZE 31 (9cecde80aae0) [T11]', EEVDF),
  // v6.12: the same batches and drain_all as v6.9 (PAGEVEC_SIZE 31 since 9cecde80aae0 [T11]); the
  // local drain before the mutex only comes with v6.18 [T19].
  '6.12': v('6.12', 31, { hotplugLock: false, piggyback: true, localFirst: false, cpus: 'non-empty' },
    'v6.12 mm/swap.c __lru_add_drain_all(), cpu_fbatches; include/linux/pagevec.h PAGEVEC_SIZE 31 (9cecde80aae0) [T11]', EEVDF),
  '6.18': v('6.18', 31, { hotplugLock: false, piggyback: true, localFirst: true, cpus: 'non-empty' },
    'docs/kernel-model.md OP5\' v6.18 local drain first [T19]; [S3] mm/swap.c:837-838', EEVDF),
};

export const HZ_VALUES = [100, 250, 300, 1000] as const;
export type Hz = (typeof HZ_VALUES)[number];
