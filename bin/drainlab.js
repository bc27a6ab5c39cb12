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
// Exit here instead of letting the event loop drain: Node's natural shutdown closes the signal
// handlers before it stops the worker threads and frees the heap, and a SIGINT in that window
// would end the process by the signal instead of exit 130. process.exit keeps them to the end.
// A pipe whose reader is slower than us is not written synchronously (libuv queues what the
// 64 KiB pipe buffer does not take, and process.exit drops it: `run --json | ...` was cut at
// 65536 bytes), so wait until both streams have handed everything to the kernel first.
const flushed = (s) => new Promise((resolve) => (s.writableNeedDrain || s.writableLength > 0 ? s.write('', () => resolve()) : resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// One turn of the event loop: a SIGINT already caught by libuv but not yet seen by JavaScript
// runs its handler now (exit 130) instead of being dropped by the exit below.
await new Promise((resolve) => setImmediate(resolve));
if (mark) {
  // For kill-trials.mjs: when exit began (a SIGINT sent after this finds the work done, exit 0).
  process.stderr.write(`drainlab-test: exit begins at ${process.hrtime.bigint()}\n`); // CLOCK_MONOTONIC: one clock for every process
  process.off('SIGWINCH', mark);
}
process.exit(code);
