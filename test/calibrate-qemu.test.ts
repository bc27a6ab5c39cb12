// Real kernels the host does not run: Debian's 6.1 and 6.12 booted under QEMU (TCG) with 8 vCPUs
// and the probe as the guest's workload (calibrate --kernel; docs/calibration.md). The kernels
// are fetched by the project's own code when missing (apt-get download + dpkg -x into
// ~/.cache/drainlab/kernels); qemu-system-x86 and cpio by scripts/ensure-qemu.mjs (npm test runs
// it). Cost on the 2-vCPU build VM at a load average of ~15: 6.1 ~40 s, 6.12 ~35 s (longer when its
// multi-threaded TCG guest oopses with int3 and is booted again, as once at 16 vCPUs), the dying
// guest's three boots ~41 s, SIGINT ~9 s: ~125 s for the file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateGuest } from '../src/calibrate/guest-boot.ts';
import { fetchKernel } from '../src/calibrate/kernel-package.ts';
import { buildGuestBinaries, buildInitramfs } from '../src/calibrate/initramfs.ts';
import { bootGuest } from '../src/calibrate/qemu.ts';
import { readCalibration } from '../src/calibrate/file.ts';
import type { DrainCase } from '../src/calibrate/cases.ts';
import { withProbeLock } from './support/calibrate-lock.ts';

const CPUS = 8;
const dir = mkdtempSync(join(tmpdir(), 'drainlab-guest-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Why a guest cannot be booted here (named after the missing package), or undefined. */
function guestSkipReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `QEMU guests are booted on x86-64 Linux only (this is ${process.platform}/${process.arch})`;
  const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
  if (!has('qemu-system-x86_64')) return 'qemu-system-x86_64 is not installed (package qemu-system-x86; node scripts/ensure-qemu.mjs installs it as root)';
  if (!has('cpio')) return 'cpio is not installed (package cpio; node scripts/ensure-qemu.mjs installs it as root)';
  if (!has('cc') && !has('gcc')) return 'no C compiler to build the guest\'s static probe with (package gcc; node scripts/ensure-qemu.mjs installs it as root)';
  if (!['/usr/lib/x86_64-linux-gnu/libc.a', '/usr/lib64/libc.a', '/usr/lib/libc.a'].some((p) => existsSync(p))) return 'no static C library libc.a (package libc6-dev; node scripts/ensure-qemu.mjs installs it as root)';
  if (!has('apt-get') && !existsSync(join(process.env.HOME ?? '/root', '.cache', 'drainlab', 'kernels'))) return 'no apt-get to fetch the Debian kernels with, and none cached';
  return undefined;
}
const why = guestSkipReason();

/** Processes whose command line mentions `needle` (a QEMU left behind would). */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch { /* gone */ }
  }
  return found;
}

describe.each([
  { spec: '6.1', mglru: false, batch: 15 },
  { spec: '6.12', mglru: true, batch: 31 },
])('calibrate --kernel $spec --cpus 8 under TCG', ({ spec, mglru, batch }) => {
  it("boots the requested kernel, which sees 8 CPUs; the cases return outcomes; drain work goes to the CPUs with the pages; batches drain at PAGEVEC_SIZE; MGLRU skips the activate batch", async (ctx) => {
    if (why) return ctx.skip(why);
    const out = join(dir, `calibration-${spec}.json`);
    const log: string[] = [];
    const r = await withProbeLock(() => calibrateGuest({ kernel: spec, cpus: CPUS, accel: 'tcg', budgetMs: 60_000, out, log: (l) => log.push(l) }), 600_000);
    expect(r.status, log.join('\n')).toBe('measured');
    if (r.status !== 'measured') return;
    const f = readCalibration(out);
    const g = f.guest!;
    // the kernel that ran is the one asked for, and what its config says is what it did
    expect(g.release.startsWith(`${spec}.`), g.release).toBe(true);
    expect(g.package).toBe(`linux-image-${g.release}`);
    expect(f.host.kernel).toBe(g.release); // the probe's own uname
    expect(g.booted.cpusOnline).toBe(CPUS);
    expect(f.host.cpus).toBe(CPUS);
    expect(f.host.hz).toBe(250);
    expect(g.config.lruGenEnabled).toBe(mglru);
    expect(g.scenario.mglru).toBe(mglru);
    expect(Number.parseInt(g.booted.lruGenEnabled ?? '0', 16) !== 0).toBe(mglru); // /sys/kernel/mm/lru_gen/enabled
    expect(g.scenario.rtRuntimeShare).toBe(false); // off by default since v5.10 (2586af1ac187)
    expect(g.accelerator).toMatch(/^tcg-/);
    expect(f.timingsCalibrated).toBe(false);
    expect(f.costs).toEqual({});
    expect(g.droppedLines).toBe(0);
    // the probe's cases all returned an outcome
    expect(f.probe.complete).toBe(true);
    const rechecks = f.cases.filter((c) => c.kind === 'recheck');
    const drains = f.cases.filter((c) => c.kind === 'drain');
    expect(rechecks.length).toBeGreaterThanOrEqual(5);
    expect(drains.length).toBeGreaterThanOrEqual(4);
    for (const c of f.cases) expect(['ok', 'EBUSY'], c.id).toContain(c.result);
    // pins released at once: the seal succeeds; held 200 ms, past the last re-check: EBUSY
    expect(rechecks.find((c) => c.id.startsWith('a/d=0/'))?.result).toBe('ok');
    expect(rechecks.find((c) => c.id.startsWith('a/d=200/'))?.result).toBe('EBUSY');
    // the guest's tracefs: every drain of pages parked on CPU 1 queued lru_add_drain_per_cpu there
    const traced = drains.map((c) => c as DrainCase).filter((c) => c.cpusWithWork);
    expect(traced.length, 'drain cases with their trace').toBe(drains.length);
    for (const c of traced) expect(c.cpusWithWork, c.id).toContain(1);
    // case g (probe/case_guest.c): a batch drains itself at PAGEVEC_SIZE pages: 15 on 6.1, 31 on 6.12
    const fills = (f.guestCases ?? []).filter((c) => c.test === 'fill');
    expect(fills.length).toBeGreaterThanOrEqual(6);
    for (const c of fills) expect(c.drainedAt, c.id).toBe(c.pages >= batch ? batch : 0);
    // the guest's tracefs: a seal queues drain work on exactly the CPUs where pages were parked
    const gc = (id: string) => f.guestCases?.find((c) => c.id === id);
    expect(gc('park/remote/rep0')?.targets).toEqual([1]);
    expect(gc('park/odd/rep0')?.targets).toEqual([1, 3, 5, 7]);
    expect(gc('park/seal-cpu/rep0')?.targets).toEqual([]); // the seal's own local drain empties it
    // re-read pages wait in the activate batch, unless the multi-gen LRU is on (6.12): no work then
    expect(gc('reread/rep0')?.targets).toEqual(mglru ? [] : [1]);
    // pins released before the last re-check: ok; after it: EBUSY
    const pin = (id: string) => f.guestCases?.find((c) => c.id.startsWith(`pin/${id}/`))?.results;
    expect(pin('early')).toEqual(['ok']);
    expect(pin('after-last')).toEqual(['EBUSY']);
  });
});

