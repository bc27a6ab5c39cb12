// Case g (probe/case_guest.c): its lines parse into GuestCases, on a run recorded on this host, and the
// model of the measured kernel is put beside each (src/calibrate/guest-compare.ts); ~1.5 s.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput, ProbeOutputError } from '../src/calibrate/parse.ts';
import { guestCases, type GuestCase } from '../src/calibrate/guest.ts';
import { compareGuest, guestScenario, labKernel, mglruFromCases, type GuestFacts } from '../src/calibrate/guest-compare.ts';
import { outcomesOnly } from '../src/calibrate/untimed.ts';
import type { Comparison } from '../src/calibrate/compare.ts';

const FIXTURE = new URL('./fixtures/probe-guest-6.18-hz250.jsonl', import.meta.url);
const text = readFileSync(FIXTURE, 'utf8');

describe('case g lines', () => {
  it('parse into one GuestCase per line, with the drain targets from the trace', () => {
    const run = parseProbeOutput(text, 'probe-guest fixture');
    const cases = guestCases(run);
    expect(cases.length).toBe(run.guests.length);
    expect(new Set(cases.map((c) => c.test))).toEqual(new Set(['park', 'fill', 'reread', 'pin', 'concurrent']));
    const remote = cases.find((c) => c.id === 'park/remote/rep0')!;
    expect(remote.parkCpus).toEqual([1]);
    expect(remote.targets).toContain(1);
    expect(remote.results).toEqual(['ok']);
    // pages parked on the sealing CPU are drained by the seal's own local drain: no work anywhere
    expect(cases.find((c) => c.id === 'park/seal-cpu/rep0')!.targets).toEqual([]);
    const fills = cases.filter((c) => c.test === 'fill');
    expect(fills.length).toBe(18); // 6 sizes x 3 tries
    expect(fills.every((c) => typeof c.drainedAt === 'number')).toBe(true);
    const pins = cases.filter((c) => c.test === 'pin');
    expect(pins.map((c) => [c.release, c.results[0]])).toEqual([['early', 'ok'], ['before-last', 'ok'], ['after-last', 'EBUSY'], ['after-return', 'EBUSY']]);
  });

  it('a guest line with a bad field is an error naming the line and the field', () => {
    const bad = text.split('\n').map((l) => (l.includes('"id":"park/remote"') ? l.replace('"onLruBefore":', '"onLruBefore":"x","was":') : l)).join('\n');
    expect(() => parseProbeOutput(bad, 'bad')).toThrow(ProbeOutputError);
    expect(() => parseProbeOutput(bad, 'bad')).toThrow(/bad:\d+: bad "guest" line: onLruBefore/);
  });
});

// --- the model beside case g ------------------------------------------------------------------

const HOST: GuestFacts = { kernel: '6.18', hz: 250, mglru: false, timings: false, loaded: true };
const recorded = (): GuestCase[] => guestCases(parseProbeOutput(text, 'probe-guest fixture'));
const row = <T extends { case: string }>(rows: T[], id: string): T => rows.find((r) => r.case.startsWith(id))!;

