// The calibration file: built from the recorded run, written and read back, costs only under the
// model's names, and a clear error for a file that is not one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCalibration, calibrate } from '../src/calibrate/index.ts';
import { readCalibration } from '../src/calibrate/file.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { COST_NAMES } from '../src/kernel/costs.ts';
import { fixtureText } from './support/calibrate-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'drainlab-calfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('calibration file', () => {
  it('holds host, fitted costs, every case and notes', async () => {
    const run = parseProbeOutput(fixtureText());
    const f = await buildCalibration(run, {}, null);
    expect(f.schema).toBe('drainlab/calibration@1');
    expect(f.host).toMatchObject({ kernel: run.meta.release, hz: 250, cpus: 2 });
    expect(f.measuredAt).toBe(new Date(run.meta.startedAtUnixMs).toISOString());
    for (const k of Object.keys(f.costs)) expect(COST_NAMES).toContain(k);
    expect(f.cases.length).toBeGreaterThan(100);
    expect(f.probe.complete).toBe(true);
    expect(f.comparison).toBeUndefined(); // no predictor given
  });

  it('round-trips through calibrate --out and readCalibration', async () => {
    const out = join(dir, 'cal.json');
    const r = await calibrate({ recorded: fixtureText(), out });
    expect(r.status).toBe('measured');
    const back = readCalibration(out);
    if (r.status === 'measured') expect(back).toEqual(JSON.parse(JSON.stringify(r.file)));
  });

  it('a file that is not a calibration names the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'drainlab/run@1' }));
    expect(() => readCalibration(bad)).toThrow(/calibration .*bad\.json: schema: /);
    writeFileSync(bad, JSON.stringify({ schema: 'drainlab/calibration@1', host: { kernel: 'k', hz: 250, cpus: 2, model: 'm' }, measuredAt: 'x', costs: { tagWalkNs: 1 }, cases: [], notes: [] }));
    expect(() => readCalibration(bad)).toThrow(/costs: /);
  });
});
