/**
 * The strategy API, version 1: what a drain strategy is built from. Published as
 * `drainlab/strategy` (docs/strategies.md); the 12 built-in strategies import only this module,
 * and a user's strategy file (`--strategy-file`) gets the same one.
 *
 * A strategy is one generator function, `addSeals(ctx, sealSeal)`: the whole
 * fcntl(F_ADD_SEALS, F_SEAL_WRITE) path (docs/kernel-model.md OP1) for one seal, returning its outcome.
 * It assembles the building blocks below, each of which models one step of the kernel's seal and
 * drain paths and charges its simulated time; a step that can wait is a generator and is called
 * with `yield*`. Whatever a strategy does, the same accounting runs: an unsafe seal (F_SEAL_WRITE
 * set while a real pin older than the seal is held) is counted, every lock order is recorded by
 * lockdep, and a user strategy that throws or whose seal never returns is reported with its file
 * and line.
 *
 * Versioning: STRATEGY_API_VERSION changes when a building block changes meaning or signature.
 * Additions keep the version. `defineStrategy` stamps the version a strategy was written against;
 * the loader refuses one written against another version.
 */
import type { Proc } from '../sim/engine.ts';
import {
  addSealsDroppingLock,
  addSealsLocked,
  allowWritable,
  denyWritable,
  lockInode,
  markStep,
  sealUnderLock,
  setSealWrite,
  tagPins,
  unlockInode,
  v414SealPath,
  waitLoop,
  type SealCtx,
  type SealOutcome,
  type WaitLoopOptions,
  type WaitResult,
} from '../sim/seal.ts';
import { drainAllOptions, localDrain as localDrainOn, lruAddDrainAll, type CpuFilter, type DrainAllOptions } from '../sim/drain.ts';
import type { DrainAllVariant } from '../kernel/versions.ts';
import type { Costs } from '../kernel/costs.ts';
import type { Strategy, StrategyDefinition } from './types.ts';
import { TRACE_STEPS, type TraceStep } from '../metrics/record.ts';

export const STRATEGY_API_VERSION = 1;

export { TRACE_STEPS };
export type { TraceStep, Proc, SealCtx, SealOutcome, WaitLoopOptions, WaitResult, DrainAllOptions, CpuFilter, DrainAllVariant, Costs, Strategy, StrategyDefinition };

/** Strategy names: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const STRATEGY_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Checks a strategy definition and stamps the API version it is written against. Throws an Error
 * naming the field when something is missing or of the wrong kind.
 */
export function defineStrategy(def: StrategyDefinition): Strategy {
  if (typeof def !== 'object' || def === null) throw new Error('defineStrategy: expected an object { name, models, addSeals }');
  if (typeof def.name !== 'string' || !STRATEGY_NAME_PATTERN.test(def.name)) {
    throw new Error(`defineStrategy: name: got ${JSON.stringify(def.name)}; allowed: ${STRATEGY_NAME_PATTERN} (e.g. "skip-clean-cpus")`);
  }
  if (typeof def.models !== 'string' || def.models.trim() === '') throw new Error(`defineStrategy(${def.name}): models: a one-line description of the patch or idea it models`);
  if (typeof def.addSeals !== 'function') throw new Error(`defineStrategy(${def.name}): addSeals: a generator function (ctx, sealSeal) => SealOutcome`);
  if (def.perAddCost !== undefined && typeof def.perAddCost !== 'function') throw new Error(`defineStrategy(${def.name}): perAddCost: a function (costs) => ns`);
  if (def.drainAll !== undefined && (typeof def.drainAll !== 'object' || def.drainAll === null)) throw new Error(`defineStrategy(${def.name}): drainAll: an object with some of hotplugLock, piggyback, localFirst, cpus`);
  return { ...def, apiVersion: STRATEGY_API_VERSION };
}

// --- OP1: the seal's frame -------------------------------------------------------------------
export { addSealsLocked, addSealsDroppingLock, sealUnderLock, v414SealPath };
// --- OP1.2 / OP1.7: the inode lock; A3: deny and allow writable; OP1.5: the seal bit ---------
export { lockInode, unlockInode, denyWritable, allowWritable, setSealWrite };
// --- OP3: the tag pass; OP2: the wait loop (its scan 0 is the drain hook) --------------------
export { tagPins, waitLoop };
// --- OP5 options ------------------------------------------------------------------------------
export { drainAllOptions };