describe('a guest that dies', () => {
  it('is booted again under multi-threaded TCG, then single-threaded; each attempt says why it failed', async (ctx) => {
    if (why) return ctx.skip(why);
    const k = fetchKernel('6.1');
    const tmp = mkdtempSync(join(dir, 'dies-'));
    const initrd = buildInitramfs(tmp, buildGuestBinaries(), ['--quick']);
    // no /init to run: the kernel panics ("VFS: Unable to mount root fs"), and panic=-1 ends QEMU
    const boot = await withProbeLock(() => bootGuest({ kernel: k.vmlinuz, initrd, cpus: 2, dir: tmp, accel: 'tcg', probeBudgetMs: 10_000, extraAppend: 'rdinit=/nonexistent' }), 600_000);
    expect(boot.attempts.map((a) => a.accel)).toEqual(['tcg-multi', 'tcg-multi', 'tcg-single']);
    for (const a of boot.attempts) {
      expect(a.outcome).toBe('died');
      expect(a.reason).toMatch(/^Kernel panic - not syncing/);
      expect(a.guest.start).toBeUndefined();
    }
    expect(processesMentioning(tmp)).toEqual([]);
  });
});

describe('calibrate --kernel on SIGINT', () => {
  it('stops QEMU, removes its temporary directory, writes nothing and exits 130', async (ctx) => {
    if (why) return ctx.skip(why);
    const tmp = mkdtempSync(join(dir, 'sigint-'));
    const out = join(tmp, 'never.json');
    const r = await withProbeLock(
      () =>
        new Promise<{ code: number | null; err: string; leftover: string[] }>((resolve, reject) => {
          const child = spawn(process.execPath, ['bin/drainlab.js', 'calibrate', '--kernel', '6.1', '--cpus', '2', '--accel', 'tcg', '--out', out], {
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { ...process.env, TMPDIR: tmp },
          });
          let err = '';
          let sent = false;
          child.stderr.setEncoding('utf8').on('data', (d: string) => {
            err += d;
            // QEMU is running once the boot line is printed; interrupt it mid-boot
            if (!sent && err.includes('calibrate: booting ')) {
              sent = true;
              setTimeout(() => {
                const running = processesMentioning(tmp).filter((p) => /^\d+: qemu-system/.test(p)); // QEMU itself, not its `timeout`
                err += `\n[test] qemu processes before SIGINT: ${running.length}\n`;
                child.kill('SIGINT');
              }, 1500);
            }
          });
          const guard = setTimeout(() => child.kill('SIGKILL'), 200_000);
          child.on('error', reject);
          child.on('exit', (code) => {
            clearTimeout(guard);
            resolve({ code, err, leftover: processesMentioning(tmp) });
          });
        }),
      600_000,
    );
    expect(r.err).toContain('[test] qemu processes before SIGINT: 1');
    expect(r.code, r.err).toBe(130);
    expect(r.err).toContain('calibrate: SIGINT: stopping the guest');
    expect(r.leftover).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.startsWith('drainlab-guest-'))).toEqual([]);
  });
});
