/**
 * Peak memory of a sweep against its cell count: the same tiny scenario swept to 1,000, 3,000 and
 * 10,000 cells, each in a fresh `drainlab sweep` process (W = 2), reporting the process's peak RSS
 * (getrusage maxRSS: main thread and workers together) and RSS sampled from /proc while it runs.
 * Bounded memory means the peak does not grow with the cell count: records are streamed to
 * cells.jsonl and dropped; only the cells in flight (2W) are held.
 *
 *   npx tsx bench/sweep-rss.ts [--cells 1000,3000,10000] [--workers 2] [--json]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const counts = arg('cells', '1000,3000,10000').split(',').map(Number);
const workers = arg('workers', '2');
const json = process.argv.includes('--json');
const bin = new URL('../bin/drainlab.js', import.meta.url).pathname;

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Row {
  cells: number;
  wallS: number;
  peakRssMiB: number;
  /** RSS sampled at about 25 %, 50 %, 75 % and 100 % of the run's duration (MiB). */
  rssAt: number[];
  outputMiB: number;
}

const root = mkdtempSync(join(tmpdir(), 'drainlab-rss-'));
const rows: Row[] = [];
try {
  for (const n of counts) {
    // 100 CPU counts x n/100 replications of fuse-selftest with two strategies.
    const file = join(root, `sweep-${n}.json`);
    const points = Math.min(100, n);
    writeFileSync(file, JSON.stringify({ name: `rss-${n}`, base: 'fuse-selftest', params: { cpus: { from: 2, to: 1 + points, step: 1 } }, replications: Math.ceil(n / points), strategies: ['v4.14', 'no-drain'] }));
    const out = join(root, `out-${n}`);
    const child = spawn(process.execPath, [bin, 'sweep', '--file', file, '--out', out, '--workers', workers, '--quiet', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const samples: number[] = [];
    const timer = setInterval(() => {
      const r = rssMiB(child.pid!);
      if (r !== undefined) samples.push(r);
    }, 100);
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    clearInterval(timer);
    if (code !== 0) throw new Error(`sweep of ${n} cells exited ${code}: ${stderr}`);
    const s = JSON.parse(stdout) as { cells: number; wallMs: number; maxRssMiB: number };
    const at = (f: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))] ?? NaN);
    rows.push({ cells: s.cells, wallS: s.wallMs / 1000, peakRssMiB: s.maxRssMiB, rssAt: [0.25, 0.5, 0.75, 1].map(at), outputMiB: statSync(join(out, 'cells.jsonl')).size / 2 ** 20 });
    rmSync(out, { recursive: true, force: true });
    if (!json) process.stderr.write(`${s.cells} cells: peak RSS ${s.maxRssMiB} MiB\n`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

if (json) console.log(JSON.stringify({ workers: Number(workers), rows }, null, 2));
else {
  console.log(`sweep peak RSS vs cells (fuse-selftest, 2 strategies, W=${workers}):`);
  console.log('   cells   wall s   peak RSS MiB   RSS at 25/50/75/100 % of the run   cells.jsonl MiB');
  for (const r of rows) console.log(`${String(r.cells).padStart(8)} ${r.wallS.toFixed(1).padStart(8)} ${String(r.peakRssMiB).padStart(14)}   ${r.rssAt.join(' / ').padStart(32)}   ${r.outputMiB.toFixed(1).padStart(15)}`);
}
