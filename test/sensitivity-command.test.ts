// drainlab sensitivity through the sweep machinery: on fuse-selftest, whether the second seal
// fails depends on how long the FUSE pin is held (past 1.2 s it outlives the second seal), never on
// the per-page drain cost; a second call with --resume runs nothing and gives the same result.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../src/scenario/presets.ts';
import { runSensitivity, type Factor } from '../src/sweep/sensitivity.ts';

describe('drainlab sensitivity', () => {
  it('finds what fuse-selftest\'s EBUSY depends on, and resumes without running again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drainlab-sens-'));
    const factors: Factor[] = [
      { name: 'pinDurationScale', path: 'script[*].forMs', min: 0.25, max: 4, log: true, scale: true, about: 'pin duration' },
      { name: 'drainNsPerPage', path: 'costs.drainNsPerPage', min: 20, max: 300, about: 'drain cost per page' },
    ];
    const opts = {
      input: structuredClone(PRESETS['fuse-selftest']!.scenario) as Record<string, unknown>, name: 'fuse-selftest', metrics: ['ebusy'], strategies: ['v4.14'],
      factors, trajectories: 6, levels: 4, samples: 32, sobolFactors: 2, seed: 3, out, workers: 1, shard: null, resume: false, progress: false, log: () => {},
    };
    const first = await runSensitivity(opts);
    expect(first.summaries.map((s) => s.ran)).toEqual([18, 96]); // Morris: 6 x (2 + 1); Sobol on the one survivor: 32 x (1 + 2) (at N = 8 its ST interval, [38 %, 167 %], was too wide to say "mostly")
    const r = first.result!;
    const o = r.outputs.find((x) => x.strategy === 'v4.14' && x.metric === 'ebusy')!;
    expect(o.max).toBe(2);
    expect(o.min).toBe(0);
    const mu = Object.fromEntries(o.morris.map((m) => [m.factor, m.muStar]));
    expect(mu.pinDurationScale).toBeGreaterThan(0);
    expect(mu.drainNsPerPage).toBe(0);
    expect(r.survivors).toEqual(['pinDurationScale']);
    expect(o.finding).toMatch(/depends mostly on pinDurationScale/);
    expect(existsSync(join(out, 'sensitivity.json'))).toBe(true);
    const again = await runSensitivity({ ...opts, resume: true });
    expect(again.summaries).toEqual([]);
    expect(JSON.stringify(again.result)).toBe(readFileSync(join(out, 'sensitivity.json'), 'utf8').trim() === '' ? '' : JSON.stringify(JSON.parse(readFileSync(join(out, 'sensitivity.json'), 'utf8'))));
  });
});
