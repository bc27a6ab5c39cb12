// The run's self-check of its load (src/metrics/load.ts): a finite, saturating workload warns on
// cap.err and in the record; a rotating one (fresh pages every write) does not; a scenario that
// states its load changes is measured but not warned about; the warm-up is left out of the figures.
import { describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { captureCli } from './support/cli-capture.ts';
import { changed } from '../src/metrics/load.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved } from '../src/sim/run.ts';
import type { RunRecord } from '../src/metrics/record.ts';

const cap = captureCli('drainlab-load-');
const dir = cap.dir;

/** 16 CPUs write a 256-page log at 1.6 pages/ms in all: every page exists after ~160 ms of 1200. */
const finite = (rotate?: boolean, load?: object) => ({
  name: 'finite log', cpus: 16, files: 2, pages: 256, seed: 3, horizonMs: 1200, strategies: ['v4.14'],
  workload: {
    producers: [{ cpus: 'all', ratePerMs: 0.1, file: 0, ...(rotate === undefined ? {} : { rotate }) }],
    seals: [{ cpus: '0', ratePerMs: 0.02, file: 1 }],
  },
  ...(load ? { load } : {}),
});

async function run(scenario: unknown): Promise<{ code: number; err: string; record: RunRecord }> {
  const file = join(dir, 'scenario.json');
  const out = join(dir, 'out.json');
  writeFileSync(file, JSON.stringify(scenario));
  cap.err = '';
  const code = await main(['run', '--scenario', file, '--json', '--out', out, '--workers', '1']);
  return { code, err: cap.err, record: code === 0 ? JSON.parse(readFileSync(out, 'utf8')) : undefined! };
}

describe('load self-check', () => {
  it('changed(): beyond the factor and beyond counting noise, either way', () => {
    expect(changed(100, 10, 1.5)).toBe(true);
    expect(changed(10, 100, 1.5)).toBe(true);
    expect(changed(100, 90, 1.5)).toBe(false); // within the factor
    expect(changed(12, 4, 1.5)).toBe(false); // 3x, but 8 < 3 sqrt(16): noise
    expect(changed(0, 20, 1.5)).toBe(true);
    expect(changed(0, 0, 1.5)).toBe(false);
  });

  it('a finite, saturating workload warns on cap.err and in the record', async () => {
    const r = await run(finite());
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/drainlab: warning: load not stationary: pages entering pagevecs per CPU fell from [\d.]+ to 0 per 100 ms between the first and the last third of 0\.\.1200 ms/);
    expect(r.record.warnings).toHaveLength(1);
    const load = r.record.runs[0].load!;
    expect(load.warning).toBe(r.record.warnings![0]);
    expect(load.thirds.pvecAdds[0]).toBeGreaterThan(0.5);
    expect(load.thirds.pvecAdds[1]).toBe(0);
    expect(load.windows.pvecAdds).toHaveLength(12);
  });

  it('the same log rotating (a fresh page every write) holds its load: no warning', async () => {
    const r = await run(finite(true));
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/warning/);
    expect(r.record.warnings).toBeUndefined();
    expect(r.record.runs[0].load).toBeUndefined(); // measured, but the record carries it only with a warning or a stated load
    const stated = await run(finite(true, { stationary: true }));
    const [first, last] = stated.record.runs[0].load!.thirds.pvecAdds;
    expect(Math.abs(last / first - 1)).toBeLessThan(0.2);
  });

  it('a load stated non-stationary is measured and not warned about', async () => {
    const r = await run(finite(undefined, { stationary: false }));
    expect(r.err).not.toMatch(/warning/);
    expect(r.record.warnings).toBeUndefined();
    expect(r.record.runs[0].load).toMatchObject({ stationary: false, warmUpMs: 0, windowMs: 100, maxChange: 1.5 });
    expect(r.record.runs[0].load!.warning).toBeUndefined();
  });

  it('the warm-up leaves its seals out of the seals and the figures, and counts them', () => {
    const base = resolveScenario(finite(true, { stationary: true }));
    const warm = resolveScenario(finite(true, { stationary: true, warmUpMs: 300 }));
    const a = runResolved(base).runs[0];
    const b = runResolved(warm).runs[0];
    const early = a.seals.filter((x) => x.startMs < 300).length;
    expect(early).toBeGreaterThan(0);
    expect(b.seals.every((x) => x.startMs >= 300)).toBe(true);
    expect(b.summary.warmUpSeals).toBe(early);
    expect(b.summary.seals).toBe(a.summary.seals - early);
    expect(a.summary.warmUpSeals).toBeUndefined();
  });

  it('rotate is refused where truncating pages would be wrong', () => {
    const bad = (p: object, extra: object = {}) => () => resolveScenario({ ...finite(), workload: { producers: [{ cpus: 'all', ratePerMs: 0.1, file: 0, rotate: true, ...p }], ...extra } });
    expect(bad({ op: 'fault' })).toThrow(/workload\.producers\[0\]\.rotate: allowed only with op "write"/);
    expect(bad({}, { seals: [{ cpus: '0', ratePerMs: 0.02, file: 0 }] })).toThrow(/file 0 rotates .* so workload\.seals\[0\] may not use it/);
    expect(bad({}, { pins: [{ cpus: '0', ratePerMs: 0.02, file: 0, duration: { dist: 'fixed', ms: 1 } }] })).toThrow(/workload\.pins\[0\] may not use it/);
  });
});
