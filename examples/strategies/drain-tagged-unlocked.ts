/**
 * drain-tagged-unlocked: a user strategy for drainlab (docs/strategies.md walks through it).
 *
 * The idea (not one of the 12 built-ins): combine David Herrmann's 2017 suggestion (drain with
 * the inode lock dropped, so no lock order i_rwsem -> cpu_hotplug_lock) with targeting (queue
 * drain work only on CPUs whose pagevecs hold a tagged page of this file). Tag under the lock as
 * v4.14 does; if tags remain, drop the lock, drain just those CPUs, take the lock again, check the
 * seals again (another caller may have sealed meanwhile), re-tag, and wait with no drain in the
 * loop. Costs: reading every remote pagevec entry (as S4b `targeted`) and the revalidation of S3b.
 */
import {
  addSealsDroppingLock,
  allowWritable,
  defineStrategy,
  drainAll,
  fileState,
  lockInode,
  pvecCount,
  pvecHoldsTagged,
  recheck,
  setSealWrite,
  tagPins,
  tagsRemain,
  unlockInode,
  waitLoop,
} from 'drainlab/strategy';

/** Reading one remote pagevec entry (as the built-in `targeted` assumes). */
const SCAN_NS_PER_ENTRY = 4;

export default defineStrategy({
  name: 'drain-tagged-unlocked',
  models: 'tag; if tags remain, drop the inode lock and drain only the CPUs holding a tagged page; relock, re-tag, wait [idea, M6 + S4b]',
  drainAll: { hotplugLock: false },
  *addSeals(ctx, sealSeal) {
    return yield* addSealsDroppingLock(ctx, sealSeal, function* (c) {
      const f = fileState(c);
      yield* tagPins(c);
      if (tagsRemain(c)) {
        unlockInode(c);
        yield* drainAll(c, {
          filter: (cpu) => pvecHoldsTagged(c, cpu),
          filterNsPerCpu: (cpu) => pvecCount(c, cpu) * SCAN_NS_PER_ENTRY,
        });
        yield* lockInode(c);
        if (f.sealSeal || f.sealWrite) {
          allowWritable(c);
          recheck(c, true); // our tags go
          return f.sealSeal ? { result: 'EPERM', reason: 'sealed' } : { result: 'ok' };
        }
        yield* tagPins(c, false); // pins taken while the lock was dropped
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
