/**
 * S1 `no-drain`: Michal Hocko's RFC [PATCH 1/2] "shmem: drop lru_add_drain_all from
 * shmem_wait_for_pins" (20171102093613.3616-2-mhocko@kernel.org [M2]): scan 0 neither drains nor
 * sleeps; the local drain in the tag pass stays. NAKed by Hugh Dickins [M4][M7]: pages parked in a
 * remote CPU's pagevec keep their extra reference and look pinned.
 */
import { addSealsLocked, defineStrategy, tagPins, waitLoop } from './api.ts';

export const noDrain = defineStrategy({
  name: 'no-drain',
  models: "S1: Michal Hocko's RFC 1/2, no drain_all in the wait loop [M2], NAKed [M4]",
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      yield* tagPins(c);
      return yield* waitLoop(c, { scan0: 'none' });
    }, sealSeal);
  },
});
