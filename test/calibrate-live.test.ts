// A short real calibration on this machine (drainprobe --quick): the probe builds, runs within its
// budget, and its output fits into a calibration file the lab can read back.
import { mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../src/calibrate/index.ts';
import { readCalibration } from '../src/calibrate/file.ts';
import { probeSkipReason } from './support/calibrate-env.ts';
import { withProbeLock } from './support/calibrate-lock.ts';

describe('calibrate --quick on this machine', () => {
  it('measures, fits and writes a calibration file', async (ctx) => {
    const why = probeSkipReason();
    if (why) return ctx.skip(why);
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-cal-'));
    try {
      const out = join(dir, 'calibration.json');
      const t0 = Date.now();
      const r = await withProbeLock(() => calibrate({ quick: true, budgetMs: 20_000, out }));
      expect(Date.now() - t0).toBeLessThan(60_000);
      if (r.status !== 'measured') throw new Error(r.reason);
      const f = readCalibration(out);
      expect(f.host.kernel).toBe(release());
      expect([100, 250, 300, 1000]).toContain(f.host.hz);
      expect(f.probe).toMatchObject({ quick: true, complete: true });
      expect(new Set(f.cases.map((c) => c.kind))).toEqual(new Set(['recheck', 'drain', 'walk']));
      expect(f.costs.tagWalkNsPerPage).toBeGreaterThan(0);
      expect(f.costs.timerSlackNs).toBeGreaterThanOrEqual(0);
      expect(f.cases.filter((c) => c.kind === 'recheck' && c.result === 'EBUSY').length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
