/**
 * S3b `drain-unlocked-if-tagged` [hypothetical, derived from David Herrmann's mail [M6]]: tag
 * under the inode lock as v4.14 does; only if tags remain after the local drain, drop the lock,
 * lru_add_drain_all(), take the lock again, check the seals again (kernel-model f S3
 * [INFERENCE]: another caller may have sealed meanwhile) and re-tag (pins taken while unlocked),
 * then wait with no drain in the loop. Avoids S3's unconditional drain; pays for revalidation.
 */
import type { Strategy } from './types.ts';
import { allowWritable, denyWritable, lockInode, setSealWrite, tagPins, unlockInode, waitLoop, type SealOutcome } from '../sim/seal.ts';
import { lruAddDrainAll } from '../sim/drain.ts';

export const drainUnlockedIfTagged: Strategy = {
  name: 'drain-unlocked-if-tagged',
  models: 'S3b: tag first; drop the inode lock for drain_all only if tags remain [hypothetical, from M6]',
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
        yield* tagPins(ctx);
        let sealedMeanwhile = false;
        if (m.arena.tagAny(ctx.file)) {
          unlockInode(ctx);
          yield* lruAddDrainAll(m, ctx.task, m.drainAllVariant, ctx.acct);
          yield* lockInode(ctx);
          if (f.sealSeal || f.sealWrite) {
            sealedMeanwhile = true;
            allowWritable(ctx);
            m.arena.recheck(ctx.file, true); // our tags go
            if (f.sealSeal) out = { result: 'EPERM', reason: 'sealed' };
          } else yield* tagPins(ctx, false); // re-tag: pins taken while the lock was dropped
        }
        if (!sealedMeanwhile) {
          if ((yield* waitLoop(ctx, { scan0: 'none' })) === 'EBUSY') {
            allowWritable(ctx);
            out = { result: 'EBUSY', reason: 'pinned' };
          } else setSealWrite(ctx);
        }
      }
    }
    if (out.result === 'ok' && sealSeal) f.sealSeal = true;
    unlockInode(ctx);
    return out;
  },
};
