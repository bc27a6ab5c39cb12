// The package as a user's project gets it: `npm pack` (which runs `prepare`: the build, with the
// public entry points and their declarations), then the tarball installed into a temporary
// project, offline: its dependencies are pinned from this repository's package-lock.json (the
// non-dev entries) and come from npm's cache (`npm ci --offline`), so the test needs no network.
// There: Node resolves `drainlab/strategy` and `drainlab/record` (ESM and CJS) through the
// package's `exports`, and nothing else of it; TypeScript type-checks a strategy (the worked
// example of docs/strategies.md) and a record reader against the shipped declarations, and fails
// a wrong type; the installed `drainlab` bin runs that strategy beside a built-in, with the same
// record for --workers 1 and 2.
// Cost: measured 55 s at load 14 on 2 vCPUs (npm pack + npm ci ~10 s, tsc twice ~20 s, runs ~8 s); plus
// ~45 s once when build/public is stale (npm install's prepare normally built it already).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const root = mkdtempSync(join(tmpdir(), 'drainlab-pack-'));
const proj = join(root, 'my-lab');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) => {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
};
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: proj, encoding: 'utf8' });
const tsc = () => spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: proj, encoding: 'utf8' });
const strip = (text: string) => JSON.stringify({ ...JSON.parse(text), provenance: undefined });

beforeAll(() => {
  npm(['pack', '--pack-destination', root], ROOT);
  const tgz = readdirSync(root).find((f) => f.endsWith('.tgz'))!;
  const spec = `file:../${tgz}`;
  // The temporary project's lock: drainlab from the tarball, its dependencies exactly as this
  // repository's lock pins them (so npm ci finds every tarball in the cache by its integrity).
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const self = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: 'my-lab', dependencies: { drainlab: spec } },
    'node_modules/drainlab': { version: self.version, resolved: spec, license: self.license, dependencies: self.dependencies, bin: self.bin, engines: self.engines },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev && !v.devOptional) packages[k] = v;
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'my-lab', private: true, type: 'module', dependencies: { drainlab: spec } }));
  writeFileSync(join(proj, 'package-lock.json'), JSON.stringify({ name: 'my-lab', lockfileVersion: 3, requires: true, packages }));
  npm(['ci', '--offline'], proj);
}, 300_000);

describe('the packed package', () => {
  it('ships only what runs: no sources, no tests', () => {
    const files = readdirSync(join(proj, 'node_modules/drainlab'));
    expect(files).toEqual(expect.arrayContaining(['bin', 'build', 'package.json']));
    expect(files).not.toContain('src');
    expect(files).not.toContain('test');
  });

  it('exports drainlab/strategy and drainlab/record to Node (ESM and CommonJS), and nothing else', () => {
    // A strategy in plain JavaScript, loaded by Node itself (no drainlab loader in between).
    writeFileSync(join(proj, 'plain.mjs'), `import { defineStrategy, addSealsLocked, tagPins, waitLoop, STRATEGY_API_VERSION } from 'drainlab/strategy';
export default defineStrategy({ name: 'plain', models: 'test', *addSeals(ctx, sealSeal) { return yield* addSealsLocked(ctx, function* (c) { yield* tagPins(c); return yield* waitLoop(c, { scan0: 'none' }); }, sealSeal); } });
export { STRATEGY_API_VERSION };
`);
    const esm = node(['--input-type=module', '-e', "const m = await import('./plain.mjs'); const r = await import('drainlab/record'); console.log(m.default.name, m.default.apiVersion, m.STRATEGY_API_VERSION, r.RUN_RECORD_SCHEMA)"]);
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe('plain 1 1 drainlab/run@1');
    const cjs = node(['-e', "const s = require('drainlab/strategy'); const r = require('drainlab/record'); console.log(typeof s.defineStrategy, typeof s.waitLoop, r.TRACE_STEPS.includes('drain-all'))"]);
    expect(cjs.stdout.trim()).toBe('function function true');
    const inner = node(['-e', "require('drainlab/build/js/main.js')"]);
    expect(inner.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('type-checks a strategy and a record reader against the shipped declarations (and fails a wrong type)', () => {
    copyFileSync(join(ROOT, 'examples/strategies/drain-tagged-unlocked.ts'), join(proj, 'drain-tagged-unlocked.ts'));
    writeFileSync(join(proj, 'reader.ts'), `import { readFileSync } from 'node:fs';
import { parseRunRecord, type RunRecord, type StrategyRun } from 'drainlab/record';
import type { SealCtx, SealOutcome } from 'drainlab/strategy';
const rec: RunRecord = parseRunRecord(readFileSync(process.argv[2]!, 'utf8'));
const mine: StrategyRun | undefined = rec.runs.find((r) => r.plugin !== undefined);
export const p99: number = mine!.summary.latencyMs.p99;
export type Step = (ctx: SealCtx) => Generator<unknown, SealOutcome>;
`);
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
      files: ['reader.ts', 'drain-tagged-unlocked.ts'],
    }));
    const ok = tsc();
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    writeFileSync(join(proj, 'reader.ts'), readFileSync(join(proj, 'reader.ts'), 'utf8') + 'export const wrong: string = mine!.summary.seals;\n');
    const bad = tsc();
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/reader\.ts\(8,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('the installed bin runs the worked example beside a built-in, the same record for --workers 1 and 2', () => {
    copyFileSync(join(ROOT, 'examples/strategies/drain-tagged-unlocked.ts'), join(proj, 'drain-tagged-unlocked.ts'));
    const run = (w: string) => node(['node_modules/.bin/drainlab', 'run', '--preset', 'debate-2017', '--strategy', 'v4.14', '--strategy-file', 'drain-tagged-unlocked.ts', '--workers', w, '--json']);
    const one = run('1');
    expect(one.status, one.stderr).toBe(0);
    const rec = JSON.parse(one.stdout) as { runs: { strategy: string; plugin?: { file: string; sha256: string }; summary: { seals: number; unsafe: number } }[] };
    expect(rec.runs.map((r) => r.strategy)).toEqual(['v4.14', 'drain-tagged-unlocked']);
    expect(rec.runs[1]!.plugin).toMatchObject({ file: 'drain-tagged-unlocked.ts', sha256: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(rec.runs[1]!.summary).toMatchObject({ seals: 48, unsafe: 0 });
    const two = run('2');
    expect(two.status, two.stderr).toBe(0);
    expect(strip(two.stdout)).toBe(strip(one.stdout));
    // drainlab/record reads it back, and refuses what is not a run record, naming the field.
    writeFileSync(join(proj, 'rec.json'), one.stdout);
    const read = node(['-e', "const { parseRunRecord } = require('drainlab/record'); const r = parseRunRecord(require('node:fs').readFileSync('rec.json', 'utf8')); console.log(r.runs[1].plugin.sha256); try { parseRunRecord({ schema: 'drainlab/run@1', scenario: {}, runs: [{ strategy: 'x' }] }); } catch (e) { console.log(e.message); }"]);
    expect(read.stdout.split('\n')).toEqual([rec.runs[1]!.plugin!.sha256, 'not a drainlab run record: runs[0].seals: expected an array', '']);
  });
});
