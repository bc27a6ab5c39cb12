// tune: the smallest CPU count at which a strategy's metric crosses a budget (exponential search,
// then bisection on integers, R replications per point on the pool, a bootstrap CI over the
// evaluated points), and --workers auto (throughput for W = 1 .. cores).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossingCI, crossingInterval, tuneCpus, tuneShape, type TunePoint } from '../src/sweep/tune.ts';
import { tuneWorkers } from '../bench/tune-workers.ts';
import { main } from '../src/cli/main.ts';

const root = mkdtempSync(join(tmpdir(), 'drainlab-tune-'));
let stdout = '';
let stderr = '';
beforeAll(() => {
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});
const base = { strategy: 'drain-every-cpu', metric: 'cpusInterrupted', cpusMax: 64, replications: 2, workers: 2, log: () => {} };

describe('tune: CPU count at a budget', () => {
  it('finds the exact crossing on a tiny preset (drain-every-cpu interrupts every CPU)', async () => {
    const r = await tuneCpus({ ...base, base: 'fuse-selftest', budget: 10 });
    expect(r.crossing).toBe(11);
    expect(r.bracket).toEqual([10, 11]);
    expect(r.cpusMin).toBe(2); // fuse-selftest uses CPU 1
    expect(r.points.map((p) => p.cpus)).toEqual([2, 4, 8, 10, 11, 12, 16, 32, 64]); // the whole ladder to --cpus-max, then the bisection
    expect(r.points.every((p) => p.above === p.median > 10)).toBe(true);
    // The metric does not vary with the seed here: the CI is the crossing itself.
    expect(r.ci).toMatchObject({ lo: 11, hi: 11 });
    expect(r.cells).toBe(9 * 2);
    expect(r.shape.kind).toBe('rising');
    expect(r.interval).toEqual([10, 11]);
    expect(r.verdict).toMatch(/^rising: cpusInterrupted rises from .* Crosses 10 between 10 CPUs .* and 11 CPUs .*; 95% bootstrap CI of the first count above: \[11, 11\]$/);
  });

  it('says a flat metric is flat, and names no crossing (CLI table)', async () => {
    // no-drain never drains: a seal's latency does not depend on how many CPUs there are.
    stdout = '';
    const args = ['tune', '--preset', 'fuse-selftest', '--strategy', 'no-drain', '--metric', 'latencyMs.p99', '--replications', '2', '--cpus-max', '16', '--workers', '2', '--quiet'];
    expect(await main([...args, '--budget', '1'])).toBe(0);
    const verdict = stdout.trim().split('\n').pop()!;
    expect(verdict).toMatch(/^flat: latencyMs\.p99 does not change with the CPU count \(medians .* from 2 to 16 CPUs, every point within the others' 95% CIs/);
    expect(verdict).toMatch(/above 1 at every count: the budget does not depend on the CPU count here$/);
    expect(verdict).not.toMatch(/crosses|crossing: \d/);
    const r = await tuneCpus({ ...base, strategy: 'no-drain', metric: 'latencyMs.p99', base: 'fuse-selftest', budget: 1e6, cpusMax: 16 });
    expect(r.shape.kind).toBe('flat');
    expect(r.verdict).toMatch(/stays at or below 1000000 throughout: not crossed up to 16 CPUs$/);
  });

  it('says when the budget is never crossed, or already crossed at the smallest count', async () => {
    const never = await tuneCpus({ ...base, base: 'fuse-selftest', budget: 100, cpusMax: 32 });
    expect(never.crossing).toBeNull();
    expect(never.bracket).toEqual([32, null]);
    const already = await tuneCpus({ ...base, base: 'fuse-selftest', budget: 0.5 });
    expect(already.crossing).toBe(2);
    expect(already.bracket).toEqual([null, 2]);
  });

  it('gives a bootstrap CI around the crossing when replications differ (CLI, --json)', async () => {
    const file = join(root, 'stoch.json');
    writeFileSync(file, JSON.stringify({
      name: 'stoch', cpus: 2, pages: 64, horizonMs: 1000,
      workload: { producers: [{ cpus: '1', ratePerMs: 0.05, op: 'write', pages: 'all' }], seals: [{ cpus: '0', ratePerMs: 0.02 }] },
    }));
    stdout = '';
    const code = await main(['tune', '--scenario', file, '--strategy', 'drain-every-cpu', '--metric', 'drainCpuMs', '--budget', '0.2', '--replications', '6', '--cpus-max', '512', '--workers', '2', '--json', '--quiet']);
    expect(code, stderr).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.schema).toBe('drainlab/tune-cpus@1');
    expect(r.crossing).toBeGreaterThan(64);
    expect(r.crossing).toBeLessThanOrEqual(256);
    expect(r.bracket[1] - r.bracket[0]).toBe(1);
    expect(r.ci.lo).toBeLessThanOrEqual(r.crossing);
    if (r.ci.hi !== null) expect(r.ci.hi).toBeGreaterThanOrEqual(r.crossing);
    expect(new Set(r.points.find((p: TunePoint) => p.cpus === r.crossing).values).size).toBeGreaterThan(1);
  });

  it('names the allowed metrics for a bad --metric (exit 2)', async () => {
    stderr = '';
    expect(await main(['tune', '--preset', 'fuse-selftest', '--strategy', 'v4.14', '--metric', 'latencyMs.p42', '--budget', '1', '--replications', '1'])).toBe(2);
    expect(stderr).toMatch(/--metric: unknown metric "latencyMs\.p42"; allowed: .*latencyMs\.p99/);
    stderr = '';
    expect(await main(['tune', '--preset', 'fuse-selftest', '--strategy', 'v4.14'])).toBe(2);
    expect(stderr).toMatch(/--budget is required/);
  });
});

describe('tune verdicts respect noise', () => {
  const pt = (cpus: number, median: number, lo: number, hi: number): TunePoint => ({ cpus, values: [], median, lo, hi, above: false });
  it('flat when no two points are apart beyond their CIs (the 2026 report: 9.64-10.13 ms from 128 to 512 CPUs)', () => {
    const pts = [pt(128, 9.64, 9.2, 10.4), pt(256, 10.13, 9.6, 10.6), pt(276, 9.9, 9.3, 10.5), pt(512, 9.8, 9.4, 10.3)];
    expect(tuneShape(pts, 9).kind).toBe('flat');
    expect(crossingInterval(pts, 10)).toEqual([null, null]);
  });
  it('rising, falling and non-monotonic by which CIs lie apart', () => {
    expect(tuneShape([pt(1, 1, 0.9, 1.1), pt(2, 2, 1.9, 2.1), pt(4, 2.05, 1.9, 2.2)], 5).kind).toBe('rising');
    expect(tuneShape([pt(1, 3, 2.9, 3.1), pt(2, 2, 1.9, 2.1)], 5).kind).toBe('falling');
    const nm = tuneShape([pt(1, 1, 0.9, 1.1), pt(2, 3, 2.9, 3.1), pt(4, 2, 1.9, 2.1)], 5);
    expect(nm.kind).toBe('non-monotonic');
    expect(nm.note).toMatch(/rises from 1\.000 at 1 to 3\.000 at 2 CPUs.*falls from 3\.000 at 2 to 2\.000 at 4 CPUs/);
  });
  it('the crossing interval runs from the last point surely below to the first surely above', () => {
    const pts = [pt(64, 5, 4, 6), pt(128, 9, 8, 11), pt(192, 10, 9, 12), pt(256, 14, 13, 15)];
    expect(crossingInterval(pts, 10)).toEqual([64, 256]);
  });
});

describe('crossingCI', () => {
  it('spreads over the evaluated points when the medians near the budget are uncertain', () => {
    const pt = (cpus: number, values: number[]): TunePoint => ({ cpus, values, median: 0, lo: 0, hi: 0, above: false });
    const points = [pt(8, [1, 1, 1, 1, 1]), pt(9, [1, 1, 9, 9, 1]), pt(10, [9, 1, 9, 1, 9]), pt(11, [9, 9, 9, 9, 1]), pt(12, [9, 9, 9, 9, 9])];
    const ci = crossingCI(points, 5);
    // Point 9 is above in about a third of the resamples; point 11 is below in ~6% of them, and
    // 9, 10 and 11 all below together in ~1%: so the 95% interval runs from 9 to 11.
    expect(ci.lo).toBe(9);
    expect(ci.hi).toBe(11);
    expect(crossingCI([pt(8, [1, 1, 1]), pt(9, [9, 9, 9])], 5)).toMatchObject({ lo: 9, hi: 9 });
    expect(crossingCI([pt(8, [1, 1, 1]), pt(9, [1, 1, 9])], 5).hi).toBeNull(); // some resamples never cross
    expect(crossingCI(points, 5)).toEqual(ci); // seeded
  });
});

describe('tune --workers auto', () => {
  it('measures W = 1..2 on a small fixed sweep and picks the fastest', async () => {
    const r = await tuneWorkers({ preset: 'fuse-selftest', replications: 6, maxWorkers: 2, log: () => {} });
    expect(r.rows.map((x) => x.workers)).toEqual([1, 2]);
    for (const x of r.rows) expect(x.cellsPerSec).toBeGreaterThan(0);
    expect(r.best).toBe(r.rows.reduce((a, b) => (b.cellsPerSec > a.cellsPerSec ? b : a)).workers);
    expect(r.rows[0]!.speedup).toBe(1);
  });
});
