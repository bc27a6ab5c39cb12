#!/usr/bin/env node
// Kill-and-resume trials (issue 18, "resume you can trust"): a sweep is interrupted again and again
// with SIGINT or SIGKILL at random moments, a line in the middle of its cells.jsonl is damaged
// (cut short but newline-terminated, or a flipped byte), and `sweep --resume` is run until it
// completes. The merged result (merge --canonical) must be byte-identical to an uninterrupted run,
// and every SIGINT must end the process with exit 130.
//
// Kills land in three phases: start-up (from the spawn on, Node's own start-up included), running
// (the sweep's cells), and teardown (the last cell is on disk: the pool closes, the manifest is
// written, the process exits). Before each SIGINT the trial reads the process's caught-signal mask
// (/proc/PID/status, SigCgt, with a marker bin/drainlab.js sets under DRAINLAB_TEST_SIGNAL_MARK): a
// SIGINT sent while drainlab's handler is installed must give exit 130; one sent earlier, while
// Node itself starts and no JavaScript can run yet, ends the process by the signal (no program can
// catch it there), and one sent once exit has begun finds the work done; both are counted apart.
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
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, DRAINLAB_TEST_SIGNAL_MARK: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, stderr })));
  return { child, done };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Whether drainlab's SIGINT handler is installed now: bin/drainlab.js adds a SIGWINCH listener as a
 * marker when DRAINLAB_TEST_SIGNAL_MARK is set (bit 27 of SigCgt in /proc/PID/status) and removes it
 * when exit begins. Node sets the SIGINT bit itself from its first instant (its own handler ends
 * the process by the signal), so that bit says nothing. null when the process is gone.
 */
function catchesSigint(pid) {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << 27n)) !== 0n : null;
  } catch {
    return null;
  }
}
const CELLS = 40;
const linesOf = (dir) => cellsOf(dir).toString().split('\n').filter(Boolean).length;
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
let caughtSigints = 0;
let beforeHandler = 0;
const phases = { 'start-up': 0, running: 0, teardown: 0 };
for (let t = 1; t <= TRIALS; t++) {
  const dir = join(root, `t${t}`);
  const events = [];
  let ok = true;
  const nKills = 1 + Math.floor(rand() * 3);
  let damaged = false;
  for (let k = 0; k < nKills; k++) {
    const run = cli(['sweep', '--file', sweepFile, '--out', dir, '--workers', '2', '--quiet', ...(existsSync(join(dir, 'sweep.json')) ? ['--resume'] : [])], { DRAINLAB_TEST_CELL_DELAY_MS: '600' });
    const u = rand();
    const phase = u < 0.25 ? 'start-up' : u < 0.8 ? 'running' : 'teardown';
    if (phase === 'start-up') await sleep(Math.floor(rand() * 1.5 * startMs));
    else if (phase === 'running') await sleep(Math.floor(startMs * (0.5 + rand()) + rand() * 8000));
    else {
      // Wait for the last cell on disk (or the end), then a little more.
      while (run.child.exitCode === null && run.child.signalCode === null && linesOf(dir) < CELLS) await sleep(20);
      await sleep(Math.floor(rand() * 300));
    }
    const sig = rand() < 0.5 ? 'SIGINT' : 'SIGKILL';
    const caught = sig === 'SIGINT' ? catchesSigint(run.child.pid) : null;
    run.child.kill(sig);
    const r = await run.done;
    kills++;
    if (sig === 'SIGINT') {
      sigints++;
      if (r.code === 130) sigint130++;
      if (caught === true) {
        caughtSigints++;
        // The handler was there: exit 130 and nothing else.
        if (r.code !== 130) {
          ok = false;
          events.push(`SIGINT (handler installed, ${phase}) gave code ${r.code} signal ${r.signal}: ${r.stderr.slice(-300)}`);
        }
      } else if (caught === false && r.signal === 'SIGINT') {
        beforeHandler++; // Node's own start-up: no handler can exist yet
      } else if (!(r.code === 0 && r.signal === null) && r.code !== 130) {
        ok = false;
        events.push(`SIGINT (${caught === null ? 'process already gone' : 'no handler'}, ${phase}) gave code ${r.code} signal ${r.signal}: ${r.stderr.slice(-300)}`);
      }
    }
    phases[phase]++;
    events.push(`${sig} (${phase}${caught === false ? ', before the handler' : ''}) -> ${r.code ?? r.signal}, ${linesOf(dir)} lines`);
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
process.stdout.write(`\nstart-up of the CLI here: ${startMs} ms; load ${(await import('node:os')).loadavg()[0].toFixed(1)}\n${TRIALS} trials (${damagedTrials} with a damaged line), ${kills} kills (start-up ${phases['start-up']}, running ${phases.running}, teardown ${phases.teardown}); ${sigints} SIGINT: ${caughtSigints} with drainlab's handler installed (${sigint130} exited 130 in all), ${beforeHandler} during Node's own start-up (ended by the signal), ${sigints - caughtSigints - beforeHandler} once exit had begun (the work done); ${failed} failed; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
rmSync(root, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
