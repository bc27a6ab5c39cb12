/**
 * Suite "scaling" (issue "Benchmarks", item 2): worker counts 1 .. the host's cores, for a sweep
 * (cells on the pool) and for one large scenario (its strategies fanned out, and one strategy's
 * range passes split), as speedup and efficiency against W = 1, each measured in this run; the
 * records must be identical for every W (a check).
 *   full:  sweep fadvise-storm x HZ {250, 1000} x 8 replications (16 cells); scenario 16M pages x 1024 CPUs
 *   quick: sweep debate-2017 x HZ x 2 (4 cells); scenario 1M pages x 64 CPUs (a smoke test, not figures)
 */
import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Sweep } from '../../src/sweep/grid.ts';
import { runSweep } from '../../src/sweep/runner.ts';
import { canonicalLine } from '../../src/sweep/canonical.ts';
import { measure, measureFanOut } from '../scenario-scaling.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';

const workerCounts = () => Array.from({ length: Math.max(2, availableParallelism()) }, (_, i) => i + 1).filter((w) => w <= 4);

async function sweepScaling(quick: boolean, ws: number[]) {
  const sweep = Sweep.fromJson({ name: 'bench-scaling', base: quick ? 'debate-2017' : 'fadvise-storm', params: { hz: [250, 1000] }, replications: quick ? 2 : 8 });
  const rows: { workers: number; ms: number; out: string }[] = [];
  for (const w of ws) {
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-bench-scaling-'));
    const t0 = performance.now();
    await runSweep(sweep, { out: dir, workers: w, shard: null, resume: false, progress: false, log: () => {}, handleSignals: false });
    const ms = performance.now() - t0;
    const out = readFileSync(join(dir, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean).map(canonicalLine).sort().join('\n');
    rows.push({ workers: w, ms, out });
    rmSync(dir, { recursive: true, force: true });
  }
  return { cells: sweep.config.params.reduce((n, p) => n * p.values.length, 1) * sweep.config.replications, rows };
}

export const scalingSuite: Suite = {
  name: 'scaling',
  title: 'Scaling with worker threads: a sweep, and one large scenario',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const ws = workerCounts();
    const line = (what: string, w: number, ms: number, base: number) => {
      const speedup = base / ms;
      out.notes.push(`${what}: W=${w} ${(ms / 1000).toFixed(2)} s, speedup ${speedup.toFixed(2)}x, efficiency ${Math.round((speedup / w) * 100)} %`);
      if (w > 1) out.ratios.push({ suite: this.name, label: `${what}: W=${w} / W=1`, value: speedup, kind: 'speedup' });
    };
    ctx.log('  sweep ...');
    const sw = await sweepScaling(ctx.quick, ws);
    for (const r of sw.rows) line(`sweep (${sw.cells} cells)`, r.workers, r.ms, sw.rows[0].ms);
    out.checks.push({ suite: this.name, what: 'sweep records identical for every W', ok: new Set(sw.rows.map((r) => r.out)).size === 1, detail: `W = ${ws.join(', ')}` });
    const [pages, cpus] = ctx.quick ? [1 << 20, 64] : [16 << 20, 1024];
    ctx.log('  one large scenario ...');
    const rounds = ctx.quick ? 1 : 3;
    const fan = await measureFanOut(pages, cpus, rounds, Math.max(...ws));
    for (const r of fan) line(`${pages >> 20}M pages x ${cpus} CPUs, ${r.strategies} strategies fanned out`, r.workers, r.medianMs, fan[0].medianMs);
    const shards = await measure(pages, cpus, rounds, Math.max(...ws));
    for (const r of shards) line(`${pages >> 20}M pages x ${cpus} CPUs, 1 strategy, range passes split`, r.workers, r.medianMs, shards[0].medianMs);
    out.checks.push({ suite: this.name, what: 'scenario records identical for every W', ok: [...fan, ...shards].every((r) => r.identical), detail: `W = ${ws.join(', ')}` });
    out.notes.push('Wall times include starting the worker pool; the machine shares memory bandwidth between threads, which bounds the speedup of the page passes (docs/scaling.md).');
    return out;
  },
};
