/**
 * fcntl(F_ADD_SEALS, F_SEAL_WRITE) step by step (docs/kernel-model.md OP1, OP2, OP3), as building blocks
 * the strategies assemble. Every step that takes time says which cost pays for it.
 */
import type { Proc } from './engine.ts';
import type { Machine, Task } from './machine.ts';
import { newAcct, type DrainAcct } from '../metrics/drain-acct.ts';
import { localDrain, lruAddDrainAll, type DrainAllOptions } from './drain.ts';
import type { DrainAllVariant } from '../kernel/versions.ts';
import type { Costs } from '../kernel/costs.ts';
import type { SealRecord } from '../metrics/record.ts';

/**
 * Pages per step of the tag walk: the walk yields so that other events interleave with it (a
 * page released before the walk reaches its step is not tagged). 1M pages is 11.5 ms of walk at
 * the default cost: finer than any timing the model claims, and coarse enough that each step is
 * worth splitting across workers.
 */
export const TAG_CHUNK = 1 << 20;

/** What a seal in progress is charged with, and where it stands. */
export interface SealCtx {
  m: Machine;
  task: Task;
  file: number;
  startNs: number;
  acct: DrainAcct;
  passes: number;
  tagged: number;
  lockedAt: number;
  lockHoldNs: number;
  /** This seal set F_SEAL_WRITE (it was not set before): only such a seal can be unsafe. */
  sealedWrite: boolean;
  /** A user strategy (plugin) runs this seal: its blocking steps remember where they were called from. */
  plugin: boolean;
  /** Plugin seals only: the stack at the last blocking step it entered (where a seal that never ends is stuck). */
  where: Error | undefined;
}

/** Plugin seals: remembers the caller's stack at a step that may block (cheap: V8 formats it only if read). */
export function markStep(ctx: SealCtx): void {
  if (ctx.plugin) ctx.where = new Error('blocked here');
}

export type WaitResult = 'ok' | 'EBUSY';
export type SealOutcome = { result: 'ok' } | { result: 'EBUSY'; reason: 'shared-mapping' | 'pinned' } | { result: 'EPERM'; reason: 'sealed' };

export function newSealCtx(m: Machine, task: Task, file: number, plugin = false): SealCtx {
  return { m, task, file, startNs: m.now, acct: newAcct(), passes: 0, tagged: 0, lockedAt: 0, lockHoldNs: 0, sealedWrite: false, plugin, where: undefined };
}

/** OP1.2: inode_lock. */
export function* lockInode(ctx: SealCtx): Proc {
  markStep(ctx);
  yield* ctx.m.lock(ctx.task, ctx.m.file(ctx.file).inodeLock);
  ctx.lockedAt = ctx.m.now;
  ctx.m.trace(ctx.task.cpu, 'inode-lock');
}

/** OP1.7: inode_unlock; the hold time is added to the seal's. */
export function unlockInode(ctx: SealCtx): void {
  ctx.lockHoldNs += ctx.m.now - ctx.lockedAt;
  ctx.m.trace(ctx.task.cpu, 'inode-unlock');
  ctx.m.unlock(ctx.task, ctx.m.file(ctx.file).inodeLock);
}

/** A3 mapping_deny_writable: fails while shared writable mappings exist. */
export function denyWritable(ctx: SealCtx): boolean {
  const f = ctx.m.file(ctx.file);
  if (f.mmapWritable > 0) return false;
  f.mmapWritable--;
  return true;
}

/** OP1.5: F_SEAL_WRITE is now set. */
export function setSealWrite(ctx: SealCtx): void {
  ctx.m.file(ctx.file).sealWrite = true;
  ctx.sealedWrite = true;
}

/** A3 mapping_allow_writable: undoes deny_writable. */
export function allowWritable(ctx: SealCtx): void {
  ctx.m.file(ctx.file).mmapWritable++;
}

/**
 * OP1 with the inode lock held throughout (v4.14 shmem_add_seals). `wait` is step 4b, the
 * strategy's shmem_wait_for_pins.
 */
