/**
 * S3 `drain-unlocked`: David Herrmann's suggestion in the 2017 thread
 * (CANq1E4QZFaj41ZisjotrpcjLHJzQQrGcrGTZ0RJg=odJKnnVJw@mail.gmail.com [M6]): deny_writable, drop
 * the inode lock, lru_add_drain_all() every time, take the lock again, then wait for pins with no
 * drain in the loop. After relocking the seals are checked again (kernel-model f S3
 * [INFERENCE]): another caller may have set F_SEAL_SEAL or F_SEAL_WRITE meanwhile, and writes
 * may have added pages while the lock was dropped.
 */
import type { Strategy } from './types.ts';
import { allowWritable, denyWritable, lockInode, setSealWrite, tagPins, unlockInode, waitLoop, type SealOutcome } from '../sim/seal.ts';
import { lruAddDrainAll } from '../sim/drain.ts';

export const drainUnlocked: Strategy = {
  name: 'drain-unlocked',
  models: "S3: David Herrmann's drain with the inode lock dropped, every time [M6]",
  *addSeals(ctx, sealSeal) {
    const { m } = ctx;
    const f = m.file(ctx.file);
    yield m.sleep(m.costs.sealSyscallNs);
    yield* lockInode(ctx);
    let out: SealOutcome = { result: 'ok' };
    if (f.sealSeal) out = { result: 'EPERM', reason: 'sealed' };
    else if (!f.sealWrite) {
      if (!denyWritable(ctx)) out = { result: 'EBUSY', reason: 'shared-mapping' };
      else {
        unlockInode(ctx);
        yield* lruAddDrainAll(m, ctx.task, m.drainAllVariant, ctx.acct);
        yield* lockInode(ctx);
        if (f.sealSeal) {
          allowWritable(ctx);
          out = { result: 'EPERM', reason: 'sealed' };
        } else if (!f.sealWrite) {
          yield* tagPins(ctx);
          if ((yield* waitLoop(ctx, { scan0: 'none' })) === 'EBUSY') {
            allowWritable(ctx);
            out = { result: 'EBUSY', reason: 'pinned' };
          } else setSealWrite(ctx);
        } else allowWritable(ctx); // sealed by someone else meanwhile: our deny is not needed
      }
    }
    if (out.result === 'ok' && sealSeal) f.sealSeal = true;
    unlockInode(ctx);
    return out;
  },
};
