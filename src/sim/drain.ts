/**
 * lru_add_drain() and lru_add_drain_all(), step by step (docs/kernel-model.md OP4, OP5, OP5').
 */
import type { Proc } from './engine.ts';
import type { DrainWork, Machine, Task } from './machine.ts';
import type { DrainAcct } from '../metrics/drain-acct.ts';
import type { DrainAllVariant } from '../kernel/versions.ts';

/** OP4: lru_add_drain() on the task's own CPU; the task pays the cost. */
export function* localDrain(m: Machine, task: Task): Proc {
  const cost = m.localDrainCost(m.arena.drainCpu(task.cpu));
  if (cost > 0) {
    m.trace(task.cpu, 'local-drain', cost);
    yield m.sleep(cost);
  }
}

/** Which CPUs get work: every online CPU, those with non-empty pagevecs, or a strategy's choice. */
export type CpuFilter = (cpu: number) => boolean;

export interface DrainAllOptions {
  /** Replaces the variant's CPU choice (S4b targeted). */
  filter?: CpuFilter;
  /** Extra caller time per CPU examined by the filter (S4b: reading its pagevec entries). */
  filterNsPerCpu?: (cpu: number) => number;
  /** __lru_add_drain_all(force_all_cpus): ignores the piggyback shortcut (OP5' v5.13, lru_cache_disable). */
  force?: boolean;
  /** S7: the caller drains each remote pagevec itself under that CPU's lock: no work item, no kworker. */
  remote?: boolean;
  /** A replayed call: the recorded queue -> execute_start delay of its work on a CPU (ns), if any (src/sim/trace-source.ts). */
  startDelayNs?: (cpu: number) => number | undefined;
  /**
   * A replayed call: when the recorded caller came back from its flush (absolute ns). The caller
   * wakes then, or after the usual wake-up once its last work is done when that is later.
   */
  flushedAtNs?: number;
}

/**
 * Options with every field present, so that all of them share one object shape: drain_all's
 * property loads stay monomorphic instead of deoptimizing at each strategy's new shape.
 */
export function drainAllOptions(o: DrainAllOptions = {}): DrainAllOptions {
  return { filter: o.filter, filterNsPerCpu: o.filterNsPerCpu, force: o.force ?? false, remote: o.remote ?? false, startDelayNs: o.startDelayNs, flushedAtNs: o.flushedAtNs };
}
const NO_OPTIONS = drainAllOptions();

/**
 * OP5 lru_add_drain_all(), in the variant given (v4.14 by default). `acct` is charged with the
 * call, its mutex wait, the CPUs it interrupted and the CPU time it caused.
 */
export function* lruAddDrainAll(m: Machine, task: Task, variant: DrainAllVariant, acct: DrainAcct, o: DrainAllOptions = NO_OPTIONS): Proc {
  acct.drainAllCalls++;
  const cpu = task.cpu;
  m.trace(cpu, 'drain-all');
  // OP5' v5.5/5.10: remember the generation before the mutex [T6][T7]; in v6.18 before the local
  // drain too (__lru_add_drain_all: this_gen = smp_load_acquire(&lru_drain_gen), then
  // lru_add_drain(), then mutex_lock [T19]), so a pass that starts during the local drain counts.
  const gen = m.drainGen;
  // OP5' v6.18: a local drain first, before the mutex [T19].
  if (variant.localFirst) yield* localDrain(m, task);
  // OP5.1: get_online_cpus(): the edge i_rwsem -> cpu_hotplug_lock when called under the inode lock.
  if (variant.hotplugLock) m.readLock(task, 'cpu_hotplug_lock');
  const t0 = m.now;
  yield* m.lock(task, m.drainMutex);
  acct.mutexWaitNs += m.now - t0;
  if (m.now > t0) m.trace(cpu, 'mutex-wait', m.now - t0);
  if (variant.piggyback && !o.force && gen !== m.drainGen) {
    // Somebody scheduled a full drain after we arrived: its work covers ours.
    m.trace(cpu, 'piggyback');
  } else {
    // Only a pass over every CPU that needs a drain bumps lru_drain_gen: a caller may return on
    // another's pass only if that pass, started after its own generation read, covered at least
    // the CPUs it needs. A filtered pass (S4b) covers its own caller's CPUs and nobody else's.
    if (variant.piggyback && !o.filter) m.drainGen++;
    acct.drainPasses++;
    yield* (o.remote ? drainRemotely(m, task, acct) : queueAndFlush(m, task, variant, acct, o));
  }
  m.unlock(task, m.drainMutex);
  if (variant.hotplugLock) m.readUnlock(task, 'cpu_hotplug_lock');
}

