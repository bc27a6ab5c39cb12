// Debian kernel packages for guest calibration: the config facts the model needs, read from the
// real configs of Debian's 6.1 and 6.12 cloud images (fixtures), and the package choice.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fetchKernel, kernelFacts, packagePattern, parseKernelConfig, scenarioFieldsFromConfig } from '../src/calibrate/kernel-package.ts';

const fixture = (v: string) => readFileSync(new URL(`./fixtures/kernel-config-${v}-cloud.txt`, import.meta.url), 'utf8');

describe('kernel config facts', () => {
  it("Debian's 6.1: HZ 250, voluntary (dynamic), the multi-gen LRU built but off", () => {
    const f = parseKernelConfig(fixture('6.1'));
    expect(f).toEqual({ hz: 250, preempt: 'voluntary', preemptDynamic: true, lruGen: true, lruGenEnabled: false, rtGroupSched: false });
    expect(scenarioFieldsFromConfig(f)).toEqual({ mglru: false, preempt: 'voluntary', hz: 250 });
  });
  it("Debian's 6.12: the multi-gen LRU on by default (mglru: true)", () => {
    const f = parseKernelConfig(fixture('6.12'));
    expect(f).toMatchObject({ hz: 250, preempt: 'voluntary', lruGen: true, lruGenEnabled: true });
    expect(scenarioFieldsFromConfig(f).mglru).toBe(true);
  });
  it('reads PREEMPT_RT and full preemption, and "is not set" as off', () => {
    expect(parseKernelConfig('CONFIG_PREEMPT_RT=y\nCONFIG_HZ=1000\n').preempt).toBe('rt');
    expect(parseKernelConfig('CONFIG_PREEMPT=y\n# CONFIG_PREEMPT_RT is not set\n').preempt).toBe('full');
    expect(parseKernelConfig('# CONFIG_LRU_GEN_ENABLED is not set\nCONFIG_LRU_GEN=y\n')).toMatchObject({ lruGen: true, lruGenEnabled: false, hz: null, preempt: null });
  });
});

describe('kernel specs', () => {
  it('a version picks the cloud image, -rt the PREEMPT_RT one; a name is taken as it is', () => {
    expect(packagePattern('6.12')!.test('linux-image-6.12.117+deb12-cloud-amd64')).toBe(true);
    expect(packagePattern('6.12')!.test('linux-image-6.12.117+deb12-amd64')).toBe(false);
    expect(packagePattern('6.1')!.test('linux-image-6.12.117+deb12-cloud-amd64')).toBe(false);
    expect(packagePattern('6.1-rt')!.test('linux-image-6.1.0-50-rt-amd64')).toBe(true);
    expect(packagePattern('linux-image-6.1.0-50-cloud-amd64')).toBeUndefined();
  });
  it('a path without its config beside it is a usage error naming what is expected', () => {
    expect(() => fetchKernel('/nonexistent/vmlinuz-6.1')).toThrow(/no such file/);
    expect(() => fetchKernel(new URL('./fixtures/kernel-config-6.1-cloud.txt', import.meta.url).pathname)).toThrow(/vmlinuz-<release> with its config-<release> beside it/);
  });
  // Downloads ~27-35 MB per kernel: run with DRAINLAB_KERNEL_FETCH=1 (not in the default suite).
  it.skipIf(!process.env.DRAINLAB_KERNEL_FETCH)('fetches 6.1 and 6.12 with apt-get download + dpkg -x into the cache (DRAINLAB_KERNEL_FETCH=1)', () => {
    for (const [spec, mglru] of [['6.1', false], ['6.12', true]] as const) {
      const k = fetchKernel(spec);
      expect(k.release.startsWith(spec)).toBe(true);
      expect(scenarioFieldsFromConfig(kernelFacts(k)).mglru).toBe(mglru);
    }
  }, 600_000);
});
