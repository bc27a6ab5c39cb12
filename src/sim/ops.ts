/**
 * The scenario's ops (docs/scenario-format.md) in kernel terms, applied to a machine at their time.
 * Script ops and workload generators both come through `applyOp`.
 */
import type { ScriptOp } from '../scenario/schema.ts';
import type { Scenario } from '../scenario/resolve.ts';
import { parsePages } from '../scenario/lists.ts';
import { Task, type Machine, type Pin } from './machine.ts';
import { lruAddDrainAll } from './drain.ts';
import { newSealCtx, sealRecord, type SealCtx } from './seal.ts';
import type { Strategy } from '../strategies/types.ts';
import type { SealRecord } from '../metrics/record.ts';
import type { Proc } from './engine.ts';

/** An op with its page ranges already parsed. */
export type Op = ScriptOp & { ranges?: [number, number][] };

export function prepareOp(s: Scenario, o: ScriptOp, field: string): Op {
  return 'pages' in o ? { ...o, ranges: parsePages(`${field}.pages`, o.pages, s.pages) } : o;
}

export interface OpContext {
  m: Machine;
  /**
   * The strategy's addSeals, read once: the strategies are objects of different shapes, and
   * loading the method from each in turn deoptimized the seal path at every new strategy.
   */
  addSeals: Strategy['addSeals'];
  seals: SealRecord[];
  /** Seals started; those not in `seals` were still running at the horizon. */
  started: number;
  /** A user strategy runs: its seals remember where they block, and those in flight are kept here. */
  plugin?: boolean;
  inFlight?: Set<SealCtx>;
}

export function applyOp(ctx: OpContext, o: Op): void {
  const { m } = ctx;
  const a = m.arena;
  const ranges = o.ranges ?? [];
  switch (o.op) {
    case 'write':
      // write() takes the inode lock (generic_file_write_iter) and fails once F_SEAL_WRITE is set
      // (A3: the seals live under the inode lock); new pages go to this CPU's pagevec (OP7).
      // With the lock free, writeProc would run to its end inside this event, holding nothing else
      // (no lockdep edge): the same step inline, without a generator and a task (the hot case of
      // every producer workload).
      if (m.file(o.file).inodeLock.free) writeLocked(m, o.cpu, o.file, ranges, o.compound);
      else m.engine.spawn(writeProc(m, o.cpu, o.file, ranges, o.compound));
      return;
    case 'fault':
      for (const [lo, hi] of ranges) m.added(a.fault(o.cpu, o.file, lo, hi, o.compound));
      return;
    case 'unmap':
      for (const [lo, hi] of ranges) a.unmap(o.file, lo, hi);
      // unmap_region() ends with lru_add_drain() on this CPU (A2).
      a.drainCpu(o.cpu);
      return;
    case 'mmapShared': {
      const f = m.file(o.file);
      if (f.mmapWritable < 0 || f.sealWrite) m.refusedWrites++; // -EPERM (A3)
      else {
        f.mmapWritable++;
        f.everMappedShared = true;
      }
      return;
    }
    case 'munmapShared': {
      const f = m.file(o.file);
      if (f.mmapWritable > 0) f.mmapWritable--;
      a.drainCpu(o.cpu);
      return;
    }
    case 'pin': {
      // A pin is a FOLL_WRITE get_user_pages through a shared mapping (a private one would COW to
      // an anonymous page), so the file has been given out VM_SHARED (S9).
      m.file(o.file).everMappedShared = true;
      for (const [lo, hi] of ranges) m.added(a.pin(o.cpu, o.file, lo, hi, o.compound));
      if (m.generating) m.load.pin(m.now);
      const pin: Pin = { startNs: m.now, ranges: ranges.map(([lo, hi]) => [lo, hi]) };
      m.file(o.file).pins.push(pin);
      if (o.forMs !== undefined) m.engine.after(o.forMs * 1e6, () => releasePin(m, o.file, pin, pin.ranges));
      return;
    }
    case 'unpin':
      unpinPages(m, o.file, ranges);
      return;
    case 'read':
      for (const [lo, hi] of ranges) a.read(o.cpu, o.file, lo, hi);
      return;
    case 'drain':
      a.drainCpu(o.cpu);
      return;
    case 'bhLookup':
      m.bhLookup(o.cpu);
      return;
    case 'drainAll':
      if (m.generating) m.load.drainAll(m.now);
      m.engine.spawn(lruAddDrainAll(m, new Task(o.cpu), m.drainAllVariant, m.background));
      return;
    case 'seal':
      if (m.generating) m.load.seal(m.now);
      m.engine.spawn(sealProc(ctx, o.cpu, o.file, o.sealSeal));
      return;
    case 'signal':
      for (const t of m.cpus[o.cpu].sealers) {
        t.fatalSignal = true;
        t.sleeper.wake?.();
      }
      return;
    case 'cpuClass': {
      const before = m.cpus[o.cpu].cls;
      m.setCpuClass(o.cpu, o.class);
      if (o.forMs !== undefined) m.engine.after(o.forMs * 1e6, () => m.setCpuClass(o.cpu, before));
      return;
    }
    case 'cpuhpSetup':
      cpuhpSetup(m, o.cpu);
      return;
    case 'spliceDevtmpfs':
      spliceDevtmpfs(m, o.cpu);
      return;
  }
}

