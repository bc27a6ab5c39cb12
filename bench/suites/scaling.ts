/**
 * Suite "scaling" (issue "Benchmarks", item 2): worker counts 1 .. the host's cores, for a sweep
 * (cells on the pool) and for one scenario (a large file: range passes split; a small one: strategy
 * runs spread over the threads), as speedup and efficiency against W = 1, each measured in this run; the
 * records must be identical for every W (a check).
 *   full:  sweep fadvise-storm (horizon x8, ~1 s cells) x HZ {250, 1000} x 8 replications (16 cells); the huge-memfd preset
 *          (16M pages x 1024 CPUs: range passes split); fadvise-storm with an 8x horizon (strategy
 *          runs spread; the preset's own runs are too short to gain from a worker)
 *   quick: sweep debate-2017 x HZ x 2 (4 cells); 1M pages x 64 CPUs; debate-2017 (a smoke test, not figures)
 * Full mode adds a sweep of the preset's own ~0.2 s fadvise-storm cells (bar 1.8x at W = 2). The
 * default worker count (auto) against W = 1 and W = 2 is the "workers" suite's (bench/suites/workers.ts).
 */
import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Sweep } from '../../src/sweep/grid.ts';
import { runSweep } from '../../src/sweep/runner.ts';
import { canonicalLine } from '../../src/sweep/canonical.ts';
import { largeScenario, longFadviseStorm, measureScenario, scalingSweepJson } from '../scenario-scaling.ts';
import { resolveScenario } from '../../src/scenario/resolve.ts';
import { presetScenario } from '../../src/scenario/presets.ts';
import { RANGE_SPLIT_MIN_PAGES } from '../../src/pool/run-scenario.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';
import { judged } from '../harness.ts';

const workerCounts = () => Array.from({ length: Math.max(2, availableParallelism()) }, (_, i) => i + 1).filter((w) => w <= 4);

async function sweepScaling(sweepJson: ReturnType<typeof scalingSweepJson>, what: string, ws: number[]) {
  const sweep = Sweep.fromJson(sweepJson);
  const rows: { workers: number; ms: number; out: string }[] = [];
  for (const w of ws) {
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-bench-scaling-'));
    const t0 = performance.now();
    const summary = await runSweep(sweep, { out: dir, workers: w, shard: null, resume: false, progress: false, log: () => {}, handleSignals: false });
    const ms = performance.now() - t0;
    const out = readFileSync(join(dir, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean).map(canonicalLine).sort().join('\n');
    if (summary.workers !== w) throw new Error(`scaling: the sweep ran at W=${summary.workers}, not ${w}`);
    rows.push({ workers: w, ms, out });
    rmSync(dir, { recursive: true, force: true });
  }
  return { cells: sweep.config.cells, what, rows };
}

export const scalingSuite: Suite = {
  name: 'scaling',
  title: 'Scaling with worker threads: sweeps and one large scenario',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const ws = workerCounts();
    // The issues' bars, set for W = 2 on a 2-core machine: a sweep >= 1.8x (efficiency >= 90 %),
    // one large scenario >= 1.5x. Quick mode's cells are too small to be held to them.
    const line = (what: string, w: number, ms: number, base: number, bar?: number) => {
      const speedup = base / ms;
      out.notes.push(`${what}: W=${w} ${(ms / 1000).toFixed(2)} s, speedup ${speedup.toFixed(2)}x, efficiency ${Math.round((speedup / w) * 100)} %`);
      const target = w === 2 && !ctx.quick ? bar : undefined;
      // One wall time per W (or a median of a few rounds): no CI, so the verdict reads the value alone (the report says so).
      if (w > 1) out.ratios.push(judged({ suite: this.name, label: `${what}: W=${w} / W=1`, value: speedup, kind: 'speedup', ...(target !== undefined ? { target: { op: '>=' as const, value: target } } : {}) }, null));
    };
    const sweeps = ctx.quick
      ? [{ json: scalingSweepJson(1, 2, 'debate-2017'), what: 'debate-2017', bar: undefined }]
      : [
          { json: scalingSweepJson(), what: 'fadvise-storm, horizon x8 (~1 s cells)', bar: 1.8 },
          { json: scalingSweepJson(1), what: 'fadvise-storm, its own horizon (~0.2 s cells)', bar: 1.8 },
        ];
    for (const sw0 of sweeps) {
      ctx.log(`  sweep ${sw0.what} ...`);
      const sw = await sweepScaling(sw0.json, sw0.what, ws);
      const label = `sweep (${sw.cells} cells, ${sw.what})`;
      for (const r of sw.rows) line(label, r.workers, r.ms, sw.rows[0]!.ms, sw0.bar);
      out.checks.push({ suite: this.name, what: `sweep records identical for every W (${sw.what})`, ok: new Set(sw.rows.map((r) => r.out)).size === 1, detail: `W = ${ws.join(', ')}` });
    }
    const rounds = ctx.quick ? 1 : 3;
    // Full: the huge-memfd preset (16M pages x 1024 CPUs, 12 strategies); quick: a 1M-page file.
    const large = ctx.quick ? resolveScenario({ ...largeScenario(1 << 20, 64), strategies: undefined }) : presetScenario('huge-memfd');
    const how = large.pages >= RANGE_SPLIT_MIN_PAGES ? 'range passes split' : 'strategy runs spread';
    const largeName = `${large.name} (${large.pages >> 20}M pages x ${large.cpus} CPUs, ${large.strategies.length} strategies, ${how})`;
    ctx.log(`  ${large.name} ...`);
    const big = await measureScenario(large, rounds, Math.max(...ws), false);
    const scenarioRows = (name: string, rows: Awaited<ReturnType<typeof measureScenario>>, bar?: number) => {
      for (const r of rows) line(name, r.workers as number, r.medianMs, rows[0]!.medianMs, bar);
    };
    scenarioRows(largeName, big, 1.5);
    const spreadScenario = ctx.quick ? presetScenario('debate-2017') : longFadviseStorm();
    const spreadName = spreadScenario.name;
    ctx.log(`  ${spreadName} ...`);
    const spread = await measureScenario(spreadScenario, rounds, Math.max(...ws), false);
    scenarioRows(`${spreadName}, ${spreadScenario.strategies.length} strategies spread over the threads`, spread);
    out.checks.push({ suite: this.name, what: 'scenario records identical for every W', ok: [...big, ...spread].every((r) => r.identical), detail: `W = ${ws.join(', ')}` });
    out.notes.push('Wall times include creating the arenas and starting the workers (docs/scaling.md).');
    return out;
  },
};
