/**
 * The trace-driven workload source (`workload.replay`, written by `drainlab replay` from a
 * recorded trace; docs/traces.md). Nothing is drawn at random: the recorded arrivals are applied
 * at their times, so every strategy sees the same sequence.
 *
 * Scaling rule: the scenario's CPU j replays recorded CPU r = j mod R (R = recordedCpus) in block
 * b = floor(j / R); a seal's remote CPU r' becomes b * R + r' in the same block (dropped past the
 * last CPU). With N a multiple of R every recorded stream runs N / R times, so each CPU class keeps
 * its share.
 *
 * Files: file j (j < N) is CPU j's page ring: its new pages go there, page k mod `pages`, and a
 * page is truncated from the page cache (zeroed) before it is reused. It left the lru_add batch
 * long before: a batch holds at most PAGEVEC_SIZE pages, all added after it, and `pages` is at
 * least 2 x PAGEVEC_SIZE + 2 (checked). Every replayed seal then has a file of its own,
 * N + (seal index x blocks + block), written just before the seal: one page in the batch of each
 * remote CPU, and page 0 pinned for pinForMs when the trace says the seal waited or failed; when
 * its recorded drain also reached the sealing CPU (`ownCpu`), a bhLookup on the sealing CPU; and a
 * bhLookup on each CPU of `refills` at its time (another caller's pass drained it just before the
 * seal's own pass found it needing a drain again).
 */
import type { Replay } from '../scenario/schema.ts';
import { UsageError } from '../errors.ts';
import { RangeOp } from '../wasm/core.ts';
import { applyOp, producePage, type OpContext } from './ops.ts';
import { drainAllOptions, localDrain, lruAddDrainAll, type DrainAllOptions } from './drain.ts';
import type { Proc } from './engine.ts';

const nsOrUndefined = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : ms * 1e6);
import { CounterRng, rngKey } from '../stats/rng.ts';
import { STREAM, Task, type Machine } from './machine.ts';

/** The fitted page streams' PRNG key (after workload.ts's generator kinds 0..6). */
const REPLAY_STREAM = 7;

/** How many blocks of recorded CPUs an N-CPU scenario holds, and the files a replay needs. */
export function replayLayout(r: Replay, cpus: number): { blocks: number; files: number; minPages: number } {
  const blocks = Math.ceil(cpus / r.recordedCpus);
  return { blocks, files: cpus + r.seals.length * blocks, minPages: 2 };
}

