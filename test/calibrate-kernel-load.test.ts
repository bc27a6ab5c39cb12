// A calibration measured on one kernel version is refused for a scenario of another (unless
// --force-calibration, which warns), and a probe run on a loaded host is said so in plain words.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { calibrate, hostLoad, loadedHostLine } from '../src/calibrate/index.ts';
import { hostLoadSummary } from '../src/calibrate/fit.ts';
import { hostVerdict } from '../src/io/host-load.ts';
import { calibrationKernelMismatch, calibrationKernelVersion } from '../src/calibrate/file.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { main } from '../src/cli/main.ts';
import { fixtureText } from './support/calibrate-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'drainlab-calkernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('calibration kernel version', () => {
  it('maps a release to the lab version and names a mismatch', () => {
    expect(calibrationKernelVersion('6.18.44-fc-v669')).toBe('6.18');
    expect(calibrationKernelVersion('6.1.0-28-cloud-amd64')).toBe('6.1');
    expect(calibrationKernelMismatch('6.18.44-fc-v669', '6.18')).toBeUndefined();
    expect(calibrationKernelMismatch('6.18.44-fc-v669', '4.14')).toMatch(/measured on kernel 6\.18\.44-fc-v669 \(6\.18\) and the scenario is kernel 4\.14/);
  });

  it('run refuses another version (exit 2, nothing written) and applies it with --force-calibration and a warning', async () => {
    const cal = join(dir, 'cal.json');
    const r = await calibrate({ recorded: fixtureText(), out: cal });
    expect(r.status).toBe('measured');
    const out = join(dir, 'run.json');
    expect(await main(['run', '--preset', 'fuse-selftest', '--calibration', cal, '--workers', '1', '--json', '--out', out])).toBe(2);
    expect(() => readFileSync(out)).toThrow();
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', '--preset', 'fuse-selftest', '--calibration', cal, '--force-calibration', '--workers', '1', '--json', '--out', out])).toBe(0);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/warning: --calibration: .*scenario is kernel 4\.14.*--force-calibration/);
    } finally {
      err.mockRestore();
      stdout.mockRestore();
    }
    // the same calibration on a 6.18 scenario: no refusal
    const sc = join(dir, 's.json');
    writeFileSync(sc, JSON.stringify({ kernel: '6.18', cpus: 2, pages: 4, script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 5, cpu: 0, op: 'seal' }] }));
    const o2 = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', '--scenario', sc, '--calibration', cal, '--workers', '1'])).toBe(0);
    } finally {
      o2.mockRestore();
    }
  });
});

describe('loaded host', () => {
  it('is recorded in the file and printed as one plain line', async () => {
    const loaded = fixtureText().replace(/"loadAvg1":[0-9.]+/g, '"loadAvg1":4.1');
    const idle = fixtureText().replace(/"loadAvg1":[0-9.]+/g, '"loadAvg1":0.2');
    // a recorded run (no meter): judged by the load average at the probe's start, before its threads
    expect(hostLoad(parseProbeOutput(loaded))).toEqual({
      loadAvg1: [4.1, 4.1], cpus: 2, loaded: true, othersCpus: null, loadBefore: 4.1, stealPct: null, why: ['load average 4.10 before the run, on 2 CPUs'],
    });
    expect(hostLoad(parseProbeOutput(idle)).loaded).toBe(false);
    expect(loadedHostLine(hostLoad(parseProbeOutput(loaded)))).toMatch(/^LOADED HOST while the probe ran: load average 4\.10 before the run, on 2 CPUs: wake-ups are late/);
    const r = await calibrate({ recorded: loaded });
    expect(r.status === 'measured' && r.file.load?.loaded).toBe(true);
  });

  it("judges other processes' CPU, not the probe's own threads (the verdict fails both ways)", () => {
    const run = parseProbeOutput(fixtureText().replace(/"loadAvg1":[0-9.]+/g, '"loadAvg1":0.06'));
    // the lead's quiet-host run: load average 0.06 -> 0.81, all of it the probe's spinners (0.78 CPUs
    // of the probe and calibrate, 0.40 of the 2 CPUs busy): not loaded
    const quiet = hostLoad(run, hostVerdict({ cpus: 2, loadBefore: 0.06, loadDuringMax: 0.81, busyShare: 0.4, stealShare: 0.002, selfCpus: 0.78 }));
    expect(quiet).toMatchObject({ loaded: false, othersCpus: 0.02, why: [] });
    expect(hostLoadSummary(quiet)).toMatch(/^host while the probe ran: other processes used 0\.02 of 2 CPUs, load average 0\.06 before, steal 0\.2 % \(quiet/);
    // the same probe with another process spinning a CPU beside it: loaded, and said so in those words
    const busy = hostLoad(run, hostVerdict({ cpus: 2, loadBefore: 0.06, loadDuringMax: 1.9, busyShare: 0.9, stealShare: 0.002, selfCpus: 0.78 }));
    expect(busy).toMatchObject({ loaded: true, othersCpus: 1.02 });
    expect(loadedHostLine(busy)).toMatch(/^LOADED HOST while the probe ran: other processes used 1\.02 of 2 CPUs during the run: wake-ups are late/);
    // the boundary: a quarter of the CPUs is still quiet, just over it is loaded
    const at = (busyShare: number) => hostVerdict({ cpus: 2, loadBefore: 0, loadDuringMax: 0, busyShare, stealShare: 0, selfCpus: 0.5 }).noisy;
    expect(at(0.5)).toBe(false); // others 0.50 = 2/4
    expect(at(0.51)).toBe(true); // others 0.52
  });

  it('reads a file written before the meter (loadAvg1 only) and words its line as what it is', () => {
    const old = { loadAvg1: [0.06, 0.81], cpus: 2, loaded: true };
    expect(loadedHostLine(old)).toMatch(/^LOADED HOST: load average 0\.06 -> 0\.81 on 2 CPUs while the probe ran \(the probe's own threads included; this file predates/);
    expect(hostLoadSummary(old)).toBeUndefined();
  });

  it('validate --calibration prints it above the comparison', async () => {
    const cal = join(dir, 'loaded.json');
    await calibrate({ recorded: fixtureText().replace(/"loadAvg1":[0-9.]+/g, '"loadAvg1":4.1'), out: cal });
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    try {
      await main(['validate', '--calibration', cal]);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('')).toMatch(/\nLOADED HOST while the probe ran: load average 4\.10 before the run, on 2 CPUs/);
  });
});
