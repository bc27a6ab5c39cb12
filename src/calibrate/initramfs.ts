/**
 * The initramfs a guest kernel boots (docs/calibration.md, "Other kernels under QEMU"): the probe
 * and a small /init (probe/guest-init.c), both linked statically, and /probe-args, the probe's
 * arguments as the host chose them (one per line), in a newc cpio archive (`cpio -o -H newc`).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { PROBE_DIR } from './probe.ts';

export const STATIC_DIR = join(PROBE_DIR, 'bin', 'static');
export const GUEST_PROBE = join(STATIC_DIR, 'drainprobe');
export const GUEST_INIT = join(STATIC_DIR, 'guest-init');

/** Where a static libc may live (Debian/Ubuntu multiarch, Fedora, others). */
const LIBC_A = ['/usr/lib/x86_64-linux-gnu/libc.a', '/usr/lib64/libc.a', '/usr/lib/libc.a'];

function have(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Builds probe/bin/static/{drainprobe,guest-init} (probe/build.mjs --static; up-to-date check).
 * Errors name what is missing: a C compiler, the static C library (libc6-dev), or the build's own message.
 */
export function buildGuestBinaries(): { probe: string; init: string } {
  if (process.platform !== 'linux') throw new UsageError(`--kernel: the guest's probe is built with the Linux C toolchain; this host runs ${process.platform}`);
  if (!LIBC_A.some((p) => existsSync(p))) {
    throw new UsageError(`--kernel: no static C library (looked for ${LIBC_A.join(', ')}); the guest's /init and probe are linked with gcc -static: install it (Debian: apt-get install libc6-dev, or run node scripts/ensure-qemu.mjs as root)`);
  }
  const r = spawnSync(process.execPath, [join(PROBE_DIR, 'build.mjs'), '--static'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-4).join(' | ');
    throw new UsageError(`--kernel: building the guest's static probe failed: ${why || `exit ${r.status}`}`);
  }
  for (const p of [GUEST_PROBE, GUEST_INIT]) {
    try {
      accessSync(p, constants.X_OK);
    } catch {
      throw new UsageError(`--kernel: ${p} was not built (${(r.stderr || '').trim().split('\n').pop() ?? ''})`);
    }
  }
  return { probe: GUEST_PROBE, init: GUEST_INIT };
}

/**
 * Writes `dir/initramfs.cpio`: /init, /drainprobe, /probe-args and the empty mount points. The
 * files are listed in a fixed order, so the same inputs give the same archive layout.
 */
export function buildInitramfs(dir: string, bins: { probe: string; init: string }, probeArgs: readonly string[]): string {
  if (!have('cpio')) throw new UsageError('--kernel: cpio is not installed (Debian package cpio); node scripts/ensure-qemu.mjs installs it as root');
  for (const a of probeArgs) if (a.includes('\n')) throw new Error(`probe argument with a newline: ${JSON.stringify(a)}`);
  const root = join(dir, 'root');
  rmSync(root, { recursive: true, force: true });
  for (const d of ['dev', 'proc', 'sys', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(bins.init, join(root, 'init'));
  copyFileSync(bins.probe, join(root, 'drainprobe'));
  chmodSync(join(root, 'init'), 0o755);
  chmodSync(join(root, 'drainprobe'), 0o755);
  writeFileSync(join(root, 'probe-args'), probeArgs.map((a) => `${a}\n`).join(''));
  const list = ['.', 'dev', 'proc', 'sys', 'tmp', 'init', 'drainprobe', 'probe-args'].join('\n') + '\n';
  const out = join(dir, 'initramfs.cpio');
  const r = spawnSync('sh', ['-c', `cpio -o -H newc --quiet > '${out.replace(/'/g, "'\\''")}'`], { cwd: root, input: list, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cpio -o -H newc failed (exit ${r.status}): ${(r.stderr ?? '').trim()}`);
  return out;
}
