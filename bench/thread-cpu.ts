/**
 * Where a sweep's CPU goes, per thread: the main thread, the W simulator workers and V8's / libuv's
 * helper threads (concurrent TurboFan compiles, parallel scavenges, concurrent marking). Threads
 * are read from /proc/self/task every 50 ms (and at the end), so a worker that exits is still
 * counted; the W busiest non-main threads are taken as the simulator workers (Node names every
 * thread "node"). This is the measurement behind docs/scaling.md's bound on W = 2 for short cells.
 *
 *   npx tsx bench/thread-cpu.ts [--workers W] [--stretch K] [--replications R]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweep } from '../src/sweep/grid.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { scalingSweepJson } from './scenario-scaling.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const workers = Number(arg('workers', '1'));
const sweep = Sweep.fromJson(scalingSweepJson(Number(arg('stretch', '1')), Number(arg('replications', '16')), 'fadvise-storm'));

/** CPU ms of each thread of this process (utime + stime, clock ticks of 10 ms). */
const threadCpu = new Map<string, number>();
const sample = () => {
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      threadCpu.set(tid, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended between the listing and the read: its last sample stands
    }
  }
};
sample();
const before = new Map(threadCpu);
const timer = setInterval(sample, 50);
const out = mkdtempSync(join(tmpdir(), 'drainlab-thread-cpu-'));
const t0 = performance.now();
const s = await runSweep(sweep, { out, workers, shard: null, resume: false, progress: false, log: () => {}, handleSignals: false });
const wall = (performance.now() - t0) / 1000;
clearInterval(timer);
sample();
rmSync(out, { recursive: true, force: true });

const used = [...threadCpu].map(([tid, ms]) => ({ tid, s: (ms - (before.get(tid) ?? 0)) / 1000 }));
const main = used.find((t) => t.tid === String(process.pid))!.s;
const others = used.filter((t) => t.tid !== String(process.pid)).sort((a, b) => b.s - a.s);
const sims = others.slice(0, workers).map((t) => t.s);
const helpers = others.slice(workers).reduce((a, t) => a + t.s, 0);
const total = main + helpers + sims.reduce((a, b) => a + b, 0);
console.log(
  `${s.cells} cells of fadvise-storm, W=${workers}: wall ${wall.toFixed(2)} s; CPU ${total.toFixed(2)} s = ` +
    `simulator workers ${sims.map((x) => x.toFixed(2)).join(' + ')} s, V8/libuv helper threads ${helpers.toFixed(2)} s, main thread ${main.toFixed(2)} s; ` +
    `CPU / wall ${(total / wall).toFixed(2)}`,
);
