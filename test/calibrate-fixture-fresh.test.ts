// The committed calibration fixture (test/fixtures/calibration-6.18-hz250.json, read by the report
// tests) is what `drainlab calibrate --recorded test/fixtures/probe-6.18-hz250-2026-11-25.jsonl
// --out FILE` writes with today's fit and model, so it cannot go stale silently (it did: fitted
// through the fastest walk of each size, it failed 2 tag-walk rows once the fit took the median).
// Cost: one fit and 99 model runs, ~1 s.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../src/calibrate/index.ts';
import { simPredictor } from '../src/calibrate/predict.ts';
import { fixtureText, FIXTURE } from './support/calibrate-fixture.ts';

describe('the committed calibration fixture', () => {
  it('is what calibrate --recorded writes from the probe fixture today, and every row of it passes', async () => {
    expect(FIXTURE).toMatch(/probe-6\.18-hz250-2026-11-25\.jsonl$/);
    const r = await calibrate({ recorded: fixtureText(), predictor: simPredictor() });
    if (r.status !== 'measured') throw new Error(r.reason);
    const committed = JSON.parse(readFileSync(new URL('./fixtures/calibration-6.18-hz250.json', import.meta.url), 'utf8'));
    expect(committed.costs).toEqual(r.file.costs);
    expect(committed.load).toEqual(r.file.load);
    const rows = (c: { rows: { case: string; pass: boolean; predictedMs: number }[] }) => c.rows.map((x) => [x.case, x.pass, x.predictedMs]);
    expect(rows(committed.comparison)).toEqual(rows(r.file.comparison!));
    expect(committed.comparison).toMatchObject({ passed: 99, failed: 0 });
  }, 60_000);
});
