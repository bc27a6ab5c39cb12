#!/usr/bin/env node
// SIGINT at evenly spread moments of a short sweep's life (issue 18): N runs of a 6-cell sweep
// (300 ms a cell, W = 2), the k-th interrupted at (k + 0.5) / N x MAX_MS after the spawn, which
// covers Node's start-up, the CLI's loading, the cells and the exit. Before each SIGINT it reads the
// marker bin/drainlab.js sets under DRAINLAB_TEST_SIGNAL_MARK (docs/hardening.md section 4) and
// tallies "handler -> exit", "no-handler -> ..." (Node's own start-up, or exit begun) and "gone".
// Exit 1 if a SIGINT that found drainlab's handler did not give 130.
//
//   node scripts/sigint-times.mjs [N=40] [MAX_MS=3000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/drainlab.js', import.meta.url));
const slowWorker = fileURLToPath(new URL('../test/support/faulty-cell-worker.cjs', import.meta.url));
const N = Number(process.argv[2] ?? 40);
const maxMs = Number(process.argv[3] ?? 3000);
const root = mkdtempSync(join(tmpdir(), 'drainlab-sigint-'));
const sweepFile = join(root, 'sweep.json');
writeFileSync(sweepFile, JSON.stringify({ name: 'sig', base: 'fuse-selftest', params: { cpus: [2, 4] }, replications: 3, strategies: ['v4.14', 'no-drain'] }));
const marked = (pid) => {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << 27n)) !== 0n : null;
  } catch {
    return null;
  }
};
const tally = {};
let bad = 0;
for (let i = 0; i < N; i++) {
  const out = join(root, 'out');
  rmSync(out, { recursive: true, force: true });
  const at = Math.round(((i + 0.5) / N) * maxMs);
  // Slow cells: the real cell worker behind the test wrapper that sleeps before each cell.
  const env = { ...process.env, DRAINLAB_TEST_SIGNAL_MARK: '1', DRAINLAB_CELL_WORKER: slowWorker, FAULTY_WORKER_DELAY_MS: '300' };
  const child = spawn(process.execPath, [bin, 'sweep', '--file', sweepFile, '--out', out, '--workers', '2', '--quiet'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  await new Promise((r) => setTimeout(r, at));
  const m = marked(child.pid);
  child.kill('SIGINT');
  const r = await done;
  const key = `${m === true ? 'handler' : m === false ? 'no-handler' : 'gone'} -> ${r.code ?? r.signal}`;
  tally[key] = (tally[key] ?? 0) + 1;
  if (m === true && r.code !== 130) {
    bad++;
    process.stdout.write(`at ${at} ms: handler installed, exit ${r.code} signal ${r.signal}: ${stderr.slice(-300)}\n`);
  }
}
rmSync(root, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(tally)}; load ${(await import('node:os')).loadavg()[0].toFixed(1)}\n`);
process.exit(bad ? 1 : 0);
