#!/usr/bin/env node
// Entry point: runs the compiled CLI (build/js/main.js, written by `npm run build`, which
// `npm install` and `npm start` run). Plain node: no TypeScript loader at run time.
import { existsSync } from 'node:fs';

// Until a command installs its own handler, SIGINT / SIGTERM exit 130 / 143 at once, from this
// line on (also while the CLI loads); src/cli/main.ts (installSignalGuard) sees the flag. Before
// this line, during Node's own start-up, no JavaScript handler can exist: a signal there ends the
// process by the signal (a shell shows 130 all the same); scripts/kill-trials.mjs tells the two apart.
globalThis.__drainlabSignalGuard = true;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    if (process.listenerCount(sig) > 1) return; // a command handles it
    process.stderr.write(`\ndrainlab: ${sig}\n`);
    process.exit(code);
  });
}

// A reader that goes away early (`drainlab run --json | head`) is not an error of ours: stop
// quietly, with the status a tool killed by SIGPIPE has (128 + 13; Node itself ignores SIGPIPE
// and would print an unhandled EPIPE stack instead). Any other stream error stays an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
}

// For scripts/kill-trials.mjs: a harmless SIGWINCH listener marks, in the process's caught-signal
// mask (/proc/PID/status SigCgt), that the handlers above are installed (Node's own start-up
// handler also sets the SIGINT bit, so that bit alone says nothing). Removed when exit begins.
const mark = process.env.DRAINLAB_TEST_SIGNAL_MARK ? () => {} : undefined;
if (mark) process.on('SIGWINCH', mark);

const main = new URL('../build/js/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('drainlab: not built yet (build/js/main.js is missing); run `npm run build` in the drainlab directory\n');
  process.exit(2);
}
const code = await (await import(main.href)).main(process.argv.slice(2));
// Exit here instead of letting the event loop drain: Node's natural shutdown would close the
// signal handlers at a moment of its choosing, while worker threads still stop, and would wait on
// any handle left open; process.exit below ends it at one known point.
// A pipe whose reader is slower than us is not written synchronously (libuv queues what the
// 64 KiB pipe buffer does not take, and process.exit drops it: `run --json | ...` was cut at
// 65536 bytes), so wait until both streams have handed everything to the kernel first.
const flushed = (s) => new Promise((resolve) => (s.writableNeedDrain || s.writableLength > 0 ? s.write('', () => resolve()) : resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// A poll for signals before exit: a SIGINT already caught by libuv but not yet seen by JavaScript
// (it arrived during the command's last synchronous work: the manifest's fsync, the summary) runs
// its handler in the loop's next poll phase (exit 130) instead of being dropped by the exit below.
// One setImmediate is not enough: scheduled from a callback of the poll phase, it runs in the same
// iteration's check phase, with no poll in between (kill-trials caught SIGINTs dropped that way).
// The second callback runs after the next iteration's poll. Exit begins there: the handlers are
// removed, which gives SIGINT / SIGTERM back their default action, so a signal during
// process.exit's teardown ends the process by the signal (a shell shows 130 / 143) instead of
// being caught and dropped (exit 0). What is left is the gap between that poll and the callback,
// microseconds of JavaScript; closing it would need the signal mask, which Node does not expose.
await new Promise((resolve) => setImmediate(resolve));
setImmediate(() => {
  if (mark) {
    // For kill-trials.mjs: when exit began (a SIGINT sent after this finds the work done).
    process.stderr.write(`drainlab-test: exit begins at ${process.hrtime.bigint()}\n`); // CLOCK_MONOTONIC: one clock for every process
    process.off('SIGWINCH', mark);
  }
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.exit(code);
});
