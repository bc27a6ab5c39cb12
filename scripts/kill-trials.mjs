#!/usr/bin/env node
// Kill-and-resume trials (issue 18, "resume you can trust"): a sweep is interrupted again and again
// with SIGINT or SIGKILL at random moments, a line in the middle of its cells.jsonl is damaged
// (cut short but newline-terminated, or a flipped byte), and `sweep --resume` is run until it
// completes. The merged result (merge --canonical) must be byte-identical to an uninterrupted run,
// and every SIGINT must end the process with exit 130.
//
// The killed runs use slow cells (150 ms each, the test wrapper of the cell worker), and the kill
// point is chosen by progress, not by time, so a loaded host does not move it: start-up (a random
// moment within 1.5x the CLI's measured start-up), running (once a random number of this run's
// cells are on disk, at least one still to come), teardown (every cell on disk: the pool closes,
// the manifest is written, the process exits). Each kill is reported with the phase it actually
// hit. A signal sent after the process had begun to exit by itself (bin/drainlab.js notes that
// moment on CLOCK_MONOTONIC under DRAINLAB_TEST_SIGNAL_MARK) interrupted nothing: it is counted
// apart and the trial tries again (at most 4 extra tries). Every SIGINT sent before exit began
// must give exit 130, except one that arrives while Node itself starts, before drainlab's handler
// exists (no program can catch it there): the process's caught-signal mask (/proc/PID/status,
// SigCgt, a SIGWINCH marker bin/drainlab.js sets) tells that case apart, counted separately.
// Every SIGKILL sent before exit began must end the process by SIGKILL.
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
/** Slow cells for the runs that are killed: the real cell worker behind the test wrapper that sleeps before each cell. */
const CELL_MS = 150;
const SLOW = { DRAINLAB_CELL_WORKER: fileURLToPath(new URL('../test/support/faulty-cell-worker.cjs', import.meta.url)), FAULTY_WORKER_DELAY_MS: String(CELL_MS) };
/** Newline-terminated lines of cells.jsonl (a torn final line is not counted). */
const wholeLines = (dir) => {
  let n = 0;
  for (const b of cellsOf(dir)) if (b === 10) n++;
  return n;
};
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
let beforeHandler = 0;
/** Signals that found the process already done (it exited 0 by itself): not kills; the trial tries again. */
const missed = { SIGINT: 0, SIGKILL: 0 };
const phases = { 'start-up': 0, running: 0, teardown: 0 };
for (let t = 1; t <= TRIALS; t++) {
  const dir = join(root, `t${t}`);
  const events = [];
  let ok = true;
  const nKills = 1 + Math.floor(rand() * 3);
  let damaged = false;
  let done = 0;
  for (let attempt = 0; done < nKills && attempt < nKills + 4; attempt++) {
    const before = wholeLines(dir);
    const full = CELLS + (damaged ? 1 : 0); // whole lines once every cell is on disk (a damaged line stays)
    const run = cli(['sweep', '--file', sweepFile, '--out', dir, '--workers', '2', '--quiet', ...(existsSync(join(dir, 'sweep.json')) ? ['--resume'] : [])], SLOW);
    const alive = () => run.child.exitCode === null && run.child.signalCode === null;
    // The kill point, chosen by progress (cells on disk), not by time, so load does not move it.
    const u = rand();
    let aim = u < 0.25 ? 'start-up' : u < 0.8 ? 'running' : 'teardown';
    if (aim === 'running' && full - before < 2) aim = 'teardown'; // no cell left to stop in the middle of
    if (aim === 'start-up') {
      const until = Date.now() + Math.floor(rand() * 1.5 * startMs);
      while (alive() && Date.now() < until) await sleep(5);
    } else if (aim === 'running') {
      const target = before + 1 + Math.floor(rand() * (full - before - 1)); // at least one cell still to come
      while (alive() && wholeLines(dir) < target) await sleep(10);
      await sleep(Math.floor(rand() * CELL_MS));
    } else {
      while (alive() && wholeLines(dir) < full) await sleep(10);
      await sleep(Math.floor(rand() * 50));
    }
    const sig = rand() < 0.5 ? 'SIGINT' : 'SIGKILL';
    const atKill = wholeLines(dir);
    const phase = atKill === before ? 'start-up' : atKill < full ? 'running' : 'teardown';
    const marked = sig === 'SIGINT' ? catchesSigint(run.child.pid) : null;
    const sentAt = process.hrtime.bigint(); // CLOCK_MONOTONIC, the clock bin/drainlab.js notes its exit on
    run.child.kill(sig);
    const r = await run.done;
    const began = /^drainlab-test: exit begins at (\d+)$/m.exec(r.stderr)?.[1];
    if (began !== undefined && BigInt(began) <= sentAt && ((r.code === 0 && r.signal === null) || r.signal === sig)) {
      // The process had finished its work before the signal was sent: nothing was interrupted
      // (exit 0, or ended by the signal once bin/drainlab.js had given it its default action back).
      missed[sig]++;
      events.push(`${sig} (after exit began) -> ${r.code ?? r.signal}, not a kill`);
      continue;
    }
    done++;
    kills++;
    if (sig === 'SIGINT') {
      sigints++;
      if (r.code === 130) sigint130++;
      else if (marked === false && r.signal === 'SIGINT') beforeHandler++; // Node's own start-up: no handler can exist yet
      else {
        // Sent before exit began, with drainlab's handler installed: it must give 130.
        ok = false;
        events.push(`SIGINT (${phase}, handler ${marked === true ? 'installed' : marked === false ? 'not yet installed' : 'unknown'}) gave code ${r.code} signal ${r.signal} (sent at ${sentAt}): ${r.stderr.slice(-300)}`);
      }
    } else if (r.signal !== 'SIGKILL') {
      ok = false;
      events.push(`SIGKILL (${phase}) gave code ${r.code} signal ${r.signal} before exit began: ${r.stderr.slice(-300)}`);
    }
    phases[phase]++;
    events.push(`${sig} (${phase}${marked === false ? ', before the handler' : ''}) -> ${r.code ?? r.signal}, ${wholeLines(dir)} lines`);
    if (!damaged) {
      const d = damage(dir);
      if (!d.startsWith('none')) {
        events.push(`damage: ${d}`);
        damaged = true;
      }
    }
  }
  if (done === 0) {
    ok = false;
    events.push(`no kill landed in ${nKills + 4} attempts`);
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
process.stdout.write(`\nstart-up of the CLI here: ${startMs} ms; load ${(await import('node:os')).loadavg()[0].toFixed(1)}\n${TRIALS} trials (${damagedTrials} with a damaged line), ${kills} kills (start-up ${phases['start-up']}, running ${phases.running}, teardown ${phases.teardown}); ${sigints} SIGINT: ${sigint130} exited 130, ${beforeHandler} during Node's own start-up (ended by the signal); not kills, the process had finished: ${missed.SIGINT} SIGINT, ${missed.SIGKILL} SIGKILL; ${failed} failed; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
rmSync(root, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
