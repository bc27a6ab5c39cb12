/**
 * S3 `drain-unlocked`: David Herrmann's suggestion in the 2017 thread
 * (CANq1E4QZFaj41ZisjotrpcjLHJzQQrGcrGTZ0RJg=odJKnnVJw@mail.gmail.com [M6]): deny_writable, drop
 * the inode lock, lru_add_drain_all() every time, take the lock again, then wait for pins with no
 * drain in the loop. After relocking the seals are checked again (docs/kernel-model.md section f, S3
 * [INFERENCE]): another caller may have set F_SEAL_SEAL or F_SEAL_WRITE meanwhile, and writes
 * may have added pages while the lock was dropped.
 */
import { addSealsDroppingLock, allowWritable, defineStrategy, drainAll, fileState, lockInode, setSealWrite, tagPins, unlockInode, waitLoop } from './api.ts';

export const drainUnlocked = defineStrategy({
  name: 'drain-unlocked',
  models: "S3: David Herrmann's drain with the inode lock dropped, every time [M6]",
  *addSeals(ctx, sealSeal) {
    return yield* addSealsDroppingLock(ctx, sealSeal, function* (c) {
      const f = fileState(c);
      unlockInode(c);
      yield* drainAll(c);
      yield* lockInode(c);
      if (f.sealSeal || f.sealWrite) {
        // Sealed by someone else meanwhile: our deny_writable is not needed.
        allowWritable(c);
        return f.sealSeal ? { result: 'EPERM', reason: 'sealed' } : { result: 'ok' };
      }
      yield* tagPins(c);
      if ((yield* waitLoop(c, { scan0: 'none' })) === 'EBUSY') {
        allowWritable(c);
        return { result: 'EBUSY', reason: 'pinned' };
      }
      setSealWrite(c);
      return { result: 'ok' };
    });
  },
});
