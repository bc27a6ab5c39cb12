/**
 * S3b `drain-unlocked-if-tagged` [hypothetical, derived from David Herrmann's mail [M6]]: tag
 * under the inode lock as v4.14 does; only if tags remain after the local drain, drop the lock,
 * lru_add_drain_all(), take the lock again, check the seals again (docs/kernel-model.md section f, S3
 * [INFERENCE]: another caller may have sealed meanwhile) and re-tag (pins taken while unlocked),
 * then wait with no drain in the loop. Avoids S3's unconditional drain; pays for revalidation.
 */
import { addSealsDroppingLock, allowWritable, defineStrategy, drainAll, fileState, lockInode, recheck, setSealWrite, tagPins, tagsRemain, unlockInode, waitLoop } from './api.ts';

export const drainUnlockedIfTagged = defineStrategy({
  name: 'drain-unlocked-if-tagged',
  models: 'S3b: tag first; drop the inode lock for drain_all only if tags remain [hypothetical, from M6]',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsDroppingLock(ctx, sealSeal, function* (c) {
      const f = fileState(c);
      yield* tagPins(c);
      if (tagsRemain(c)) {
        unlockInode(c);
        yield* drainAll(c);
        yield* lockInode(c);
        if (f.sealSeal || f.sealWrite) {
          allowWritable(c);
          recheck(c, true); // our tags go
          return f.sealSeal ? { result: 'EPERM', reason: 'sealed' } : { result: 'ok' };
        }
        yield* tagPins(c, false); // re-tag: pins taken while the lock was dropped
      }
      if ((yield* waitLoop(c, { scan0: 'none' })) === 'EBUSY') {
        allowWritable(c);
        return { result: 'EBUSY', reason: 'pinned' };
      }
      setSealWrite(c);
      return { result: 'ok' };
    });
  },
});
