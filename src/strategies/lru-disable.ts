/**
 * S8 `lru-disable`: lru_cache_disable() around the wait, as migration does since d479960e44f2
 * "mm: disable LRU pagevec during the migration temporarily" (Minchan Kim, v5.13 [T9]): raise
 * lru_disable_count, synchronize_rcu_expedited(), a forced drain_all (no piggyback), then wait
 * with no drain in the loop; lru_cache_enable() at the end. While the count is raised every new
 * page bypasses the pagevecs system-wide, so no pagevec reference can appear during the wait.
 */
import { addSealsLocked, costs, defineStrategy, drainAll, lruCacheDisable, lruCacheEnable, sleep, tagPins, trace, waitLoop } from './api.ts';

export const lruDisable = defineStrategy({
  name: 'lru-disable',
  models: 'S8: lru_cache_disable() around the wait (d479960e44f2, v5.13) [T9]',
  drainAll: { hotplugLock: false },
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      lruCacheDisable(c);
      trace(c, 'lru-cache-disable');
      yield* sleep(c, costs(c).rcuExpeditedNs); // synchronize_rcu_expedited()
      yield* drainAll(c, { force: true });
      try {
        yield* tagPins(c);
        return yield* waitLoop(c, { scan0: 'none' });
      } finally {
        lruCacheEnable(c);
      }
    }, sealSeal);
  },
});
