/**
 * S9 `skip-unshared` [idea, not implemented upstream]: Hugh Dickins in 2014 [H2]: "never embark
 * on this scan ... if the pages were never given out in a VM_SHARED mapping". A per-inode bit
 * records that the file was ever mapped shared and writable (a write pin implies such a mapping);
 * without it nobody can hold a write pin on its pages, so the seal skips tagging and waiting.
 * Otherwise the seal path is v4.16's.
 */
import { addSealsLocked, defineStrategy, drainAllVariant, fileState, tagPins, trace, waitLoop } from './api.ts';

export const skipUnshared = defineStrategy({
  name: 'skip-unshared',
  models: "S9: skip the scan when the file was never mapped VM_SHARED (Hugh's 2014 idea [H2])",
  drainAll: { hotplugLock: false },
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      if (!fileState(c).everMappedShared) {
        trace(c, 'skip-scan', 'never mapped shared');
        return 'ok' as const;
      }
      yield* tagPins(c);
      return yield* waitLoop(c, { scan0: { drainAll: drainAllVariant(c) } }); // as v414SealPath
    }, sealSeal);
  },
});
