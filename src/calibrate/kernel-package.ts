/**
 * Other kernels than the host's (issue 14): a Debian kernel package fetched with
 * `apt-get download` and unpacked with `dpkg -x` into a cache directory (nothing is installed
 * into /boot), and the facts of its config that the model needs: HZ, the preemption model and
 * whether the multi-gen LRU is on by default. guest-boot.ts boots it under QEMU (docs/calibration.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { PreemptModel } from '../kernel/versions.ts';

/** What a kernel's config says about the mechanisms the model varies. */
export interface KernelConfigFacts {
  hz: number | null;
  /** The build's preemption model; with PREEMPT_DYNAMIC this is the default the boot line can change. */
  preempt: PreemptModel | null;
  preemptDynamic: boolean;
  /** CONFIG_LRU_GEN: the multi-gen LRU is built. */
  lruGen: boolean;
  /** CONFIG_LRU_GEN_ENABLED: ... and on by default (the scenario's `mglru`). */
  lruGenEnabled: boolean;
  /** CONFIG_RT_GROUP_SCHED: RT throttling per cgroup (off: the global sched_rt_runtime_us). */
  rtGroupSched: boolean;
}

/** Reads the facts from a kernel config (the `config-<release>` beside its vmlinuz). */
export function parseKernelConfig(text: string): KernelConfigFacts {
  const on = new Set<string>();
  let hz: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[2] === 'y') on.add(m[1]);
    if (m[1] === 'CONFIG_HZ') hz = Number(m[2]) || null;
  }
  const preempt: PreemptModel | null = on.has('CONFIG_PREEMPT_RT') ? 'rt'
    : on.has('CONFIG_PREEMPT') ? 'full'
      : on.has('CONFIG_PREEMPT_VOLUNTARY') ? 'voluntary'
        : on.has('CONFIG_PREEMPT_NONE') ? 'none' : null;
  return {
    hz,
    preempt,
    preemptDynamic: on.has('CONFIG_PREEMPT_DYNAMIC'),
    lruGen: on.has('CONFIG_LRU_GEN'),
    lruGenEnabled: on.has('CONFIG_LRU_GEN_ENABLED'),
    rtGroupSched: on.has('CONFIG_RT_GROUP_SCHED'),
  };
}

/** The scenario fields a kernel's config sets (docs/scenario-format.md). */
export function scenarioFieldsFromConfig(f: KernelConfigFacts): { mglru: boolean; preempt?: PreemptModel; hz?: number } {
  return { mglru: f.lruGen && f.lruGenEnabled, ...(f.preempt ? { preempt: f.preempt } : {}), ...(f.hz ? { hz: f.hz } : {}) };
}

export interface KernelPackage {
  /** The Debian package, e.g. linux-image-6.12.117+deb12-cloud-amd64 (absent for a path). */
  package?: string;
  release: string;
  vmlinuz: string;
  config: string;
}

/** Where fetched kernels are unpacked: $DRAINLAB_CACHE/kernels, else ~/.cache/drainlab/kernels. */
export function kernelCacheDir(): string {
  return join(process.env.DRAINLAB_CACHE ?? join(homedir(), '.cache', 'drainlab'), 'kernels');
}

/** "6.1", "6.12", "6.12-rt" -> the Debian image flavour; anything else is taken as a package name. */
export function packagePattern(spec: string): RegExp | undefined {
  const m = /^(\d+)\.(\d+)(-rt)?$/.exec(spec);
  if (!m) return undefined;
  const flavour = m[3] ? 'rt-amd64' : 'cloud-amd64';
  return new RegExp(`^linux-image-${m[1]}\\.${m[2]}\\.[0-9][^ ]*-${flavour}$`);
}

function run(cmd: string, args: string[], cwd?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ok: !r.error && r.status === 0, out: r.stdout ?? '', err: (r.error?.message ?? r.stderr ?? '').trim() };
}

/** The newest package of a version spec in the apt lists (`apt-get update` first when none is found). */
export function newestPackage(spec: string): string {
  const pattern = packagePattern(spec);
  if (!pattern) return spec;
  const search = () => run('apt-cache', ['search', '--names-only', `^linux-image-${spec.replace(/-rt$/, '').replace('.', '\\.')}\\.`]);
  let found = search();
  if (!found.ok) throw new UsageError(`--kernel ${spec}: apt-cache is not available (${found.err}); pass --kernel /path/to/vmlinuz (with its config-<release> beside it)`);
  let names = found.out.split('\n').map((l) => l.split(' ')[0]).filter((n) => pattern.test(n));
  // empty apt lists (a fresh container): update them once, when we may
  if (names.length === 0 && process.getuid?.() === 0 && run('apt-get', ['update']).ok) {
    found = search();
    names = found.out.split('\n').map((l) => l.split(' ')[0]).filter((n) => pattern.test(n));
  }
  if (names.length === 0) throw new UsageError(`--kernel ${spec}: no package matching ${pattern.source} in the apt lists (run apt-get update, or pass a package name or a vmlinuz path)`);
  // newest by Debian version order (dpkg --compare-versions), on the version inside the name
  return names.reduce((best, n) => (run('dpkg', ['--compare-versions', n.replace(/^linux-image-/, ''), 'gt', best.replace(/^linux-image-/, '')]).ok ? n : best));
}