describe('case g beside the model', () => {
  it('the host run (6.18, PAGEVEC_SIZE 31, no multi-gen LRU) matches the 6.18 model; timing-dependent pins are not compared under TCG', async () => {
    const g = await compareGuest(recorded(), HOST);
    expect(g.rows.map((r) => r.case.replace(/\/rep0.*/, ''))).toEqual([
      'park/remote', 'park/seal-cpu', 'park/all', 'fill/n=14', 'fill/n=15', 'fill/n=16', 'fill/n=30', 'fill/n=31', 'fill/n=32',
      'reread', 'concurrent/sealers=2', 'pin/early', 'pin/before-last', 'pin/after-last', 'pin/after-return',
    ]);
    expect(g.failed).toBe(0);
    expect(g.notCompared).toBe(2);
    expect(row(g.rows, 'pin/after-last').match).toBe('not compared');
    // the fill of 31 pages drains itself at the 31st: nothing parked, so no drain work at all
    expect(row(g.rows, 'fill/n=31')).toMatchObject({ model: { drainedAt: 31, onLruBefore: 31, targets: [] }, kernel: { drainedAt: 31, onLruBefore: 31, targets: [] }, match: 'yes' });
    expect(row(g.rows, 'reread').model.targets).toEqual([1]);
  });

  it('fails the same run against 6.1 (PAGEVEC_SIZE 15): the batch would have drained at 15', async () => {
    const g = await compareGuest(recorded(), { ...HOST, kernel: '6.1' });
    const f16 = row(g.rows, 'fill/n=16');
    expect(f16.match).toBe('no');
    expect(f16.why).toMatch(/batch drained at never, model 15; 0 on LRU, model 15/);
    expect(g.failed).toBe(5); // n = 15, 16, 30, 31, 32
    expect(row(g.rows, 'fill/n=14').match).not.toBe('no');
  });

  it('fails the re-read case against a multi-gen LRU model: the kernel parked the re-read pages in an activate batch', async () => {
    const g = await compareGuest(recorded(), { ...HOST, kernel: '6.12', mglru: true });
    expect(row(g.rows, 'reread')).toMatchObject({ match: 'no', model: { targets: [] }, kernel: { targets: [1] } });
    expect(g.failed).toBe(1);
  });

  it('a constructed mismatch fails: a pin released after the seal returned cannot let it succeed', async () => {
    const cases = recorded().map((c) => (c.release === 'after-return' ? { ...c, results: ['ok' as const] } : c));
    const g = await compareGuest(cases, HOST);
    expect(row(g.rows, 'pin/after-return')).toMatchObject({ match: 'no', why: 'results ok, model EBUSY' });
  });

  it('work on a CPU that held none of the pages is put down to other load only on a loaded host', async () => {
    const loaded = await compareGuest(recorded(), HOST);
    expect(row(loaded.rows, 'fill/n=14')).toMatchObject({ match: 'other load', kernel: { targets: [0, 1] } });
    const quiet = await compareGuest(recorded(), { ...HOST, loaded: false });
    expect(row(quiet.rows, 'fill/n=14').match).toBe('no');
    // and never when a CPU that should have had work got none
    const missing = recorded().map((c) => (c.id === 'park/remote/rep0' ? { ...c, targets: [0] } : c));
    expect(row((await compareGuest(missing, HOST)).rows, 'park/remote').match).toBe('no');
  });

  it('with calibrated timings the seals are held to one jiffy as well', async () => {
    const g = await compareGuest(recorded(), { ...HOST, timings: true });
    expect(g.notCompared).toBe(0);
    expect(row(g.rows, 'park/remote').match).not.toBe('no');
    const slow = recorded().map((c) => (c.id === 'park/remote/rep0' ? { ...c, latencyMs: [c.latencyMs[0] + 5] } : c));
    expect(row((await compareGuest(slow, { ...HOST, timings: true })).rows, 'park/remote').why).toMatch(/tolerance one jiffy, 4 ms/);
  });

  it('builds scenarios of the measured kernel and CPU count (16 CPUs, 6.12 with its multi-gen LRU)', () => {
    const c = recorded().find((x) => x.id === 'concurrent/sealers=2/rep0')!;
    const s = guestScenario({ ...c, cpus: 16, sealCpus: [0, 1, 2, 3], parkCpus: [4, 5, 6, 7], pages: 8 }, { ...HOST, kernel: '6.12', mglru: true });
    expect(s).toMatchObject({ kernel: '6.12', cpus: 16, files: 4, pages: 2, mglru: true });
    expect((s.script as { op: string; cpu: number; file?: number }[]).filter((o) => o.op === 'write').map((o) => [o.cpu, o.file])).toEqual([[4, 0], [5, 1], [6, 2], [7, 3]]);
  });

  it('reads the kernel version and the multi-gen LRU switch', () => {
    expect(labKernel('6.1.0-27-cloud-amd64')).toBe('6.1');
    expect(labKernel('6.12.57+deb13-cloud-amd64')).toBe('6.12');
    expect(labKernel('5.15.0-100-generic')).toBeUndefined();
    const at = (lruGen: string) => mglruFromCases([{ ...recorded()[0], lruGen }]);
    expect([at(''), at('0x0000'), at('0x0007'), at('0x0001\n')]).toEqual([false, false, true, true]);
    expect(mglruFromCases([])).toBeUndefined();
  });
});