export function startReplay(ctx: OpContext, r: Replay): void {
  const { m } = ctx;
  const s = m.s;
  const n = s.cpus;
  const R = r.recordedCpus;
  const { blocks, files } = replayLayout(r, n);
  if (s.files < files) throw new UsageError(`files: got ${s.files}; a replay of ${r.seals.length} seals on ${n} CPUs needs ${files} (one page ring per CPU, one file per replayed seal)`);
  if (s.pages < 2 * s.pagevecSize + 2) throw new UsageError(`pages: got ${s.pages}; a replay needs at least ${2 * s.pagevecSize + 2} (2 x pagevecSize + 2: a ring page must have left the batch before it is reused)`);
  const pstride = m.arena.plan.pstride;
  const ringPages = s.pages;

  // Page rings: one closure per CPU stepping through its recorded stream (or its fitted Poisson stream).
  const produceOn: (() => void)[] = [];
  for (let j = 0; j < n; j++) {
    let k = 0;
    const produce = () => {
      const page = k % ringPages;
      // truncate the ring page before its reuse: out of the page cache, as shmem_truncate_range leaves it
      if (k >= ringPages) m.arena.exec(RangeOp.ZeroPages, [], j * pstride + page, j * pstride + page + 1);
      producePage(m, 'write', j, j, page);
      k++;
    };
    produceOn.push(produce);
    const rate = r.pageRates?.[j % R];
    if (rate !== undefined) {
      if (rate <= 0) continue;
      const rng = new CounterRng(rngKey(s.seed, s.replication, STREAM.WORKLOAD, REPLAY_STREAM, 0, j), 0, m.uniform);
      let t = rng.exponential(1 / rate);
      const step = () => {
        produce();
        t += rng.exponential(1 / rate);
        if (t <= s.horizonMs) m.engine.at(t * 1e6, step);
      };
      if (t <= s.horizonMs) m.engine.at(t * 1e6, step);
      continue;
    }
    const times = r.pages[j % R];
    if (!times || times.length === 0) continue;
    let i = 0;
    const step = () => {
      produce();
      i++;
      if (i < times.length) m.engine.at(times[i] * 1e6, step);
    };
    m.engine.at(times[0] * 1e6, step);
  }

  // Recorded local drains and full batches of the tasks: CPU j's batches empty when recorded CPU
  // j mod R's did, so between bursts they hold what the recorded ones held.
  if (r.drains) {
    for (let j = 0; j < n; j++) {
      const times = r.drains[j % R];
      if (!times || times.length === 0) continue;
      let i = 0;
      const step = () => {
        applyOp(ctx, { op: 'drain', atMs: times[i], cpu: j });
        i++;
        if (i < times.length) m.engine.at(times[i] * 1e6, step);
      };
      m.engine.at(times[0] * 1e6, step);
    }
  }

  for (const d of r.drainAll) {
    for (let b = 0; b < blocks; b++) {
      const cpu = b * R + d.cpu;
      if (cpu >= n) continue;
      const delays = d.startDelaysMs;
      if (!delays) {
        if (d.localDrainAfter) m.engine.at(d.atMs * 1e6, () => m.engine.spawn(drainAllThenLocal(m, new Task(cpu), drainAllOptions({ flushedAtNs: nsOrUndefined(d.returnMs) }))));
        else m.engine.at(d.atMs * 1e6, () => applyOp(ctx, { op: 'drainAll', atMs: d.atMs, cpu }));
        continue;
      }
      // Each CPU the recorded call queued work on needed a drain: one more page of its stream just
      // before (the fewest that explain the work, as for a seal's remote CPUs).
      const before = Math.max(0, d.atMs - 0.001);
      const targets = delays.flatMap((x, rc) => (x !== null && b * R + rc < n ? [b * R + rc] : []));
      m.engine.at(before * 1e6, () => targets.forEach((c) => produceOn[c]()));
      // The recorded delay of the work on CPU c applies to its replica in the same block.
      const o = drainAllOptions({ startDelayNs: (c) => (c >= b * R && c < (b + 1) * R ? nsOrUndefined(delays[c - b * R]) : undefined), flushedAtNs: nsOrUndefined(d.returnMs) });
      m.engine.at(d.atMs * 1e6, () => m.engine.spawn(d.localDrainAfter ? drainAllThenLocal(m, new Task(cpu), o) : lruAddDrainAll(m, new Task(cpu), m.drainAllVariant, m.background, o)));
    }
  }

  r.seals.forEach((seal, si) => {
    for (let b = 0; b < blocks; b++) {
      const cpu = b * R + seal.cpu;
      if (cpu >= n) continue;
      const file = n + si * blocks + b;
      const remote = seal.remoteCpus.map((c) => b * R + c).filter((c) => c < n && c !== cpu);
      const before = Math.max(0, seal.atMs - 0.001);
      m.engine.at(before * 1e6, () => {
        remote.forEach((rc, pi) => applyOp(ctx, { op: 'write', atMs: before, cpu: rc, file, pages: pi, compound: false, ranges: [[pi, pi + 1]] }));
        if (seal.ownCpu) applyOp(ctx, { op: 'bhLookup', atMs: before, cpu });
        if (seal.pinForMs !== undefined) applyOp(ctx, { op: 'pin', atMs: before, cpu, file, pages: 0, compound: false, forMs: seal.pinForMs, ranges: [[0, 1]] });
      });
      for (const rf of seal.refills ?? []) {
        const rc = b * R + rf.cpu;
        if (rc < n) m.engine.at(rf.atMs * 1e6, () => applyOp(ctx, { op: 'bhLookup', atMs: rf.atMs, cpu: rc }));
      }
      m.engine.at(seal.atMs * 1e6, () => applyOp(ctx, { op: 'seal', atMs: seal.atMs, cpu, file, sealSeal: false }));
    }
  });
}

/**
 * A replayed fadvise(DONTNEED) drain_all: generic_fadvise follows lru_add_drain_all() with a second
 * invalidate_mapping_pages(), whose folio_batch_release() -> __folio_batch_release() does an
 * lru_add_drain() on the caller's CPU (mm/fadvise.c, mm/truncate.c mapping_try_invalidate,
 * mm/swap.c). It runs as soon as the call releases drain_all's mutex, before a waiter woken on
 * the same CPU can scan it (in the traces: the caller's page burst just before its return).
 */
function* drainAllThenLocal(m: Machine, task: Task, o: DrainAllOptions): Proc {
  yield* lruAddDrainAll(m, task, m.drainAllVariant, m.background, o);
  yield* localDrain(m, task);
}
