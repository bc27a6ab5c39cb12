// Issue 17: the replayed seals' drain targets. What a trace shows about other callers' drain_alls
// and other tasks' local drains, replayed as it happened, so that a seal that waits behind another
// caller's pass meets the batches the recorded one met:
//  - fadvise(DONTNEED) drains its own CPU again right after lru_add_drain_all (its second
//    invalidate_mapping_pages releases a folio batch: __folio_batch_release -> lru_add_drain);
//  - a replayed call comes back from its flush when the recorded one did (`returnMs`);
//  - a task's recorded page burst empties that CPU's batch in the replay (`drains`), and the pages
//    the replay writes itself (a seal's, a drain_all's) stand for recorded ones of the stream;
//  - a CPU another pass drained, that the seal's own pass found needing a drain again (`refills`).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveScenario } from '../src/scenario/resolve.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { runResolved } from '../src/sim/run.ts';
import { analyze, readTrace } from '../src/trace/analyze.ts';
import { agreement, refillsOf, replayScenario } from '../src/trace/replay.ts';

type Replay = NonNullable<NonNullable<ScenarioInput['workload']>['replay']>;
const run = (replay: Replay) =>
  runResolved(resolveScenario({ kernel: '6.18', cpus: 2, files: 3, pages: 64, hz: 250, horizonMs: 300, workload: { replay } as ScenarioInput['workload'] }), { strategies: ['v4.16'] }).runs[0];

// An fadvise caller on CPU 0 at 100 ms whose work on CPU 1 waits 0.5 ms for its kworker; a seal on
// CPU 0 at 100.1 ms (its page on CPU 1) waits for drain_all's mutex behind it; a page of CPU 0's
// stream arrives at 100.3 ms, during that wait, after the seal's own local drain.
const base = (drainAll: Partial<NonNullable<Replay['drainAll']>[number]> = {}, extra: Partial<Replay> = {}): Replay => ({
  source: 'test', recordedCpus: 2,
  pages: [[100.3], []],
  drainAll: [{ cpu: 0, atMs: 100, startDelaysMs: [null, 0.5], ...drainAll }],
  seals: [{ cpu: 0, atMs: 100.1, remoteCpus: [1] }],
  ...extra,
});

describe('replayed drain targets', () => {
  it("fadvise's local drain after its drain_all empties the page that arrived during the seal's wait: no work for the seal", () => {
    const without = run(base()).seals[0];
    const withIt = run(base({ localDrainAfter: true })).seals[0];
    expect(without.mutexWaitMs).toBeGreaterThan(0.3);
    expect(without).toMatchObject({ result: 'ok', drainPasses: 1, cpusInterrupted: 1 }); // CPU 0's page
    expect(withIt).toMatchObject({ result: 'ok', drainPasses: 1, cpusInterrupted: 0 });
  });

  it('a replayed call comes back from its flush when the recorded one returned, and no earlier', () => {
    const drawn = run(base()).seals[0];
    const held = run(base({ returnMs: 103 })).seals[0];
    expect(held.mutexWaitMs).toBeGreaterThan(2.85); // 103 - 100.1, and the hand-off
    expect(held.mutexWaitMs).toBeLessThan(3);
    expect(drawn.mutexWaitMs).toBeLessThan(1);
    // a recorded return before the work is done changes nothing: the caller waits for its work
    expect(run(base({ returnMs: 100.2 })).seals[0].mutexWaitMs).toBeCloseTo(drawn.mutexWaitMs, 6);
  });

  it('a recorded burst of a task empties the replayed batch at its time', () => {
    // the page at 100.3 ms sits in CPU 0's batch at the seal's scan unless a recorded drain at 100.4 empties it
    expect(run(base({}, { drains: [[100.4], []] })).seals[0].cpusInterrupted).toBe(0);
    expect(run(base({}, { drains: [[100.2], []] })).seals[0].cpusInterrupted).toBe(1);
  });

  it("a refill marks a CPU that another pass drained, so that the seal's own pass queues work there", () => {
    // the other caller's work on CPU 1 ends at about 100.5 ms, the caller returns at 101 ms
    const none = run(base({ returnMs: 101 }, { pages: [[], []] })).seals[0];
    const refilled = run(base({ returnMs: 101 }, { pages: [[], []], seals: [{ cpu: 0, atMs: 100.1, remoteCpus: [1], refills: [{ cpu: 1, atMs: 100.7 }] }] })).seals[0];
    expect(none).toMatchObject({ drainPasses: 1, cpusInterrupted: 0 });
    expect(refilled).toMatchObject({ result: 'ok', drainPasses: 1, cpusInterrupted: 1 });
  });

  it('the committed trace: refills only where another pass drained the CPU first, and the replay reaches the recorded CPUs', () => {
    const a = analyze(readTrace(join(import.meta.dirname, 'fixtures', 'trace-6.18-small.jsonl.gz')), 'dwl-*');
    for (const s of a.seals) {
      for (const r of refillsOf(a, s)) {
        const own = s.drainAlls.flatMap((d) => d.works).find((w) => w.target === r.cpu)!;
        expect(r.atNs).toBeGreaterThan(s.startNs);
        expect(r.atNs).toBeLessThan(own.queuedNs);
      }
    }
    const sc = replayScenario(a, { strategies: ['v4.16'] });
    const rp = sc.workload.replay!;
    expect(rp.drainAll.filter((d) => d.localDrainAfter).length).toBe(a.drainAlls.filter((d) => d.via === 'fadvise').length);
    expect(rp.drainAll.some((d) => d.returnMs !== undefined)).toBe(true);
    expect(rp.drains!.flat().length).toBeGreaterThan(0);
    // The pages the replay writes itself stand for recorded ones: a seal's one page on CPU 1 for
    // the 8 its sealer wrote there, a replayed drain_all's page for the fadvise caller's read.
    const [t0, t1] = a.windowNs;
    for (const r of [0, 1]) {
      const inW = a.bursts[r].filter((b) => b.t >= t0 && b.t <= t1);
      const last = inW[inW.length - 1].t;
      const fewer = inW.reduce((n, b) => n + b.n, 0) - rp.pages[r].length;
      const sealerPages = a.allocs[r].filter((b) => a.seals.some((x) => x.pid === b.pid) && b.t >= t0 && b.t <= last).reduce((n, b) => n + b.n, 0);
      const drainAllPages = rp.drainAll.filter((d) => typeof d.startDelaysMs?.[r] === 'number' && d.atMs <= (last - t0) / 1e6).length;
      expect(fewer).toBeGreaterThanOrEqual(r === 1 ? 0.75 * sealerPages : 0);
      expect(fewer).toBeLessThanOrEqual(sealerPages + drainAllPages);
      if (r === 1) expect(sealerPages).toBeGreaterThan(8 * 20);
    }
    const ag = agreement(a, runResolved(sc, { strategies: ['v4.16'] }), 'v4.16')!;
    expect(ag.sameResult).toBe(ag.seals);
    expect(ag.sameTargets / ag.seals).toBeGreaterThanOrEqual(0.9);
  });
});