describe('a comparison without calibrated timings (TCG)', () => {
  it('judges drain rows on their result and lists re-check and walk rows as not compared', () => {
    const base = { unit: 'ms' as const, measuredMs: 1, predictedMs: 9, errorMs: 8, toleranceMs: 4, resultChecked: true, pass: false };
    const c: Comparison = {
      schema: 'drainlab/calibration-compare@1', kernel: '6.1.0', hz: 250, passed: 0, failed: 4,
      rows: [
        { ...base, case: 'a/d=10/rep0', kind: 'recheck', measuredResult: 'ok', predictedResult: 'ok' },
        { ...base, case: 'b/idle/rep0', kind: 'drain', measuredResult: 'ok', predictedResult: 'ok' },
        { ...base, case: 'b/idle/rep1', kind: 'drain', measuredResult: 'EBUSY', predictedResult: 'ok' },
        { ...base, case: 'c/pages=1024', kind: 'walk', measuredResult: 'ok', predictedResult: 'ok' },
      ],
    };
    const u = outcomesOnly(c);
    expect(u.rows.map((r) => [r.compared, r.pass])).toEqual([[false, false], [true, true], [true, false], [false, false]]);
    expect([u.passed, u.failed, u.notCompared]).toEqual([1, 1, 2]);
  });
});

