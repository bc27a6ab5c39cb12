#!/usr/bin/env node
// Builds the native probe (probe/*.c -> probe/bin/drainprobe) with the system C compiler.
// The lab works without it: when this is not Linux or no compiler is found, say so and exit 0
// (calibrate then reports "probe unavailable"). `--force` rebuilds even when up to date.
// `--static` instead builds the pair a QEMU guest runs (`drainlab calibrate --kernel`):
// probe/bin/static/drainprobe and probe/bin/static/guest-init (probe/guest-init.c), linked with
// `-static`; it fails with a message naming libc.a (package libc6-dev) when that is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'bin', 'drainprobe');
// Standalone programs (their own main, one file each): the trace recorder and the synthetic workload (docs/traces.md).
const standalone = { 'tracerec.c': 'drainrec', 'workload.c': 'drainworkload' };
// The guest's /init (its own main; only in the --static build).
const GUEST_INIT = 'guest-init.c';
const sources = readdirSync(here).filter((f) => (f.endsWith('.c') || f.endsWith('.h')) && !(f in standalone) && f !== GUEST_INIT).map((f) => join(here, f));

function findCompiler() {
  const candidates = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return c;
  }
  return undefined;
}

function upToDate(bin = out, srcs = sources) {
  if (!existsSync(bin)) return false;
  const built = statSync(bin).mtimeMs;
  return srcs.every((s) => statSync(s).mtimeMs <= built);
}

if (process.platform !== 'linux') {
  console.error(`probe:build skipped: the probe measures the Linux kernel; this is ${process.platform}`);
  process.exit(0);
}
const cc = findCompiler();
if (!cc) {
  console.error('probe:build skipped: no C compiler (set CC or install cc/gcc/clang); calibrate will report the probe as unavailable');
  process.exit(0);
}
if (process.argv.includes('--static')) {
  buildStatic();
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
for (const [src, bin] of Object.entries(standalone)) {
  const b = join(here, 'bin', bin);
  if (!process.argv.includes('--force') && upToDate(b, [join(here, src)])) continue;
  const r = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-pthread', '-o', b, join(here, src)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`probe:build failed: ${cc} ${src} exited with ${r.status}`);
    process.exit(1);
  }
  console.error(`probe:build: built ${b} with ${cc}`);
}
if (!process.argv.includes('--force') && upToDate()) {
  console.error(`probe:build: ${out} is up to date`);
  process.exit(0);
}
const args = ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-pthread', '-o', out, ...sources.filter((s) => s.endsWith('.c')), '-lm'];
const r = spawnSync(cc, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`probe:build failed: ${cc} ${args.join(' ')} exited with ${r.status}`);
  process.exit(1);
}
console.error(`probe:build: built ${out} with ${cc}`);

function buildStatic() {
  const dir = join(here, 'bin', 'static');
  mkdirSync(dir, { recursive: true });
  const force = process.argv.includes('--force');
  const targets = [
    { bin: join(dir, 'drainprobe'), srcs: sources, args: sources.filter((s) => s.endsWith('.c')) },
    { bin: join(dir, 'guest-init'), srcs: [join(here, GUEST_INIT)], args: [join(here, GUEST_INIT)] },
  ];
  for (const t of targets) {
    if (!force && upToDate(t.bin, t.srcs)) continue;
    const r = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-static', '-pthread', '-o', t.bin, ...t.args, '-lm'], { encoding: 'utf8' });
    if (r.status !== 0) {
      const err = `${r.stderr ?? ''}${r.error?.message ?? ''}`;
      if (/cannot find -lc\b|cannot find -lm\b|cannot find -lpthread\b/.test(err)) {
        console.error(`probe:build --static failed: no static C library (libc.a) for ${cc}; install it (Debian: apt-get install libc6-dev)`);
      } else {
        console.error(`probe:build --static failed: ${cc} -static ${t.bin} exited with ${r.status}:\n${err.trim()}`);
      }
      process.exit(1);
    }
    console.error(`probe:build: built ${t.bin} (static) with ${cc}`);
  }
}
