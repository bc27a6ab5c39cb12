import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.ts';
import { reportCommand } from '../src/report/command.ts';
import { realCells } from './support/real-sweep.ts';

let dir = '';
const cwd = process.cwd();
const quiet = () => {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainlab-report-'));
  process.chdir(dir); // baselines go under ./.drainlab/baselines
  // Real simulator output: the hand-off sweep as sweep lines, one debate-2017 record as a run file;
  // slow.jsonl is the same sweep with every latency doubled (an injected regression).
  const all = realCells();
  const cells = all.filter((c) => c.record.scenario.name === 'memfd hand-offs');
  await writeFile('sweep.jsonl', cells.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const slow = cells.map((c) => {
    const x = structuredClone(c);
    for (const r of x.record.runs) {
      for (const k of ['p50', 'p90', 'p99', 'max', 'mean'] as const) r.summary.latencyMs[k] *= 2;
      for (const s of r.seals) s.endMs = s.startMs + (s.endMs - s.startMs) * 2;
    }
    return x;
  });
  await writeFile('slow.jsonl', slow.map((c) => JSON.stringify(c)).join('\n'));
  await writeFile('run.json', JSON.stringify(all.find((c) => c.record.scenario.name === 'debate-2017')!.record, null, 2));
  await writeFile('bad.json', '{"schema": "drainlab/run@1", ');
  await writeFile('wrong.json', JSON.stringify({ schema: 'drainlab/run@1', scenario: {}, provenance: {}, runs: [{ strategy: 'x' }] }));
  // What `drainlab calibrate --recorded test/fixtures/probe-6.18-hz250-2026-11-25.jsonl --out FILE`
  // writes (every row passes; test/calibrate-fixture-fresh.test.ts), with one row marked failed so
  // the report's FAIL cell and its count are seen too.
  const calib = JSON.parse(await readFile(join(cwd, 'test/fixtures/calibration-6.18-hz250.json'), 'utf8'));
  calib.comparison.rows.at(-1).pass = false;
  await writeFile('calib.json', JSON.stringify(calib));
  await writeFile('bench.json', JSON.stringify({ suites: [{ name: 'scan', tasks: [{ name: 'AS SIMD', latency: { p50: 0.01, mean: 0.011, p99: 0.02, rme: 0.4 }, throughput: { mean: 95000 }, samples: 1000 }] }] }));
});
afterAll(() => process.chdir(cwd));

describe('drainlab report (reportCommand)', () => {
  it('writes one HTML file from sweep JSONL and run JSON, with calibration and bench sections', async () => {
    const code = await reportCommand({ inputs: ['sweep.jsonl', 'run.json'], out: 'out/report.html', calibration: 'calib.json', bench: ['bench.json'], log: quiet });
    expect(code).toBe(0);
    const html = await readFile('out/report.html', 'utf8');
    expect(html).toContain(JSON.parse(await readFile('calib.json', 'utf8')).comparison.rows[0].case);
    expect(html).toMatch(/98 of 99 cases within tolerance/);
    expect(html).toContain('AS SIMD');
    expect(html).toContain('class="fail">FAIL');
    expect(html).toContain('scenario “'.slice(0, 0) + 'What was run');
    expect((await readdir('out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads a pretty-printed run record larger than the input limit, as its one-line form would be', async () => {
    // `run --out` pretty-prints; a big machine's record can pass the whole-document input limit.
    const record = JSON.parse(await readFile('run.json', 'utf8'));
    await writeFile('big-run.json', JSON.stringify(record, null, 2).replace('{', '{' + ' '.repeat(2 ** 20 + 10)));
    const prev = process.env.DRAINLAB_MAX_INPUT_MB;
    process.env.DRAINLAB_MAX_INPUT_MB = '1';
    try {
      expect(await reportCommand({ inputs: ['big-run.json'], out: 'big.json', log: quiet })).toBe(0);
    } finally {
      if (prev === undefined) delete process.env.DRAINLAB_MAX_INPUT_MB;
      else process.env.DRAINLAB_MAX_INPUT_MB = prev;
    }
    expect(JSON.parse(await readFile('big.json', 'utf8')).schema).toBe('drainlab/report@1');
  });

  it('writes report data instead when -o ends in .json', async () => {
    expect(await reportCommand({ inputs: ['sweep.jsonl'], out: 'data.json', log: quiet })).toBe(0);
    expect(JSON.parse(await readFile('data.json', 'utf8')).schema).toBe('drainlab/report@1');
  });

  it('rejects bad input with UsageError (exit 2) and writes nothing', async () => {
    const cases: [Parameters<typeof reportCommand>[0], RegExp][] = [
      [{ inputs: ['missing.jsonl'], out: 'x1.html' }, /cannot read missing\.jsonl/],
      [{ inputs: ['bad.json'], out: 'x2.html' }, /bad\.json.*not valid JSON/],
      [{ inputs: ['wrong.json'], out: 'x3.html' }, /runs\.0\.seals/],
      [{ inputs: [], out: 'x4.html' }, /no RESULTS/],
      [{ inputs: ['sweep.jsonl'], out: 'x5.html', failOn: ['bogus:5'], baseline: 'b' }, /--fail-on "bogus:5"/],
      [{ inputs: ['sweep.jsonl'], out: 'x6.html', failOn: ['p99:5'] }, /needs --baseline/],
      [{ inputs: ['sweep.jsonl'], out: 'x7.html', baseline: 'no-such-baseline' }, /no-such-baseline/],
      [{ inputs: ['sweep.jsonl'], out: 'x8.html', calibration: 'bench.json' }, /--calibration/],
      [{ inputs: ['sweep.jsonl'], out: 'x9.html', saveBaseline: '../evil' }, /baseline name/],
    ];
    for (const [o, msg] of cases) {
      const err = await reportCommand({ ...o, log: quiet }).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(o)).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(msg);
    }
    const written = (await readdir('.')).filter((f) => /^x\d\.html$/.test(f));
    // x9 fails after writing the report (the name is checked when saving); all others write nothing
    expect(written.filter((f) => f !== 'x9.html')).toEqual([]);
  });

  it('saves a baseline, passes --fail-on on the same results and fails (exit 1) on a regression', async () => {
    const logs: string[] = [];
    expect(await reportCommand({ inputs: ['sweep.jsonl'], out: 'base.html', saveBaseline: 'nightly', log: (l) => logs.push(l) })).toBe(0);
    const saved = JSON.parse(await readFile('.drainlab/baselines/nightly.json', 'utf8'));
    expect(saved.schema).toBe('drainlab/baseline@1');
    expect(logs.join('\n')).toMatch(/saved baseline/);
    expect(await reportCommand({ inputs: ['sweep.jsonl'], out: 'same.html', baseline: 'nightly', failOn: ['latencyMs.p99:10'], log: quiet })).toBe(0);
    const failLogs: string[] = [];
    expect(await reportCommand({ inputs: ['slow.jsonl'], out: 'slow.html', baseline: '.drainlab/baselines/nightly.json', failOn: ['latencyMs.p50:10'], log: (l) => failLogs.push(l) })).toBe(1);
    expect(failLogs.join('\n')).toMatch(/FAIL v4\.14: seal latency p50 got worse/);
    const html = await readFile('slow.html', 'utf8');
    expect(html).toContain('Change since baseline');
    expect(html).toContain('fails --fail-on');
  });
});