export function* addSealsLocked(ctx: SealCtx, wait: (ctx: SealCtx) => Proc<WaitResult>, sealSeal: boolean): Proc<SealOutcome> {
  const { m } = ctx;
  markStep(ctx);
  yield m.sleep(m.costs.sealSyscallNs); // OP1.1: checks, no locks
  yield* lockInode(ctx);
  const out = yield* sealUnderLock(ctx, wait, sealSeal);
  unlockInode(ctx);
  return out;
}

/** OP1 steps 3-6, the inode lock held. */
export function* sealUnderLock(ctx: SealCtx, wait: (ctx: SealCtx) => Proc<WaitResult>, sealSeal: boolean): Proc<SealOutcome> {
  const f = ctx.m.file(ctx.file);
  if (f.sealSeal) return { result: 'EPERM', reason: 'sealed' }; // OP1.3
  if (!f.sealWrite) {
    if (!denyWritable(ctx)) return { result: 'EBUSY', reason: 'shared-mapping' }; // OP1.4a: at once, no scan
    if ((yield* wait(ctx)) === 'EBUSY') {
      allowWritable(ctx); // OP1.4b
      return { result: 'EBUSY', reason: 'pinned' };
    }
    setSealWrite(ctx); // OP1.5
  }
  if (sealSeal) f.sealSeal = true;
  return { result: 'ok' };
}

/** OP3 shmem_tag_pins: a local drain (Hugh's cheap first step [H2]), then the full tag walk. */
export function* tagPins(ctx: SealCtx, drainLocally = true): Proc {
  const { m, file } = ctx;
  markStep(ctx);
  if (drainLocally) yield* localDrain(m, ctx.task);
  const pages = m.s.pages;
  for (let lo = 0; lo < pages; lo += TAG_CHUNK) {
    const hi = Math.min(pages, lo + TAG_CHUNK);
    const n = m.arena.tagPass(file, lo, hi); // OP3.2: refcount - mapcount > 1
    ctx.tagged += n;
    yield m.sleep(tagWalkNs(m.costs, hi) - tagWalkNs(m.costs, lo) + n * m.costs.tagSetNs);
  }
  m.trace(ctx.task.cpu, 'tagged', undefined, `${ctx.tagged} pages`);
}

/**
 * Time to walk the first `pages` slots of a mapping (OP3.2): the first tagWalkCachedPages from
 * cache, the rest at the memory-bound rate (the probe measured ~5 ns/page up to 16K pages and ~17
 * beyond 64K on 6.18; docs/calibration.md).
 */
export function tagWalkNs(k: Costs, pages: number): number {
  const cached = Math.min(pages, k.tagWalkCachedPages);
  return cached * k.tagWalkCachedNsPerPage + (pages - cached) * k.tagWalkNsPerPage;
}

/** How the wait loop's scan 0 behaves: drain_all (v4.14) in a variant, or nothing (Michal's 1/2). */
export interface WaitLoopOptions {
  scan0: { drainAll: DrainAllVariant; options?: (ctx: SealCtx) => DrainAllOptions } | 'none';
}

/**
 * OP2 shmem_wait_for_pins after the tag pass: five passes; scan 0 drains (or not), scans 1-4 sleep
 * (HZ << scan) / 200 jiffies killably; a fatal signal makes the current pass the last; the re-check
 * clears released tags and, on the last pass, all of them, failing with EBUSY if any was pinned.
 */
export function* waitLoop(ctx: SealCtx, opts: WaitLoopOptions): Proc<WaitResult> {
  const { m, file, task } = ctx;
  markStep(ctx);
  const last = m.kernel.lastScan;
  let error = false;
  for (let scan = 0; scan <= last; scan++) {
    if (!m.arena.tagAny(file)) break; // OP2.2a: O(1) root-tag test, before any drain or sleep
    if (scan === 0) {
      if (opts.scan0 !== 'none') yield* lruAddDrainAll(m, task, opts.scan0.drainAll, ctx.acct, opts.scan0.options?.(ctx)); // OP2.2b
    } else {
      const jiffies = Math.floor((m.s.hz << scan) / 200);
      const t = m.timerWakeAt(jiffies, task.cpu);
      m.trace(task.cpu, 'sleep', t - m.now, `${jiffies} jiffies`);
      const woken = task.fatalSignal ? true : ((yield { kind: 'interruptible', t, sleeper: task.sleeper }) as boolean);
      if (woken) scan = last; // OP2.2b: a fatal signal makes this pass the final one
      // The woken sealer may wait behind a CFS hog on its own CPU (Machine.sealerRunsAt).
      const runs = m.sealerRunsAt(task.cpu, m.now);
      if (runs > m.now) {
        m.trace(task.cpu, 'runqueue-wait', runs - m.now);
        yield { kind: 'until', t: runs };
      }
    }
    const tagged = m.arena.tagCount(file);
    const pinned = m.arena.recheckFile(file, scan === last, tagged); // OP2.2c
    ctx.passes++;
    m.trace(task.cpu, 'recheck', tagged * m.costs.recheckNsPerTagged, `${pinned} of ${tagged} still pinned`);
    yield m.sleep(tagged * m.costs.recheckNsPerTagged);
    if (scan === last && pinned > 0) error = true;
  }
  return error ? 'EBUSY' : 'ok';
}

