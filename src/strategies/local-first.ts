/**
 * S6 `local-first`: escalate from local to global (Hugh Dickins: in shmem_tag_pins in 2014 [H2];
 * in GUP and in lru_add_drain_all() in 2025, a09a8a1fbb37 and "mm: lru_add_drain_all() do local
 * lru_add_drain() first" [T19], v6.18): before drain_all, drain this CPU again and re-check; call
 * drain_all only if tags remain; drain_all itself drains locally first. No hotplug lock.
 */
import { addSealsLocked, defineStrategy, drainAllVariant, localDrain, recheck, tagPins, tagsRemain, waitLoop } from './api.ts';

export const localFirst = defineStrategy({
  name: 'local-first',
  models: 'S6: local drain, re-check, then drain_all only if still needed (6.18 style) [H2][T19]',
  drainAll: { hotplugLock: false, localFirst: true },
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      yield* tagPins(c);
      if (tagsRemain(c)) {
        // Pages added on this CPU since the tag pass's own local drain (the tag walk can be long).
        yield* localDrain(c);
        recheck(c, false);
      }
      return yield* waitLoop(c, { scan0: { drainAll: drainAllVariant(c) } });
    }, sealSeal);
  },
});
