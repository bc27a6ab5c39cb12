// A 3 s recording of the synthetic workload on this 6.18 host (HZ 250, 2 CPUs, load ~22 from
// other tests), committed with the workload's own account of what it did: the fit recovers the
// known rates, and the replay under the kernel's own strategy gives every seal its recorded result.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, readTrace } from '../src/trace/analyze.ts';
import { fitWorkload } from '../src/trace/fit.ts';
import { compareKnown, type KnownWorkload } from '../src/trace/known.ts';
import { agreement, kernelOwnStrategy, replayScenario } from '../src/trace/replay.ts';
import { runResolved } from '../src/sim/run.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'trace-6.18-small.jsonl.gz');
const known = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'trace-6.18-small.workload.json'), 'utf8')) as KnownWorkload;

describe('a recorded trace (fixture)', () => {
  const a = analyze(readTrace(FIX), 'dwl-*');

  it('reads the seals, their drain work and the fadvise drain_all caller', () => {
    expect(a.trace.kernel).toMatch(/^6\.18/);
    expect(a.trace.lost).toBe(0);
    const done = a.seals.filter((s) => s.result !== 'unfinished');
    expect(done.length).toBeGreaterThan(20);
    expect(done.every((s) => s.result === 'ok' && s.comm === 'dwl-seal' && s.cpu === 0)).toBe(true);
    // 6.18 queues drain work from inside the fcntl, on the CPU where the memfd's pages wait
    expect(done.some((s) => s.drainAlls.some((d) => d.works.some((w) => w.target === 1 && w.endNs > w.queuedNs)))).toBe(true);
    expect(a.drainAlls.some((d) => d.via === 'fadvise' && d.comm === 'dwl-fadv')).toBe(true);
  });

  it('fit-workload recovers the known rates inside their 95% intervals', () => {
    const fit = fitWorkload(a, { comm: 'dwl-*' });
    const rows = compareKnown(known, fit.parameters, 4);
    expect(rows.filter((r) => !r.pass), JSON.stringify(rows, null, 1)).toEqual([]);
    // and it is a scenario the simulator accepts as it is
    expect(() => resolveScenario(fit.scenario, 'fit')).not.toThrow();
  });

  it('replay under the kernel\'s own strategy gives every seal its recorded result and reaches the remote CPUs the trace shows', () => {
    const s = replayScenario(a, {});
    const own = kernelOwnStrategy(s.kernel);
    expect(own).toBe('v4.16');
    const rec = runResolved({ ...s, strategies: [own] });
    const ag = agreement(a, rec, own)!;
    expect(ag.seals).toBe(a.seals.filter((x) => x.result !== 'unfinished').length);
    expect(ag.sameResult).toBe(ag.seals);
    expect(ag.sameRemoteTargets / ag.seals).toBeGreaterThan(0.8);
    // Work on the sealing CPU itself (its bh LRU, which the local drain leaves) is replayed too.
    expect(ag.recordedSelfTargets).toBeGreaterThan(0);
    expect(ag.sameTargets / ag.seals).toBeGreaterThan(0.8);
  });

  it('replay --cpus 8 replicates each recorded CPU\'s streams 4 times', () => {
    const s = replayScenario(a, { cpus: 8, strategies: ['v4.16'] });
    const rec = runResolved(s);
    const seals = a.seals.filter((x) => x.result !== 'unfinished').length;
    expect(rec.runs[0].seals.length).toBe(4 * seals);
    expect(new Set(rec.runs[0].seals.map((x) => x.cpu))).toEqual(new Set([0, 2, 4, 6]));
  });

  it('a trace cut short (no footer, a torn last line) is still read up to the cut', () => {
    const text = gunzipSync(readFileSync(FIX)).toString('utf8');
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-trace-'));
    const p = join(dir, 'cut.jsonl.gz');
    writeFileSync(p, gzipSync(cut));
    const t = readTrace(p);
    expect(t.footer).toBeUndefined();
    expect(analyze(t).seals.length).toBeGreaterThan(0);
    copyFileSync(FIX, join(dir, 'ok.jsonl.gz'));
  });
});