/**
 * The v4.14 seal path (OP1 with OP3 and OP2: tag, then scan 0's drain_all, then the sleeps), with
 * the machine's drain_all variant and, if given, options for scan 0's drain_all. Most strategies
 * differ from it only in lru_add_drain_all() itself.
 */
export function* v414SealPath(ctx: SealCtx, sealSeal: boolean, scan0?: (ctx: SealCtx) => DrainAllOptions): Proc<SealOutcome> {
  return yield* addSealsLocked(ctx, function* (c) {
    yield* tagPins(c);
    return yield* waitLoop(c, { scan0: { drainAll: c.m.drainAllVariant, options: scan0 } });
  }, sealSeal);
}

/**
 * OP1 for the strategies that drop the inode lock to drain (S3, S3b): the lock is taken, the seals
 * checked and deny_writable done as in OP1; then `body` runs with the lock held and may drop and
 * retake it; the lock is released at the end.
 */
export function* addSealsDroppingLock(ctx: SealCtx, sealSeal: boolean, body: (ctx: SealCtx) => Proc<SealOutcome>): Proc<SealOutcome> {
  const { m } = ctx;
  const f = m.file(ctx.file);
  markStep(ctx);
  yield m.sleep(m.costs.sealSyscallNs);
  yield* lockInode(ctx);
  let out: SealOutcome = { result: 'ok' };
  if (f.sealSeal) out = { result: 'EPERM', reason: 'sealed' };
  else if (!f.sealWrite) out = denyWritable(ctx) ? yield* body(ctx) : { result: 'EBUSY', reason: 'shared-mapping' };
  if (out.result === 'ok' && sealSeal) f.sealSeal = true;
  unlockInode(ctx);
  return out;
}

/** The seal's record (docs/result-record.md), spurious and unsafe judged at the moment of return. */
export function sealRecord(ctx: SealCtx, out: SealOutcome): SealRecord {
  const { m, file } = ctx;
  const ms = (v: number) => v / 1e6;
  return {
    file,
    cpu: ctx.task.cpu,
    startMs: ms(ctx.startNs),
    endMs: ms(m.now),
    result: out.result,
    spurious: out.result === 'EBUSY' && out.reason === 'pinned' && !m.hasRealPin(file),
    unsafe: ctx.sealedWrite && m.hasPinOlderThan(file, ctx.startNs),
    passes: ctx.passes,
    lockHoldMs: ms(ctx.lockHoldNs),
    drainAllCalls: ctx.acct.drainAllCalls,
    cpusInterrupted: ctx.acct.cpusInterrupted,
    mutexWaitMs: ms(ctx.acct.mutexWaitNs),
    isolatedDisturbances: ctx.acct.isolatedDisturbances,
    drainCpuMs: ms(ctx.acct.drainCpuNs),
    drainPasses: ctx.acct.drainPasses,
    ...disturbanceByClass(ctx.acct),
    tagged: ctx.tagged,
    ...('reason' in out ? { reason: out.reason } : {}),
  };
}

/** The classes of the CPUs this seal's drain work ran on, those it ran on only (none: no field). */
function disturbanceByClass(acct: DrainAcct): Pick<SealRecord, 'disturbanceByClass'> {
  const by = Object.entries(acct.byClass).filter(([, n]) => n > 0);
  return by.length > 0 ? { disturbanceByClass: Object.fromEntries(by) } : {};
}
