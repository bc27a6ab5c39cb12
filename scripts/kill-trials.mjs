#!/usr/bin/env node
// Kill-and-resume trials (issue 18, "resume you can trust"): a sweep is interrupted again and again
// with SIGINT or SIGKILL at random moments, a line in the middle of its cells.jsonl is damaged
// (cut short but newline-terminated, or a flipped byte), and `sweep --resume` is run until it
// completes. The merged result (merge --canonical) must be byte-identical to an uninterrupted run,
// and every SIGINT must end the process with exit 130.
//
//   node scripts/kill-trials.mjs [TRIALS=20] [SEED=1]
//
// Prints one line per trial and a summary; exit 1 if any trial fails. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/drainlab.js', import.meta.url));
const TRIALS = Number(process.argv[2] ?? 20);
let state = Number(process.argv[3] ?? 1) >>> 0;
/** mulberry32: a seeded generator, so a failing trial can be replayed. */
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const root = mkdtempSync(join(tmpdir(), 'drainlab-kill-'));
const sweepFile = join(root, 'sweep.json');
writeFileSync(sweepFile, JSON.stringify({ name: 'kill', base: 'fuse-selftest', params: { cpus: [2, 4, 8, 16] }, replications: 10, strategies: ['v4.14', 'no-drain'] }));

function cli(args, env = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, stderr })));
  return { child, done };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cellsOf = (dir) => (existsSync(join(dir, 'cells.jsonl')) ? readFileSync(join(dir, 'cells.jsonl')) : Buffer.alloc(0));

/** Damages one whole line in the middle of cells.jsonl: cut short (newline kept) or one byte changed. */
function damage(dir) {
  const buf = cellsOf(dir);
  const starts = [0];
  for (let i = 0; i < buf.length - 1; i++) if (buf[i] === 10) starts.push(i + 1);
  if (starts.length < 3) return 'none (fewer than 3 lines)';
  const k = 1 + Math.floor(rand() * (starts.length - 2)); // never the first or the last line
  const s = starts[k];
  const e = buf.indexOf(10, s);
  const fd = openSync(join(dir, 'cells.jsonl'), 'r+');
  try {
    if (rand() < 0.5) {
      // Cut the line short, keep the newline: shift the rest of the file left.
      const cut = s + Math.max(1, Math.floor((e - s) * rand()));
      const rest = buf.subarray(e);
      closeSync(fd);
      const out = Buffer.concat([buf.subarray(0, cut), rest]);
      writeFileSync(join(dir, 'cells.jsonl'), out);
      return `line ${k + 1} cut to ${cut - s} of ${e - s} bytes`;
    }
    const at = s + Math.floor((e - s) * rand());
    const old = buf[at];
    let b = 0x30 + Math.floor(rand() * 10);
    if (b === old) b = old === 0x30 ? 0x31 : 0x30;
    writeSync(fd, Buffer.from([b]), 0, 1, at);
    closeSync(fd);
    return `line ${k + 1} byte ${at - s} ${String.fromCharCode(old)} -> ${String.fromCharCode(b)}`;
  } catch (err) {
    try {
      closeSync(fd);
    } catch {}
    throw err;
  }
}

const t0 = Date.now();
// How long the CLI takes to start here (loaded machines take seconds): kills are drawn from that
// moment on, so they land in the CLI's start-up, its checks, the sweep and its shutdown.
const s0 = Date.now();
await cli(['--version']).done;
const startMs = Date.now() - s0;
const ref = join(root, 'ref');
const r0 = await cli(['sweep', '--file', sweepFile, '--out', ref, '--workers', '2', '--quiet']).done;
if (r0.code !== 0) throw new Error(`reference sweep failed: ${r0.stderr}`);
const refMerged = join(root, 'ref-merged');
const m0 = await cli(['merge', ref, '--out', refMerged, '--canonical']).done;
if (m0.code !== 0) throw new Error(`reference merge failed: ${m0.stderr}`);
const expected = readFileSync(join(refMerged, 'cells.jsonl'));

let failed = 0;
let sigints = 0;
let sigint130 = 0;
let kills = 0;
let damagedTrials = 0;
for (let t = 1; t <= TRIALS; t++) {
  const dir = join(root, `t${t}`);
  const events = [];
  let ok = true;
  const nKills = 1 + Math.floor(rand() * 3);
  let damaged = false;
  for (let k = 0; k < nKills; k++) {
    const run = cli(['sweep', '--file', sweepFile, '--out', dir, '--workers', '2', '--quiet', ...(existsSync(join(dir, 'sweep.json')) ? ['--resume'] : [])], { DRAINLAB_TEST_CELL_DELAY_MS: '600' });
    // Anywhere from the end of node's own start-up to well into the sweep.
    await sleep(Math.floor(startMs * (0.5 + rand()) + rand() * 8000));
    const sig = rand() < 0.5 ? 'SIGINT' : 'SIGKILL';
    run.child.kill(sig);
    const r = await run.done;
    kills++;
    if (sig === 'SIGINT') {
      sigints++;
      // 130 whenever the signal arrived; 0 only if the sweep had already finished.
      if (r.code === 130) sigint130++;
      else if (!(r.code === 0 && r.signal === null)) {
        ok = false;
        events.push(`SIGINT gave code ${r.code} signal ${r.signal}: ${r.stderr.slice(-300)}`);
      }
    }
    events.push(`${sig} -> ${r.code ?? r.signal}, ${cellsOf(dir).toString().split('\n').filter(Boolean).length} lines`);
    if (!damaged) {
      const d = damage(dir);
      if (!d.startsWith('none')) {
        events.push(`damage: ${d}`);
        damaged = true;
      }
    }
  }
  if (damaged) damagedTrials++;
  // Resume until complete (a finished sweep resumes to "complete" at once).
  let final;
  for (let i = 0; i < 3; i++) {
    final = await cli(['sweep', '--file', sweepFile, '--out', dir, '--workers', '2', '--quiet', ...(existsSync(join(dir, 'sweep.json')) ? ['--resume'] : [])]).done;
    if (final.code === 0) break;
  }
  if (final.code !== 0) {
    ok = false;
    events.push(`final resume exit ${final.code}: ${final.stderr.slice(-300)}`);
  }
  const damagedReported = /damaged line/.test(final.stderr);
  const merged = join(root, `t${t}-merged`);
  const m = await cli(['merge', dir, '--out', merged, '--canonical']).done;
  const same = m.code === 0 && readFileSync(join(merged, 'cells.jsonl')).equals(expected);
  if (!same) {
    ok = false;
    events.push(`merge exit ${m.code}; identical: ${same}; ${m.stderr.slice(-300)}`);
  }
  if (!ok) failed++;
  process.stdout.write(`trial ${String(t).padStart(2)}: ${ok ? 'ok  ' : 'FAIL'} ${events.join('; ')}; resume reported the damage: ${damagedReported}; merged identical: ${same}\n`);
}
process.stdout.write(`\nstart-up of the CLI here: ${startMs} ms; load ${(await import('node:os')).loadavg()[0].toFixed(1)}\n${TRIALS} trials (${damagedTrials} with a damaged line), ${kills} kills (${sigints} SIGINT: ${sigint130} exited 130, the rest had finished), ${failed} failed; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
rmSync(root, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