/** OP4 lru_add_drain() on the sealing task's own CPU; the task pays the cost. */
export function* localDrain(ctx: SealCtx): Proc {
  markStep(ctx);
  yield* localDrainOn(ctx.m, ctx.task);
}

/**
 * OP5 lru_add_drain_all() on behalf of this seal (charged to it): in the machine's variant (the
 * kernel's, with the strategy's `drainAll` changes) unless `variant` is given. `options` picks the
 * CPUs (`filter`, `filterNsPerCpu`), ignores the piggyback shortcut (`force`), or drains every
 * remote pagevec from the caller under per-CPU locks with no kworker (`remote`, S7).
 */
export function* drainAll(ctx: SealCtx, options?: DrainAllOptions, variant?: DrainAllVariant): Proc {
  markStep(ctx);
  yield* lruAddDrainAll(ctx.m, ctx.task, variant ?? ctx.m.drainAllVariant, ctx.acct, options === undefined ? undefined : drainAllOptions(options));
}

/** The machine's lru_add_drain_all() variant for this run (for waitLoop's scan 0). */
export function drainAllVariant(ctx: SealCtx): DrainAllVariant {
  return ctx.m.drainAllVariant;
}

/** A wait of `ns` simulated nanoseconds (not interruptible). */
export function* sleep(ctx: SealCtx, ns: number): Proc {
  markStep(ctx);
  yield ctx.m.sleep(ns);
}

// --- what a strategy may look at --------------------------------------------------------------

/** The sealed file's state: seals already set, and whether it was ever mapped shared and writable. */
export interface FileView {
  readonly sealSeal: boolean;
  readonly sealWrite: boolean;
  readonly everMappedShared: boolean;
  /** i_mmap_writable: > 0 while shared writable mappings exist, < 0 while writes are denied. */
  readonly mmapWritable: number;
}

export function fileState(ctx: SealCtx): FileView {
  return ctx.m.file(ctx.file);
}

/** OP2.2a: does any page of the file still carry the PINNED tag (O(1), the root tag)? */
export function tagsRemain(ctx: SealCtx): boolean {
  return ctx.m.arena.tagAny(ctx.file);
}

/** Pages of the file tagged now. */
export function taggedCount(ctx: SealCtx): number {
  return ctx.m.arena.tagCount(ctx.file);
}

/** OP2.2c's re-check without the wait loop: clears the tags of released pages (all of them if `final`); returns how many are still pinned. */
export function recheck(ctx: SealCtx, final: boolean): number {
  return ctx.m.arena.recheck(ctx.file, final);
}

/** Online CPUs of the machine. */
export function cpuCount(ctx: SealCtx): number {
  return ctx.m.s.cpus;
}

/** The sealing task's CPU. */
export function sealCpu(ctx: SealCtx): number {
  return ctx.task.cpu;
}

/** Pages waiting in `cpu`'s pagevecs (lru_add and activate). */
export function pvecCount(ctx: SealCtx, cpu: number): number {
  return ctx.m.arena.pvecCount(cpu);
}

/** Does `cpu`'s pagevec hold a page of the sealed file that carries the PINNED tag? */
export function pvecHoldsTagged(ctx: SealCtx, cpu: number): boolean {
  return ctx.m.arena.pvecHoldsTagged(cpu, ctx.file);
}

/** The run's costs (kernel/costs.ts), ns. */
export function costs(ctx: SealCtx): Readonly<Costs> {
  return ctx.m.costs;
}

/** Simulated time now, ns. */
export function now(ctx: SealCtx): number {
  return ctx.m.now;
}

/** Adds a step to the report's timeline of the first seal (`what`: one of TRACE_STEPS, `detail`: free text). */
export function trace(ctx: SealCtx, what: TraceStep, detail?: string, durNs?: number): void {
  ctx.m.trace(ctx.task.cpu, what, durNs, detail);
}

/** lru_cache_disable(): raises lru_disable_count; every new page bypasses the pagevecs until lruCacheEnable (S8). */
export function lruCacheDisable(ctx: SealCtx): void {
  const { m } = ctx;
  m.lruDisableCount++;
  m.arena.setLruDisabled(m.lruDisableCount);
}

/** lru_cache_enable(): undoes lruCacheDisable. */
export function lruCacheEnable(ctx: SealCtx): void {
  const { m } = ctx;
  m.lruDisableCount--;
  m.arena.setLruDisabled(m.lruDisableCount);
}