/** OP5.4 and OP5.5: queue work on the chosen CPUs, then flush each in order. */
function* queueAndFlush(m: Machine, task: Task, variant: DrainAllVariant, acct: DrainAcct, o: DrainAllOptions): Proc {
  const k = m.costs;
  const works: DrainWork[] = [];
  const t = queueWork(m, variant, acct, o, works);
  acct.drainCpuNs += t - m.now;
  m.trace(task.cpu, 'queue', t - m.now, `${works.length} CPUs`);
  yield { kind: 'until', t };
  // The works run in parallel on their CPUs; the waits are sequential.
  const replayed = o.flushedAtNs !== undefined;
  let woken = true;
  for (const w of works) {
    if (!w.done) {
      yield { kind: 'wait', on: w };
      if (replayed) woken = false;
      else yield m.sleep(m.callerWakeNs(task.cpu));
    } else {
      yield m.sleep(k.flushDoneNs);
    }
  }
  // A replayed call comes back when the recorded one did (its wake-up as recorded).
  if (replayed && m.now < o.flushedAtNs!) yield { kind: 'until', t: o.flushedAtNs! };
  else if (!woken) yield m.sleep(m.callerWakeNs(task.cpu));
  m.trace(task.cpu, 'flushed', undefined, `${works.length} CPUs`);
}

/**
 * OP5.4's loop over the online CPUs: work queued on each one wanted, into `works`; returns when
 * the caller has finished queueing. A plain function (no closures per call), so that the generator
 * above stays small and each strategy's filter does not make it recompile.
 */
function queueWork(m: Machine, variant: DrainAllVariant, acct: DrainAcct, o: DrainAllOptions, works: DrainWork[]): number {
  const k = m.costs;
  let t = m.now;
  for (let c = 0; c < m.s.cpus; c++) {
    t += k.drainAllScanNsPerCpu + (o.filterNsPerCpu ? o.filterNsPerCpu(c) : 0);
    const wanted = o.filter ? o.filter(c) : variant.cpus === 'all' || m.needsDrain(c);
    if (wanted) {
      t += k.queueWorkNs;
      works.push(m.queueDrainWork(c, t, acct, o.startDelayNs ? o.startDelayNs(c) : undefined));
    }
  }
  return t;
}

/**
 * S7 remote drain (RFCs [T20][T21], QPW): the caller takes each non-empty CPU's per-CPU lock and
 * drains its pagevecs from where it runs. No CPU is interrupted; the caller pays a cache-line
 * transfer per CPU plus the pages, and never waits for a kworker.
 */
function* drainRemotely(m: Machine, task: Task, acct: DrainAcct): Proc {
  const k = m.costs;
  let cost = 0;
  let drained = 0;
  for (let c = 0; c < m.s.cpus; c++) {
    cost += k.drainAllScanNsPerCpu;
    if (m.arena.pvecCount(c) === 0) continue;
    cost += k.remoteDrainNsPerCpu + m.localDrainCost(m.arena.drainCpu(c));
    drained++;
  }
  acct.drainCpuNs += cost;
  m.trace(task.cpu, 'remote-drain', cost, `${drained} CPUs`);
  yield m.sleep(cost);
}