/**
 * The kernel for `spec`: a path to a vmlinuz (its config beside it), or a version / package name
 * fetched into the cache when missing. Errors name what is missing and what to do instead.
 */
export function fetchKernel(spec: string, cacheDir = kernelCacheDir(), log: (line: string) => void = () => {}): KernelPackage {
  if (spec.includes('/')) return fromPath(spec);
  let pkg: string;
  try {
    pkg = newestPackage(spec);
  } catch (e) {
    // no apt lists or no apt here: a kernel of this spec already in the cache still serves
    const cached = newestCached(spec, cacheDir);
    if (!cached) throw e;
    pkg = cached;
  }
  const dir = join(cacheDir, pkg);
  if (!existsSync(join(dir, 'boot'))) {
    if (!run('apt-get', ['--version']).ok) throw new UsageError(`--kernel ${spec}: apt-get is not available; install ${pkg} elsewhere and pass --kernel /path/to/vmlinuz`);
    log(`calibrate: fetching ${pkg} (apt-get download, dpkg -x into ${cacheDir})`);
    const tmp = `${dir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const dl = run('apt-get', ['download', pkg], tmp);
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!dl.ok || !deb) {
      rmSync(tmp, { recursive: true, force: true });
      const cached = newestCached(spec, cacheDir); // offline: an older kernel of the spec still serves
      if (cached) return { package: cached, ...fromBoot(join(cacheDir, cached, 'boot'), spec) };
      throw new UsageError(`--kernel ${spec}: apt-get download ${pkg} failed: ${dl.err.split('\n').slice(-2).join(' ')}`);
    }
    const x = run('dpkg', ['-x', deb, '.'], tmp);
    if (!x.ok) {
      rmSync(tmp, { recursive: true, force: true });
      throw new UsageError(`--kernel ${spec}: dpkg -x ${deb} failed: ${x.err}`);
    }
    rmSync(join(tmp, deb));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir); // all or nothing: a half-unpacked kernel never sits in the cache
  }
  return { package: pkg, ...fromBoot(join(dir, 'boot'), spec) };
}

/** The newest package of `spec` already unpacked in the cache (by Debian version order), if any. */
function newestCached(spec: string, cacheDir: string): string | undefined {
  const pattern = packagePattern(spec);
  let names: string[];
  try {
    names = readdirSync(cacheDir).filter((n) => (pattern ? pattern.test(n) : n === spec) && existsSync(join(cacheDir, n, 'boot')));
  } catch {
    return undefined;
  }
  if (names.length === 0) return undefined;
  return names.reduce((best, n) => (run('dpkg', ['--compare-versions', n.replace(/^linux-image-/, ''), 'gt', best.replace(/^linux-image-/, '')]).ok ? n : best));
}

function fromBoot(boot: string, spec: string): Omit<KernelPackage, 'package'> {
  const v = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  if (!v) throw new UsageError(`--kernel ${spec}: no vmlinuz-* in ${boot}`);
  const release = v.slice('vmlinuz-'.length);
  const config = join(boot, `config-${release}`);
  if (!existsSync(config)) throw new UsageError(`--kernel ${spec}: no config-${release} beside ${join(boot, v)}`);
  return { release, vmlinuz: join(boot, v), config };
}

function fromPath(path: string): KernelPackage {
  if (!existsSync(path)) throw new UsageError(`--kernel ${path}: no such file`);
  const base = path.split('/').pop()!;
  const release = base.startsWith('vmlinuz-') ? base.slice('vmlinuz-'.length) : '';
  const config = join(path, '..', `config-${release}`);
  if (!release || !existsSync(config)) throw new UsageError(`--kernel ${path}: expected a vmlinuz-<release> with its config-<release> beside it`);
  return { release, vmlinuz: path, config };
}

/** The config facts of a fetched kernel. */
export function kernelFacts(k: KernelPackage): KernelConfigFacts {
  return parseKernelConfig(readFileSync(k.config, 'utf8'));
}