describe('validate --calibration with case g', () => {
  it('prints the case g table and, for a TCG calibration, the one line that says what is compared', async () => {
    const { buildCalibration } = await import('../src/calibrate/index.ts');
    const { writeCalibration } = await import('../src/calibrate/file.ts');
    const { validateCommand } = await import('../src/cli/validate.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-guest-'));
    try {
      const file = await buildCalibration(parseProbeOutput(text, 'probe-guest fixture'));
      expect(file.guestCases?.length).toBe(27);
      const path = join(dir, 'tcg.json');
      writeCalibration(path, { ...file, timingsCalibrated: false });
      const lines: string[] = [];
      const code = await validateCommand({ calibration: path }, (s) => lines.push(s));
      const outText = lines.join('\n');
      expect(outText).toContain('timings not calibrated (TCG guest): comparing outcomes, drain targets and fill behaviour only');
      expect(outText).toMatch(/case g \(6\.18, 2 CPUs, HZ=250, PAGEVEC_SIZE 31, multi-gen LRU off\)/);
      expect(outText).toMatch(/case\s+model\s+kernel\s+match/);
      expect(outText).toContain('case g: 13 matched, 0 did not, 2 not compared');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cases a and b of a guest', () => {
  it('are modelled as the measured kernel (6.1 as 6.1), a version the lab lacks as 6.18', async () => {
    const { compareCases } = await import('../src/calibrate/compare.ts');
    const c = { id: 'b/idle/rep0', kind: 'drain' as const, pages: 8, latencyMs: 0.05, result: 'ok' as const, cpuClass: 'idle' as const, parked: true };
    const seen: string[] = [];
    const stub = async (s: { kernel: string }) => (seen.push(s.kernel), { latencyMs: 0.05, result: 'ok' as const });
    for (const kernel of ['6.1.0-57-cloud-amd64', '6.12.117+deb12-cloud-amd64', '5.15.0-1-generic']) await compareCases([c], stub, { kernel, hz: 250 });
    expect(seen).toEqual(['6.1', '6.12', '6.18']);
  });
});

// Case g of real Debian 6.1 and 6.12 kernels booted with 16 vCPUs under TCG (drainlab calibrate
// --kernel 6.1|6.12 --cpus 16 --accel tcg), kept from their calibration files.
const guestFixture = (name: string): { host: { kernel: string; hz: number }; guestCases: GuestCase[] } =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const TCG = (kernel: GuestFacts['kernel'], mglru: boolean): GuestFacts => ({ kernel, hz: 250, mglru, timings: false, loaded: false });

describe('case g of real 6.1 and 6.12 guests (16 vCPUs, TCG)', () => {
  it('6.1 matches its model in every compared row: 15-page batches, the activate batch, 16 CPUs of targets', async () => {
    const f = guestFixture('guest-cases-6.1-16cpu-tcg.json');
    expect(labKernel(f.host.kernel)).toBe('6.1');
    expect(mglruFromCases(f.guestCases)).toBe(false);
    const g = await compareGuest(f.guestCases, TCG('6.1', false));
    expect([g.passed, g.failed, g.notCompared]).toEqual([14, 0, 2]);
    expect(row(g.rows, 'park/all').kernel.targets).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(row(g.rows, 'fill/n=16').kernel).toMatchObject({ drainedAt: 15, onLruBefore: 15, targets: [1] });
    expect(row(g.rows, 'concurrent/sealers=4').kernel.targets).toEqual([4, 5, 6, 7]);
    // the same kernel judged as 6.12 with its multi-gen LRU: the fills and the re-read fail
    const wrong = await compareGuest(f.guestCases, TCG('6.12', true));
    expect(wrong.rows.filter((r) => r.match === 'no').map((r) => r.case.replace(/\/rep0.*/, ''))).toEqual(
      ['fill/n=15', 'fill/n=16', 'fill/n=30', 'fill/n=31', 'fill/n=32', 'reread']);
  });

  it('6.12 matches its model with the multi-gen LRU on (the re-read parks nothing), and fails it with the LRU off', async () => {
    const f = guestFixture('guest-cases-6.12-16cpu-tcg.json');
    expect(labKernel(f.host.kernel)).toBe('6.12');
    expect(mglruFromCases(f.guestCases)).toBe(true);
    const g = await compareGuest(f.guestCases, TCG('6.12', true));
    expect([g.passed, g.failed, g.notCompared]).toEqual([14, 0, 2]);
    expect(row(g.rows, 'fill/n=31').kernel).toMatchObject({ drainedAt: 31, onLruBefore: 31, targets: [] });
    expect(row(g.rows, 'reread').kernel.targets).toEqual([]);
    const off = await compareGuest(f.guestCases, TCG('6.12', false));
    expect(off.rows.filter((r) => r.match === 'no').map((r) => r.case)).toEqual(['reread/rep0']);
  });
});

describe('a pin case parks no pages', () => {
  it('so drain work during its seal is shown as other tasks\' (6.12 under TCG once drained CPU 2 there), never failed on its own', async () => {
    const f = guestFixture('guest-cases-6.12-16cpu-tcg.json');
    const cases = f.guestCases.map((c) => (c.id === 'pin/early/rep0' ? { ...c, targets: [2] } : c));
    const g = await compareGuest(cases, TCG('6.12', true));
    expect(row(g.rows, 'pin/early')).toMatchObject({ match: 'other load', why: expect.stringMatching(/parks no pages/) });
    // its outcome still counts
    const flipped = cases.map((c) => (c.id === 'pin/early/rep0' ? { ...c, results: ['EBUSY' as const] } : c));
    expect(row((await compareGuest(flipped, TCG('6.12', true))).rows, 'pin/early').match).toBe('no');
  });
});
