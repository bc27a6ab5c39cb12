/**
 * S7 `remote-drain`: the caller drains remote pagevecs itself under per-CPU locks, no work item
 * and no kworker: Sebastian Siewior's 2019 RFC, Nicolas Saenz Julienne's "mm: Remote LRU per-cpu
 * pagevec cache/per-cpu page list drain support" (Sep 2021 [T20]), and QPW (Leonardo Bras 2024,
 * Marcelo Tosatti Feb 2026 [T21]). Isolated and RT CPUs are never interrupted, and the seal never
 * waits for a kworker; the price is a spinlock on every pagevec add on every CPU
 * (costs.remoteLockNsPerAdd, summed in the run summary as lruAddOverheadMs) plus cache-line
 * transfers per drained CPU (costs.remoteDrainNsPerCpu).
 */
import { defineStrategy, drainAllOptions, v414SealPath } from './api.ts';

export const remoteDrain = defineStrategy({
  name: 'remote-drain',
  models: 'S7: drain remote pagevecs under per-CPU locks, no kworker (RFCs 2019/2021 [T20], QPW 2024/2026 [T21])',
  drainAll: { hotplugLock: false },
  perAddCost: (costs) => costs.remoteLockNsPerAdd,
  *addSeals(ctx, sealSeal) {
    return yield* v414SealPath(ctx, sealSeal, () => drainAllOptions({ remote: true }));
  },
});
