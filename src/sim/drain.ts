/**
 * lru_add_drain() and lru_add_drain_all(), step by step (kernel-model OP4, OP5, OP5').
 */
import type { Proc } from './engine.ts';
import type { DrainAcct, DrainWork, Machine, Task } from './machine.ts';
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

/**
 * OP5 lru_add_drain_all(), in the variant given (v4.14 by default). `acct` is charged with the
 * call, its mutex wait, the CPUs it interrupted and the CPU time it caused.
 */
export function* lruAddDrainAll(m: Machine, task: Task, variant: DrainAllVariant, acct: DrainAcct, filter?: CpuFilter): Proc {
  acct.drainAllCalls++;
  const cpu = task.cpu;
  m.trace(cpu, 'drain-all');
  // OP5' v6.18: a local drain first, before the mutex [T19].
  if (variant.localFirst) yield* localDrain(m, task);
  // OP5.1: get_online_cpus(): the edge i_rwsem -> cpu_hotplug_lock when called under the inode lock.
  if (variant.hotplugLock) m.readLock(task, 'cpu_hotplug_lock');
  // OP5' v5.5/5.10: remember the generation before the mutex [T6][T7].
  const gen = m.drainGen;
  const t0 = m.now;
  yield* m.lock(task, m.drainMutex);
  acct.mutexWaitNs += m.now - t0;
  if (m.now > t0) m.trace(cpu, 'mutex-wait', m.now - t0);
  if (variant.piggyback && gen !== m.drainGen) {
    // Somebody scheduled a full drain after we arrived: its work covers ours.
    m.trace(cpu, 'piggyback');
  } else {
    if (variant.piggyback) m.drainGen++;
    // OP5.4: read every online CPU's pagevec counts; queue work where the filter says so.
    const k = m.costs;
    let t = m.now;
    const works: DrainWork[] = [];
    const wants: CpuFilter = filter ?? (variant.cpus === 'all' ? () => true : (c) => m.arena.pvecCount(c) > 0);
    for (let c = 0; c < m.s.cpus; c++) {
      t += k.drainAllScanNsPerCpu;
      if (wants(c)) {
        t += k.queueWorkNs;
        works.push(m.queueDrainWork(c, t, acct));
      }
    }
    acct.drainCpuNs += t - m.now;
    m.trace(cpu, 'queue', t - m.now, `${works.length} CPUs`);
    yield { kind: 'until', t };
    // OP5.5: flush_work on each, in order: the works run in parallel, the waits are sequential.
    for (const w of works) {
      if (!w.completion.done) {
        yield { kind: 'wait', on: w.completion };
        yield m.sleep(k.flushWakeNs);
      } else {
        yield m.sleep(k.flushDoneNs);
      }
    }
    m.trace(cpu, 'flushed', undefined, `${works.length} CPUs`);
  }
  m.unlock(task, m.drainMutex);
  if (variant.hotplugLock) m.readUnlock(task, 'cpu_hotplug_lock');
}
