/**
 * Constants and the lru_add_drain_all() variant of each kernel version (docs/kernel-model.md C1, OP5,
 * OP5', and the timeline in section d). A scenario's `kernel` picks one; single constants can
 * still be overridden in the scenario.
 */
export const KERNELS = ['4.14', '4.16', '5.10', '6.9', '6.18'] as const;
export type KernelVersion = (typeof KERNELS)[number];

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
  /** C1 PAGEVEC_SIZE: 14 (<= 4.15), 15 (4.16 .. 6.8, [T13]), 31 (6.9+, [T11]). */
  pagevecSize: number;
  drainAll: DrainAllVariant;
  /** C1: LAST_SCAN, unchanged since v3.17. */
  lastScan: number;
  /** A2/C1: large folios never wait in a batch from v6.18 (folio_may_be_lru_cached [T19]); THP drains at once before. */
  largeFoliosCached: boolean;
  source: string;
}

const v = (
  version: KernelVersion,
  pagevecSize: number,
  drainAll: DrainAllVariant,
  source: string,
): KernelConstants => ({ version, pagevecSize, drainAll, lastScan: 4, largeFoliosCached: false, source });

export const KERNEL_CONSTANTS: Record<KernelVersion, KernelConstants> = {
  '4.14': v('4.14', 14, { hotplugLock: true, piggyback: false, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md C1, OP5 (v4.14 mm/swap.c:684-732) [S1]'),
  '4.16': v('4.16', 15, { hotplugLock: false, piggyback: false, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md OP5\' v4.16 (9852a7212324) [T1]; PAGEVEC_SIZE 15 [T13]'),
  '5.10': v('5.10', 15, { hotplugLock: false, piggyback: true, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md OP5\' v5.5/v5.10 piggyback (eef1a429f234, 6446a5131e24) [T6][T7]; [S2] mm/swap.c:762-853'),
  '6.9': v('6.9', 31, { hotplugLock: false, piggyback: true, localFirst: false, cpus: 'non-empty' },
    'docs/kernel-model.md C1 PAGEVEC_SIZE 31 (9cecde80aae0) [T11]'),
  '6.18': v('6.18', 31, { hotplugLock: false, piggyback: true, localFirst: true, cpus: 'non-empty' },
    'docs/kernel-model.md OP5\' v6.18 local drain first [T19]; [S3] mm/swap.c:837-838'),
};

export const HZ_VALUES = [100, 250, 300, 1000] as const;
export type Hz = (typeof HZ_VALUES)[number];
