// The QEMU path's pure parts: the serial framing (robust to kernel messages interleaved on the
// port), the console's signs of a dying guest, the accelerator plan, QEMU's command line, and the
// CLI's bad input (exit 2 naming the flag and the allowed values). No guest is booted here.
import { describe, expect, it } from 'vitest';
import { activePreempt, consoleTrouble, parseFramed, readGuestOutput, rtRuntimeShareFromFeatures, GUEST_PREFIX } from '../src/calibrate/serial.ts';
import { accelPlan, guestMemoryMb, qemuArgs } from '../src/calibrate/qemu.ts';
import { checkGuestCpus, checkKernelSpec, guestProbeArgs } from '../src/calibrate/guest-boot.ts';
import { main } from '../src/cli/main.ts';
import { captureCli } from './support/cli-capture.ts';

const cap = captureCli('drainlab-guest-cli-');

const frame = (json: string) => `${GUEST_PREFIX}${Buffer.byteLength(json)} ${json}`;

describe('serial framing', () => {
  it('keeps well-framed lines and drops cut or interleaved ones, counting them', () => {
    const a = '{"kind":"meta","x":1}';
    const b = '{"kind":"drain","case":"b"}';
    const text = [
      '[    1.0] Run /init as init process',
      frame(a) + '\r',
      // a kernel message landed inside the line: the length no longer matches
      `${GUEST_PREFIX}${Buffer.byteLength(b)} {"kind":"dr[    2.1] sched: RT throttling activated`,
      'ain","case":"b"}',
      // a kernel message before the prefix on the same line: the frame is still whole
      `[    3.0] random: crng init done${frame(b)}`,
      // a line cut short by a dying guest
      `${GUEST_PREFIX}40 {"kind":"end"`,
      `${GUEST_PREFIX}x {}`,
    ].join('\n');
    const r = parseFramed(text);
    expect(r.json).toEqual([a, b]);
    expect(r.dropped).toBe(3);
  });
  it('counts bytes, not UTF-16 units, and ignores text after the frame', () => {
    const j = '{"kind":"vm","s":"é"}';
    expect(parseFramed(`${frame(j)}[ 9.9] trailing kernel text`).json).toEqual([j]);
    expect(parseFramed(`${GUEST_PREFIX}${j.length} ${j}`).dropped).toBe(1); // é is two bytes
  });
  it("splits the guest's own lines from the probe's and sees the end marker", () => {
    const start = JSON.stringify({ kind: 'vm', phase: 'start', release: '6.1.0-57-cloud-amd64', version: '#1', machine: 'x86_64', cpusOnline: 8, cpusConf: 8, memKb: 1, cmdline: '', schedFeatures: 'NO_RT_RUNTIME_SHARE', preemptDynamic: 'none (voluntary) full', rtRuntimeUs: 950000, rtPeriodUs: 1000000, lruGenEnabled: '0x0000', port: 'ttyS1', uptimeMs: 4000 });
    const g = readGuestOutput([start, '{"kind":"meta"}', '{"kind":"vm","phase":"probe-exit","code":0,"signal":0,"elapsedMs":5}'].map(frame).join('\n'));
    expect(g.start?.cpusOnline).toBe(8);
    expect(g.probeText).toBe('{"kind":"meta"}\n');
    expect(g.probeExit?.code).toBe(0);
    expect(g.done).toBe(false);
    expect(readGuestOutput(frame('{"kind":"vm","phase":"done","uptimeMs":9}')).done).toBe(true);
  });
});

describe("the guest's console and config", () => {
  it('finds the first sign of a dying kernel, without its timestamp', () => {
    const con = '[ 1.0] ok\n[   61.234567] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n[ 61.3] Kernel panic - not syncing: Fatal exception\n';
    expect(consoleTrouble(con)).toBe('Oops: int3: 0000 [#1] PREEMPT SMP NOPTI');
    expect(consoleTrouble('[ 1.0] Run /init as init process\nreboot: Power down\n')).toBeUndefined();
  });
  it('reads RT_RUNTIME_SHARE and the active preemption model', () => {
    expect(rtRuntimeShareFromFeatures('WA_BIAS NO_RT_RUNTIME_SHARE NO_LB_MIN')).toBe(false);
    expect(rtRuntimeShareFromFeatures('RT_PUSH_IPI RT_RUNTIME_SHARE')).toBe(true);
    expect(rtRuntimeShareFromFeatures('')).toBeUndefined();
    expect(activePreempt('none (voluntary) full ')).toBe('voluntary');
    expect(activePreempt('')).toBeUndefined();
  });
});