function* writeProc(m: Machine, cpu: number, file: number, ranges: [number, number][], compound: boolean): Proc {
  const task = new Task(cpu);
  const f = m.file(file);
  yield* m.lock(task, f.inodeLock);
  writeLocked(m, cpu, file, ranges, compound);
  m.unlock(task, f.inodeLock);
}

/**
 * Page [p, p + 1) written, faulted or read by `cpu`: what applyOp does with that one-range op
 * (A3, OP7), without building it (the workload's single-page producers are the commonest event
 * there is).
 */
export function producePage(m: Machine, op: 'write' | 'fault' | 'read', cpu: number, file: number, p: number): void {
  switch (op) {
    case 'write':
      if (!m.file(file).inodeLock.free) m.engine.spawn(writeProc(m, cpu, file, [[p, p + 1]], false));
      else if (m.file(file).sealWrite) m.refusedWrites++;
      else m.added(m.arena.write(cpu, file, p, p + 1, false));
      return;
    case 'fault':
      m.added(m.arena.fault(cpu, file, p, p + 1, false));
      return;
    case 'read':
      m.arena.read(cpu, file, p, p + 1);
      return;
  }
}

/** The body of write() under the inode lock: refused once F_SEAL_WRITE is set (A3), else OP7. */
function writeLocked(m: Machine, cpu: number, file: number, ranges: [number, number][], compound: boolean): void {
  if (m.file(file).sealWrite) m.refusedWrites++;
  else for (const [lo, hi] of ranges) m.added(m.arena.write(cpu, file, lo, hi, compound));
}

function* sealProc(ctx: OpContext, cpu: number, file: number, sealSeal: boolean): Proc {
  const { m } = ctx;
  ctx.started++;
  const task = new Task(cpu);
  m.cpus[cpu].sealers.add(task);
  const first = !m.timelineUsed;
  if (first) m.timelineUsed = m.timelineOpen = true;
  const sc = newSealCtx(m, task, file, ctx.plugin);
  ctx.inFlight?.add(sc);
  m.trace(cpu, 'seal-start');
  const out = yield* ctx.addSeals(sc, sealSeal);
  ctx.inFlight?.delete(sc);
  m.trace(cpu, 'seal-end', undefined, out.result);
  if (first) m.timelineOpen = false;
  m.cpus[cpu].sealers.delete(task);
  ctx.seals.push(sealRecord(sc, out));
}

/** Drops one pin from each page: from the oldest pins holding it first (OP6). */
function unpinPages(m: Machine, file: number, ranges: [number, number][]): void {
  let want = ranges.map(([lo, hi]) => [lo, hi] as [number, number]);
  for (const pin of [...m.file(file).pins]) {
    if (want.length === 0) return;
    const common = intersect(pin.ranges, want);
    if (common.length === 0) continue;
    releasePin(m, file, pin, common);
    want = subtract(want, common);
  }
}

function releasePin(m: Machine, file: number, pin: Pin, ranges: [number, number][]): void {
  const held = intersect(pin.ranges, ranges);
  for (const [lo, hi] of held) m.arena.unpin(file, lo, hi);
  pin.ranges = subtract(pin.ranges, held);
  if (pin.ranges.length === 0) {
    const pins = m.file(file).pins;
    const i = pins.indexOf(pin);
    if (i >= 0) pins.splice(i, 1);
  }
}

function intersect(a: [number, number][], b: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [alo, ahi] of a)
    for (const [blo, bhi] of b) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo < hi) out.push([lo, hi]);
    }
  return out.sort((x, y) => x[0] - y[0]);
}

function subtract(a: [number, number][], b: [number, number][]): [number, number][] {
  let out = a;
  for (const [blo, bhi] of b) {
    const next: [number, number][] = [];
    for (const [lo, hi] of out) {
      if (bhi <= lo || blo >= hi) next.push([lo, hi]);
      else {
        if (lo < blo) next.push([lo, blo]);
        if (bhi < hi) next.push([bhi, hi]);
      }
    }
    out = next;
  }
  return out;
}

/**
 * The CPU-hotplug state setup half of the 2017 chain (section F): cpus_read_lock (#0), then
 * cpuhp_state_mutex (#1), then a wait on the AP callback's completion (#3), which creates a
 * devtmpfs node under sb_writers (#4) before completing.
 */
function cpuhpSetup(m: Machine, cpu: number): void {
  const task = new Task(cpu);
  m.readLock(task, 'cpu_hotplug_lock');
  m.readLock(task, 'cpuhp_state_mutex');
  m.lockdep.acquire(task.held, 'cpuhp_state-completion');
  m.lockdep.addEdge('cpuhp_state-completion', 'sb_writers');
}

/** do_splice into a devtmpfs file (section F): file_start_write (#4) -> pipe_lock (#5) -> inode_lock (#6). */
function spliceDevtmpfs(m: Machine, cpu: number): void {
  const task = new Task(cpu);
  m.readLock(task, 'sb_writers');
  m.readLock(task, 'pipe->mutex');
  m.readLock(task, 'i_rwsem');
}

