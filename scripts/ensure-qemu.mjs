#!/usr/bin/env node
// Makes sure the tools that boot other kernels for `drainlab calibrate --kernel` exist:
// qemu-system-x86_64 (Debian package qemu-system-x86) and cpio (package cpio), plus a C compiler
// (gcc) and the static C library the guest's probe links against (libc.a, package libc6-dev). Installed with apt-get when
// we are root and something is missing; a machine that already has them pays one `command -v`.
// Exit 0 when everything is there (or was installed); exit 0 with a clear message naming the
// packages when they cannot be had, because the guest test then skips itself with the same
// reason. Set DRAINLAB_REQUIRE_QEMU=1 to turn "cannot be had" into exit 1.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const TOOLS = [
  { bin: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  { bin: 'cpio', pkg: 'cpio' },
];
const LIBC_A = ['/usr/lib/x86_64-linux-gnu/libc.a', '/usr/lib64/libc.a', '/usr/lib/libc.a'];
const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = () => [
  ...TOOLS.filter((t) => !onPath(t.bin)).map((t) => t.pkg),
  ...(['cc', 'gcc'].some(onPath) ? [] : ['gcc']), // the guest's probe and /init are built with gcc -static
  ...(LIBC_A.some((p) => existsSync(p)) ? [] : ['libc6-dev']),
];

function giveUp(pkgs, reason) {
  const msg = `ensure-qemu: ${reason}; missing package(s): ${pkgs.join(', ')} (apt-get install -y ${pkgs.join(' ')}); the QEMU guest tests will be skipped.`;
  console.error(msg);
  process.exit(process.env.DRAINLAB_REQUIRE_QEMU === '1' ? 1 : 0);
}

const need = missing();
if (need.length === 0) process.exit(0);
if (process.platform !== 'linux') giveUp(need, 'automatic install only works on Linux');
if (typeof process.getuid !== 'function' || process.getuid() !== 0) giveUp(need, 'not root, so they cannot be installed here');
if (!onPath('apt-get')) giveUp(need, 'no apt-get to install them with');

console.error(`ensure-qemu: installing ${need.join(', ')} (apt-get update && apt-get install -y --no-install-recommends ${need.join(' ')}) ...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status;
if (run(['update']) !== 0) giveUp(need, 'apt-get update failed');
if (run(['install', '-y', '--no-install-recommends', ...need]) !== 0) giveUp(need, `apt-get install ${need.join(' ')} failed`);
const still = missing();
if (still.length) giveUp(still, 'apt-get reported success but they are still missing');
console.error(`ensure-qemu: installed ${need.join(', ')}`);
