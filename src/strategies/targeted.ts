/**
 * S4b `targeted` [hypothetical, docs/kernel-model.md section f]: on scan 0, look for the file's tagged pages
 * inside each CPU's pagevecs and queue drain work only on the CPUs that hold one. The caller pays
 * for reading every pagevec entry (O(CPUs x PAGEVEC_SIZE)); in the kernel the look is racy and
 * must fall back to S4 when a page moves; here pages never move between pagevecs, so the look is
 * exact. Fewest wake-ups of all kworker-based strategies. Its pass does not bump lru_drain_gen
 * (src/sim/drain.ts): it covers its own CPUs only, so no other caller may return on it.
 */
import { defineStrategy, drainAllOptions, pvecCount, pvecHoldsTagged, v414SealPath } from './api.ts';

/** Reading one pagevec entry of a remote CPU (a cache line per few entries). */
export const TARGET_SCAN_NS_PER_ENTRY = 4;

export const targeted = defineStrategy({
  name: 'targeted',
  models: 'S4b: queue drain work only on CPUs whose pagevecs hold a tagged page [hypothetical]',
  *addSeals(ctx, sealSeal) {
    return yield* v414SealPath(ctx, sealSeal, (s) =>
      drainAllOptions({
        filter: (cpu) => pvecHoldsTagged(s, cpu),
        filterNsPerCpu: (cpu) => pvecCount(s, cpu) * TARGET_SCAN_NS_PER_ENTRY,
      }),
    );
  },
});
