/**
 * Sweep speedup with the worker count: the same sweep (>= 16 cells) run with W = 1 and W = 2 in
 * one process, back to back, printing both wall times and the speedup; the outputs are also
 * compared in canonical form (they must be identical: results never depend on W).
 *
 *   npx tsx bench/sweep-scaling.ts [--preset P] [--stretch K] [--replications R] [--workers 1,2] [--rounds N] [--json]
 *
 * Default sweep (scalingSweepJson): fadvise-storm (every strategy) at HZ 250 and 1000 with its
 * horizon stretched 8x, 8 replications = 16 cells of about a second each. `--stretch 1` keeps the
 * preset's horizon (~0.2 s cells); `--preset debate-2017` gives light cells where the pool
 * start-up dominates (docs/scaling.md).
 * Wall time is the whole runSweep, pool start-up included, as a user sees it; CPU time is the
 * process's (main thread, workers, JIT and GC threads) over the same span. With --rounds N the
 * W values alternate N times and the median of each is reported (the VM is shared and noisy).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweep } from '../src/sweep/grid.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { canonicalLine } from '../src/sweep/canonical.ts';
import { median } from '../src/stats/index.ts';
import { scalingSweepJson } from './scenario-scaling.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const preset = arg('preset', 'fadvise-storm');
const stretch = Number(arg('stretch', '8'));
const replications = Number(arg('replications', '8'));
const workerList = arg('workers', '1,2').split(',').map(Number);
const rounds = Number(arg('rounds', '1'));
const json = process.argv.includes('--json');

const sweep = Sweep.fromJson(scalingSweepJson(stretch, replications, preset));
const root = mkdtempSync(join(tmpdir(), 'drainlab-scaling-'));
const walls = new Map<number, number[]>();
const cpuTimes = new Map<number, number[]>();
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const starts = new Map<number, number[]>();
const outputs = new Map<number, string>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const w of workerList) {
      const out = join(root, `w${w}-r${round}`);
      const t0 = performance.now();
      const c0 = cpuNow();
      const s = await runSweep(sweep, { out, workers: w, shard: null, resume: false, progress: false, log: () => {}, handleSignals: false });
      const wall = performance.now() - t0;
      const cpu = cpuNow() - c0;
      cpuTimes.set(w, [...(cpuTimes.get(w) ?? []), cpu]);
      if (!s.complete) throw new Error(`W=${w}: sweep incomplete (${s.failed} failed)`);
      walls.set(w, [...(walls.get(w) ?? []), wall]);
      starts.set(w, [...(starts.get(w) ?? []), s.poolStartMs]);
      const canon = readFileSync(join(out, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean).map(canonicalLine).sort().join('\n');
      if (!outputs.has(w)) outputs.set(w, canon);
      rmSync(out, { recursive: true, force: true });
      if (!json) process.stderr.write(`round ${round + 1}: W=${w} ${(wall / 1000).toFixed(2)} s (pool start ${(s.poolStartMs / 1000).toFixed(2)} s), CPU ${(cpu / 1000).toFixed(2)} s (process: all threads)\n`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const base = median(walls.get(workerList[0]!)!);
const rows = workerList.map((w) => ({ workers: w, wallMs: Math.round(median(walls.get(w)!)), runsMs: walls.get(w)!.map(Math.round), cpuMs: Math.round(median(cpuTimes.get(w)!)), cpuRunsMs: cpuTimes.get(w)!.map(Math.round), poolStartMs: Math.round(median(starts.get(w)!)), speedup: base / median(walls.get(w)!) }));
const identical = new Set(outputs.values()).size === 1;
const result = {
  sweep: `${preset} (horizon x${stretch}) x hz [250,1000] x ${replications} replications`,
  cells: sweep.config.cells,
  host: { cores: availableParallelism(), model: cpus()[0]?.model ?? 'unknown' },
  rounds,
  rows,
  identicalAcrossW: identical,
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`${result.sweep} = ${result.cells} cells; ${result.host.cores} cores (${result.host.model}); median of ${rounds} round(s)`);
  for (const r of rows) console.log(`  W=${r.workers}: ${(r.wallMs / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU (pool start ${(r.poolStartMs / 1000).toFixed(2)} s)   speedup ${r.speedup.toFixed(2)}x vs W=${workerList[0]}`);
  console.log(`  records identical across W (canonical form): ${identical ? 'yes' : 'NO'}`);
}
if (!identical) process.exitCode = 1;
