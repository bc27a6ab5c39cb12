// Malformed scenarios give exit code 2, name the field and the allowed values, and write nothing;
// a fast-check fuzz of generated bad files finds no crash and no other exit code.
import { describe, expect, it } from 'vitest';
import { writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { main } from '../src/cli/main.ts';
import { captureCli } from './support/cli-capture.ts';

const cap = captureCli('drainlab-bad-');
const dir = cap.dir;

async function runBad(content: string): Promise<{ code: number; err: string; wrote: boolean }> {
  const file = join(dir, 'scenario.json');
  const out = join(dir, 'out.json');
  writeFileSync(file, content);
  cap.err = '';
  const code = await main(['run', '--scenario', file, '--json', '--out', out]);
  const wrote = existsSync(out);
  rmSync(out, { force: true });
  return { code, err: cap.err, wrote };
}

const good = { cpus: 4, pages: 8, script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 5, op: 'seal' }] };
const cases: [string, unknown, RegExp][] = [
  ['wrong type', { ...good, cpus: 'four' }, /^  cpus: an integer in 1\.\.8192$/m],
  ['cpus out of range', { ...good, cpus: 9000 }, /^  cpus: allowed: 1\.\.8192$/m],
  ['unknown op', { ...good, script: [{ atMs: 0, op: 'explode' }] }, /script\[0\]\.op: unknown op; allowed: write, fault, unmap/],
  ['cpu out of range', { ...good, script: [{ atMs: 0, cpu: 7, op: 'drain' }] }, /script\[0\]\.cpu: got 7; allowed: 0\.\.3/],
  ['page out of range', { ...good, script: [{ atMs: 0, op: 'write', pages: '0-99' }] }, /script\[0\]\.pages: got "0-99"; allowed: .*pages 0\.\.7/],
  ['bad CPU list', { ...good, cpuClasses: [{ cpus: '1-x', class: 'rt' }] }, /cpuClasses\[0\]\.cpus: got "1-x"; allowed: a CPU list/],
  ['bad class', { ...good, cpuClasses: [{ cpus: '1', class: 'fifo' }] }, /cpuClasses\[0\]\.class: Invalid option: expected one of "idle"\|"busy"\|"rt"\|"isolated"/],
  ['unknown field', { ...good, cpuz: 4 }, /unknown field\(s\) "cpuz" in the scenario; allowed: .*cpus/],
  ['bad kernel', { ...good, kernel: '5.4' }, /kernel: Invalid option: expected one of "4\.14"\|"4\.16"\|"5\.10"\|"6\.1"\|"6\.9"\|"6\.12"\|"6\.18"/],
  ['bad strategy', { ...good, strategies: ['v9'] }, /strategies\[0\]: unknown strategy "v9"; allowed: v4\.14, no-drain/],
  ['too large', { ...good, pages: 1 << 30, cpus: 1024 }, /at most \d+ pages per file fit with 1024 CPUs/],
];

describe('bad scenarios', () => {
  for (const [what, scenario, message] of cases) {
    it(`${what}: exit 2, names the field, writes nothing`, async () => {
      const r = await runBad(JSON.stringify(scenario));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.wrote).toBe(false);
    });
  }

  it('an unreadable file and a non-JSON file are exit 2', async () => {
    cap.err = '';
    expect(await main(['run', '--scenario', join(dir, 'missing.json')])).toBe(2);
    expect(cap.err).toMatch(/cannot read .*missing\.json/);
    expect((await runBad('{ not json')).code).toBe(2);
  });

  it('the good scenario runs (exit 0) and writes its record', async () => {
    writeFileSync(join(dir, 'good.json'), JSON.stringify(good));
    expect(await main(['run', '--scenario', join(dir, 'good.json'), '--json', '--out', join(dir, 'good-out.json')])).toBe(0);
    expect(existsSync(join(dir, 'good-out.json'))).toBe(true);
  });

  it('fuzz: 1,000 generated bad files give exit 2, never a crash', async () => {
    const mutant = fc.oneof(
      fc.jsonValue(),
      fc.record({ cpus: fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.string(), fc.constant(null)), pages: fc.oneof(fc.integer({ min: -5, max: 4096 }), fc.constant(2 ** 31), fc.double()) }, { requiredKeys: [] }),
      fc.record({
        cpus: fc.constant(4),
        pages: fc.constant(8),
        script: fc.array(fc.record({ atMs: fc.oneof(fc.double(), fc.string()), cpu: fc.integer({ min: -2, max: 9 }), op: fc.constantFrom('write', 'seal', 'pin', 'bogus', 'cpuClass'), pages: fc.oneof(fc.string(), fc.integer({ min: -3, max: 40 }), fc.array(fc.integer({ min: -1, max: 20 }))), class: fc.string() }, { requiredKeys: ['op'] }), { minLength: 1, maxLength: 3 }),
      }),
      fc.string().map((s) => `{"cpus": ${s}`),
    );
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(mutant, async (v) => {
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        const r = await runBad(text);
        if (r.code === 0) return true; // a mutant can be valid by chance; a crash cannot hide here
        checked++;
        expect(r.code).toBe(2);
        expect(r.err).not.toMatch(/internal error/);
        expect(r.wrote).toBe(false);
        return true;
      }),
      { numRuns: 1200, seed: 42 },
    );
    expect(checked).toBeGreaterThanOrEqual(1000);
  });

  it('end to end: the real binary exits 2 on a bad file', () => {
    const file = join(dir, 'e2e.json');
    writeFileSync(file, JSON.stringify({ cpus: 0 }));
    let code = 0;
    try {
      execFileSync(process.execPath, ['bin/drainlab.js', 'run', '--scenario', file], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});