describe('accelerators and the QEMU command line', () => {
  it('KVM first only when usable, then multi-threaded TCG twice, then single-threaded', () => {
    expect(accelPlan('auto', { ok: true })).toEqual(['kvm', 'tcg-multi', 'tcg-multi', 'tcg-single']);
    expect(accelPlan('auto', { ok: false, reason: 'x' })).toEqual(['tcg-multi', 'tcg-multi', 'tcg-single']);
    expect(accelPlan('tcg', { ok: true })).toEqual(['tcg-multi', 'tcg-multi', 'tcg-single']);
    expect(() => accelPlan('kvm', { ok: false, reason: '/dev/kvm does not exist' })).toThrow(/--accel kvm: KVM is not usable here \(\/dev\/kvm does not exist\); allowed: auto, kvm, tcg/);
  });
  it('two serial ports (console, data), no reboot, the vCPUs and accelerator asked for', () => {
    const a = qemuArgs({ kernel: '/k/vmlinuz', initrd: '/t/i.cpio', cpus: 16, memMb: guestMemoryMb(16), accel: 'tcg-multi', consolePath: '/t/c.log', dataPath: '/t/d.log' });
    const at = (flag: string) => a[a.indexOf(flag) + 1];
    expect(at('-smp')).toBe('16');
    expect(at('-accel')).toBe('tcg,thread=multi');
    expect(at('-cpu')).toBe('max');
    expect(a).toContain('-no-reboot');
    expect(a.filter((x) => x === '-serial')).toHaveLength(2);
    expect(at('-append')).toMatch(/console=ttyS0.*panic=-1.*oops=panic/);
    expect(qemuArgs({ kernel: 'k', initrd: 'i', cpus: 2, memMb: 512, accel: 'tcg-single', consolePath: 'c', dataPath: 'd' })).toContain('tcg,thread=single');
    expect(qemuArgs({ kernel: 'k', initrd: 'i', cpus: 2, memMb: 512, accel: 'kvm', consolePath: 'c', dataPath: 'd' }).join(' ')).toContain('-accel kvm -cpu host');
  });
  it('the guest probe runs quick cases a, b, d and the guest suite g under TCG (c, the tag walk, is timing only)', () => {
    expect(guestProbeArgs({ budgetMs: 60000, timings: false })).toEqual(['--quick', '--cases', 'a,b,d', '--guest-cases', '--budget-ms', '60000']);
    expect(guestProbeArgs({ budgetMs: 30000, timings: true, quick: false })).toEqual(['--cases', 'a,b,c,d', '--guest-cases', '--budget-ms', '30000']);
  });
});

describe('calibrate --kernel bad input', () => {
  it('SPEC and --cpus checks name the allowed values', () => {
    expect(() => checkKernelSpec('latest')).toThrow(/--kernel: got "latest"; allowed: a Debian kernel version \(6\.1, 6\.12, 6\.12-rt\)/);
    expect(checkKernelSpec('6.12-rt')).toBe('6.12-rt');
    expect(checkKernelSpec('linux-image-6.1.0-57-cloud-amd64')).toBe('linux-image-6.1.0-57-cloud-amd64');
    expect(() => checkGuestCpus(1)).toThrow(/--cpus: got 1; allowed: an integer in 2\.\.64/);
    expect(() => checkGuestCpus(65)).toThrow(/2\.\.64/);
  });
  it('exit 2 from the CLI, before anything is fetched or booted', async () => {
    for (const args of [
      ['calibrate', '--kernel', 'latest'],
      ['calibrate', '--kernel', '6.1', '--cpus', '0'],
      ['calibrate', '--kernel', '6.1', '--cpus', '100'],
      ['calibrate', '--cpus', '8'],
      ['calibrate', '--kernel', '6.1', '--accel', 'hvf'],
      ['calibrate', '--kernel', '6.1', '--recorded', 'x.jsonl'],
      ['calibrate', '--kernel', '/nonexistent/vmlinuz-6.1'],
    ]) {
      cap.err = '';
      expect(await main(args), `${args.join(' ')}: ${cap.err}`).toBe(2);
    }
  });
});
