// User strategies (--strategy-file): loaded from a directory of their own (no drainlab beside
// them), run beside the built-ins through the same accounting, byte-identical for any worker
// count; an unsafe one is flagged; one that throws or whose seal never returns is reported with
// its file and line without touching the other strategies' runs; names are checked.
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { runResolved } from '../src/sim/run.ts';
import { runResolvedAsync } from '../src/pool/run-scenario.ts';
import { loadStrategyFile } from '../src/strategies/plugin.ts';
import { strategyTemplate } from '../src/cli/strategy-files.ts';
import { UsageError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'drainlab-plugins-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const strip = (r: { provenance: unknown; runs?: unknown }) => JSON.stringify({ ...r, provenance: undefined });

// S4b's idea written by a user: scan 0 drains only CPUs whose pagevecs hold a tagged page.
const TARGETED = file(
  'only-tagged.ts',
  `import { addSealsLocked, defineStrategy, drainAllVariant, pvecHoldsTagged, tagPins, waitLoop, type SealCtx } from 'drainlab/strategy';
import { pick } from './helper.mjs';
export default defineStrategy({
  name: 'only-tagged',
  models: 'test: drain only CPUs holding a tagged page',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c: SealCtx) {
      yield* tagPins(c);
      return yield* waitLoop(c, { scan0: { drainAll: drainAllVariant(c), options: (s) => ({ filter: pick((cpu: number) => pvecHoldsTagged(s, cpu)) }) } });
    }, sealSeal);
  },
});
`,
);
file('helper.mjs', 'export const pick = (f) => f;\n');

// Sets F_SEAL_WRITE without waiting for pins: unsafe whenever a pin is held.
const UNSAFE = file(
  'no-wait.js',
  `const { addSealsLocked, defineStrategy } = require('drainlab/strategy');
module.exports.strategy = defineStrategy({
  name: 'no-wait',
  models: 'test: never waits for pins',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* () { return 'ok'; }, sealSeal);
  },
});
`,
);

// Module state on purpose: each run must start afresh (a fresh instance per run).
const THROWS = file(
  'throws.mts',
  `import { addSealsLocked, defineStrategy, tagPins, waitLoop } from 'drainlab/strategy';
let seals = 0;
export default defineStrategy({
  name: 'throws',
  models: 'test: throws on its second seal',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      yield* tagPins(c);
      if (++seals === 2) throw new Error('second seal');
      return yield* waitLoop(c, { scan0: 'none' });
    }, sealSeal);
  },
});
`,
);

// A synchronous loop that never yields, on its third seal: only the harness watchdog can stop it.
const SPIN = file(
  'spin.ts',
  `import { addSealsLocked, defineStrategy, tagPins, waitLoop } from 'drainlab/strategy';
let seals = 0;
export default defineStrategy({
  name: 'spin',
  models: 'test: loops forever on its third seal',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      yield* tagPins(c);
      if (++seals === 3) for (;;) {}
      return yield* waitLoop(c, { scan0: 'none' });
    }, sealSeal);
  },
});
`,
);

// Keeps the inode lock: the second seal of the file waits for it forever.
const STUCK = file(
  'stuck.ts',
  `import { defineStrategy, denyWritable, lockInode, setSealWrite } from 'drainlab/strategy';
export default defineStrategy({
  name: 'stuck',
  models: 'test: never unlocks the inode',
  *addSeals(ctx) {
    yield* lockInode(ctx);
    denyWritable(ctx);
    setSealWrite(ctx);
    return { result: 'ok' as const };
  },
});
`,
);

describe('user strategies', () => {
  it('load from a directory of their own, run beside the built-ins, and do not change them', () => {
    const s = presetScenario('debate-2017');
    const name = loadStrategyFile(TARGETED).name;
    const plain = runResolved(s, { strategies: ['v4.14', 'targeted'] });
    const withUser = runResolved(s, { strategies: ['v4.14', 'targeted', name] });
    expect(JSON.stringify(withUser.runs.slice(0, 2))).toBe(JSON.stringify(plain.runs));
    const mine = withUser.runs[2]!;
    expect(mine.plugin).toMatchObject({ file: expect.stringContaining('only-tagged.ts'), api: 1 });
    expect(mine.plugin!.sha256).toMatch(/^[0-9a-f]{12}$/);
    // The same patch as the built-in S4b without its scan cost: same outcomes, the same CPUs drained.
    expect(mine.summary.ok).toBe(plain.runs[1]!.summary.ok);
    expect(mine.summary.cpusInterrupted).toBe(plain.runs[1]!.summary.cpusInterrupted);
    expect(mine.error).toBeUndefined();
  });

  it('give byte-identical records for --workers 1 and 2', async () => {
    const s = presetScenario('debate-2017');
    const names = ['v4.14', loadStrategyFile(TARGETED).name, loadStrategyFile(THROWS).name, 'no-drain'];
    const one = await runResolvedAsync(s, { workers: 1, strategies: names });
    const two = await runResolvedAsync(s, { workers: 2, strategies: names });
    expect(strip(two)).toBe(strip(one));
  });

  it('an unsafe strategy is flagged (unsafe > 0); the built-ins are not', () => {
    const r = runResolved(presetScenario('fuse-selftest'), { strategies: ['v4.14', loadStrategyFile(UNSAFE).name] });
    expect(r.runs[0]!.summary.unsafe).toBe(0);
    expect(r.runs[1]!.summary.unsafe).toBeGreaterThan(0);
  });

  it('a throw is reported with the file and line, the other runs kept', () => {
    const s = presetScenario('debate-2017');
    const name = loadStrategyFile(THROWS).name;
    const r = runResolved(s, { strategies: ['v4.14', name, 'no-drain'] });
    expect(r.runs[1]!.error).toMatchObject({ kind: 'threw', file: expect.stringContaining('throws.mts'), line: 9 });
    expect(r.runs[1]!.error!.message).toContain('second seal');
    const alone = runResolved(s, { strategies: ['v4.14', 'no-drain'] });
    expect(JSON.stringify([r.runs[0], r.runs[2]])).toBe(JSON.stringify(alone.runs));
    // A fresh module per run: the same failure again (its counter starts at 0 each time).
    expect(runResolved(s, { strategies: [name] }).runs[0]!.error).toMatchObject({ line: 9 });
  });

  it('a seal that never returns is reported at the step it waits in', () => {
    const r = runResolved(presetScenario('fuse-selftest'), { strategies: [loadStrategyFile(STUCK).name] });
    expect(r.runs[0]!.error).toMatchObject({ kind: 'stuck', file: expect.stringContaining('stuck.ts'), line: 6 });
    expect(r.runs[0]!.summary.unfinished).toBe(1);
  });

  it('may not shadow a built-in without force; bad files are usage errors naming the file', () => {
    const shadow = file('v416.ts', strategyTemplate('v4.16'));
    expect(() => loadStrategyFile(shadow)).toThrow(/name of a built-in strategy.*--force/);
    expect(loadStrategyFile(shadow, { force: true }).plugin?.shadows).toBe(true);
    const bad = file('bad.ts', 'export default 42;\n');
    expect(() => loadStrategyFile(bad)).toThrow(UsageError);
    expect(() => loadStrategyFile(bad)).toThrow(/bad\.ts: exports no strategy/);
    expect(() => loadStrategyFile(file('syntax.ts', 'export default defineStrategy({\n'))).toThrow(/syntax\.ts:\d+:\d+/);
    expect(() => loadStrategyFile(join(dir, 'missing.ts'))).toThrow(/no such file/);
    expect(() => loadStrategyFile(file('x.json', '{}'))).toThrow(/allowed extensions/);
  });

  it('the template of `strategies --new` runs and equals v4.16 (the seal path it spells out)', () => {
    const t = file('tmpl.ts', strategyTemplate('tmpl'));
    const r = runResolved(presetScenario('debate-2017'), { strategies: ['v4.16', loadStrategyFile(t).name] });
    expect(JSON.stringify(r.runs[1]!.seals)).toBe(JSON.stringify(r.runs[0]!.seals));
  });

  it('a seal path that never yields is stopped by the watchdog (small budget), exit 1 naming the file, the others kept, for --workers 1 and 2', () => {
    // Cost: two CLI runs of debate-2017, each ~1 s of budget plus start-up.
    const records = ['1', '2'].map((w) => {
      const out = join(dir, `spin-${w}.json`);
      const p = spawnSync(process.execPath, ['bin/drainlab.js', 'run', '--preset', 'debate-2017', '--strategy', 'v4.14', '--strategy-file', SPIN, '--strategy', 'no-drain', '--workers', w, '--out', out], { encoding: 'utf8', env: { ...process.env, DRAINLAB_PLUGIN_BUDGET_MS: '500' } });
      expect(p.status, p.stderr).toBe(1);
      expect(p.stderr).toMatch(/strategy spin \(.*spin\.ts\) hung: one call into its seal path \(at simulated time [\d.]+ ms\) ran for more than 500 ms of wall-clock time/);
      return JSON.parse(readFileSync(out, 'utf8')) as { provenance: unknown; runs: { strategy: string; error?: { kind: string; file: string }; summary: { seals: number } }[] };
    });
    for (const rec of records) {
      expect(rec.runs.map((x) => x.strategy)).toEqual(['v4.14', 'no-drain', 'spin']);
      expect(rec.runs[2]!.error).toMatchObject({ kind: 'hung', file: expect.stringContaining('spin.ts') });
      expect(rec.runs[0]!.summary.seals).toBe(48);
      expect(rec.runs[1]!.summary.seals).toBe(48);
    }
    expect(strip(records[1]!)).toBe(strip(records[0]!));
    // The built-ins' runs are those of a run without the user strategy.
    const alone = runResolved(presetScenario('debate-2017'), { strategies: ['v4.14', 'no-drain'] });
    expect(JSON.stringify(records[0]!.runs.slice(0, 2))).toBe(JSON.stringify(alone.runs));
  });

  it('in a sweep, the watchdog stops it in each cell, the cells keep the other strategies, exit 1', () => {
    // Cost: one CLI sweep of 2 debate-2017 cells, each ~0.5 s of budget plus a worker restart.
    const sweepFile = file('spin-sweep.json', JSON.stringify({ name: 'spin', base: 'debate-2017', params: { cpus: [8] }, replications: 2, strategies: ['v4.14'] }));
    const out = join(dir, 'spin-sweep');
    const p = spawnSync(process.execPath, ['bin/drainlab.js', 'sweep', '--file', sweepFile, '--strategy-file', SPIN, '--out', out, '--workers', '2'], { encoding: 'utf8', env: { ...process.env, DRAINLAB_PLUGIN_BUDGET_MS: '500' } });
    expect(p.status, p.stderr).toBe(1);
    expect(p.stderr).toMatch(/strategy spin \(.*spin\.ts\): one call into its seal path .* ran for more than 500 ms/);
    const cells = readFileSync(join(out, 'cells.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { record: { runs: { strategy: string; error?: { kind: string }; summary: { seals: number } }[] } });
    expect(cells).toHaveLength(2);
    for (const c of cells) {
      expect(c.record.runs.map((r) => [r.strategy, r.error?.kind, r.summary.seals])).toEqual([['v4.14', undefined, 48], ['spin', 'hung', 0]]);
    }
  });

  it('a module that never finishes loading is a usage error naming the file', () => {
    const p = spawnSync(process.execPath, ['bin/drainlab.js', 'run', '--preset', 'fuse-selftest', '--strategy-file', file('spin-load.mjs', 'for (;;) {}\n')], { encoding: 'utf8', env: { ...process.env, DRAINLAB_PLUGIN_BUDGET_MS: '300' } });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/spin-load\.mjs: the module ran for more than 300 ms of wall-clock time while loading/);
  });

  it('the CLI exits 1 naming the file and line, and writes the other strategies\' results', () => {
    const out = join(dir, 'run.json');
    const p = spawnSync(process.execPath, ['bin/drainlab.js', 'run', '--preset', 'debate-2017', '--strategy', 'v4.14', '--strategy-file', THROWS, '--workers', '1', '--out', out], { encoding: 'utf8' });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/strategy throws \(.*throws\.mts:9:\d+\) threw: second seal/);
    expect(existsSync(out)).toBe(true);
    const rec = JSON.parse(readFileSync(out, 'utf8')) as { runs: { strategy: string; summary: { seals: number } }[] };
    expect(rec.runs.map((x) => x.strategy)).toEqual(['v4.14', 'throws']);
    expect(rec.runs[0]!.summary.seals).toBe(48);
  });
});
