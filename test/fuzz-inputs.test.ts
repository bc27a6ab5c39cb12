// The fuzz suite (issue 18): fast-check generates inputs of every kind a user or a cluster can hand
// the CLI (scenario, sweep, calibration, recorded probe output, result files, sweep manifests with
// their cells, CLI flags and environment) and runs each through `main()` in this process. Every case
// must end with exit 0, 1 or 2, never an internal error (a stack trace), write nothing when it exits
// 2, and finish in bounded time and memory: a watchdog thread kills the process (naming the case,
// which is saved to disk first) if one case runs past WATCHDOG_S, and the RSS is checked after each.
//
// Size: DRAINLAB_FUZZ_CASES cases in all (default 2,000, about a minute or two of CI time), shared
// out by kind; the nightly size is DRAINLAB_FUZZ_CASES=20000 (docs/hardening.md, section 5). The per-kind counts
// are printed at the end. Cells run on an in-thread pool (the sweep's code path is the same; only
// the thread differs) and the work limits are lowered by environment, so any accepted input is quick.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

vi.mock('../src/pool/cell-pool.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../src/pool/cell-pool.ts')>();
  const { default: handle } = await import('../src/pool/cell-worker.ts');
  /** The sweep's cell pool, in this thread: the same handler the worker threads run. */
  class InThreadPool {
    readonly workers = 1;
    static async start(): Promise<InThreadPool> {
      return new InThreadPool();
    }
    async run(task: Parameters<import('../src/pool/cell-pool.ts').CellPool['run']>[0]) {
      const r = handle({ ...task, kind: 'cell', attempt: 1, workers: 1 });
      if (r.state === 'done') return r;
      if (r.state === 'error') return { state: 'failed' as const, cellId: task.cellId, cause: 'error' as const, attempts: 1, error: r.error };
      throw new Error('unexpected answer');
    }
    async runBatch(tasks: Parameters<import('../src/pool/cell-pool.ts').CellPool['runBatch']>[0]) {
      return Promise.all(tasks.map((t) => this.run(t)));
    }
    async close() {}
    async destroy() {}
  }
  return { ...orig, CellPool: InThreadPool };
});

const { main } = await import('../src/cli/main.ts');

const TOTAL = Number(process.env.DRAINLAB_FUZZ_CASES ?? 2000);
const WATCHDOG_S = Number(process.env.DRAINLAB_FUZZ_WATCHDOG_S ?? 120);
const MAX_RSS_MIB = 3072;
const root = mkdtempSync(join(tmpdir(), 'drainlab-fuzz-'));
const home = process.cwd();
/** Failing cases, one JSON line each (kept after the run). */
const FAILURES_FILE = join(tmpdir(), 'drainlab-fuzz-failures.jsonl');

// Work limits for the fuzz: any accepted input must be small (the limits are themselves under test).
const LIMIT_ENV: Record<string, string> = {
  DRAINLAB_MAX_EVENTS: '200000',
  DRAINLAB_MAX_PAGE_STEPS: '20000000',
  DRAINLAB_MAX_SWEEP_CELLS: '48',
  DRAINLAB_MAX_GRID_POINTS: '100000',
  DRAINLAB_MAX_INPUT_MB: '4',
};

// ------------------------------------------------------------------------------------------------
// The watchdog: a thread that kills this process when one case runs too long (a synchronous hang
// cannot be interrupted from the event loop it blocks).
const beat = new Float64Array(new SharedArrayBuffer(8));
const caseFile = join(root, 'current-case.json');
let watchdog: Worker | undefined;
function startWatchdog(): void {
  watchdog = new Worker(
    `const { workerData } = require('node:worker_threads'); const fs = require('node:fs');
     const beat = new Float64Array(workerData.sab);
     setInterval(() => {
       const t = beat[0];
       if (t > 0 && Date.now() - t > workerData.limitMs) {
         fs.writeSync(2, '\\nfuzz watchdog: a case ran over ' + workerData.limitMs / 1000 + ' s; it is saved in ' + workerData.caseFile + '\\n');
         process.kill(process.pid, 'SIGKILL');
       }
     }, 500).unref();
     setInterval(() => {}, 1 << 30);`,
    { eval: true, workerData: { sab: beat.buffer, limitMs: WATCHDOG_S * 1000, caseFile } },
  );
  watchdog.unref();
}

// ------------------------------------------------------------------------------------------------
// One case: a fresh directory, inputs written, a snapshot, main() in that directory, the checks.

type Tally = { cases: number; exit0: number; exit1: number; exit2: number; internal: number; badCode: number; wroteOnExit2: number; overMemory: number; maxMs: number; exit1Checks: Map<string, number> };
const tally = new Map<string, Tally>();
const failures: string[] = [];

function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.push(`${p}/`);
        walk(p);
      } else {
        let size = -1;
        let mtime = 0;
        try {
          const st = statSync(p);
          size = st.size;
          mtime = st.mtimeMs;
        } catch {
          /* a dangling link */
        }
        out.push(`${p} ${size} ${mtime}`);
      }
    }
  };
  walk(dir);
  return out.sort().join('\n');
}

interface Case {
  /** Files to create, relative to the case directory: text, or a special kind. */
  files: Record<string, string | { fifo: true } | { symlink: string } | { dir: true }>;
  argv: string[];
  env?: Record<string, string>;
}

/**
 * The failed check an exit 1 reports, or undefined when stderr names none (then the exit 1 is a
 * defect: a user-caused failure must be exit 2, and a bug says "internal error"). The checks that
 * exit 1 (docs/cli.md): merge with cells missing and no --allow-partial, a sweep with failed cells,
 * a report's failed --fail-on checks.
 */
function failedCheck(argv: string[], err: string): string | undefined {
  if (/internal error/.test(err)) return undefined;
  const cmd = argv[0];
  if (cmd === 'merge' && !argv.includes('--allow-partial') && /^merge: \d+\/\d+ cells from .*, \d+ MISSING/m.test(err)) return 'merge: cells missing';
  if (cmd === 'sweep' && /^sweep .*\((?:\d+ resumed, )?\d+ run, [1-9]\d* failed/m.test(err)) return 'sweep: cells failed';
  if (cmd === 'report' && /^report: \d+ --fail-on check\(s\) failed/m.test(err)) return 'report: --fail-on failed';
  return undefined;
}

let caseNo = 0;
let stderr = '';
async function runCase(kind: string, c: Case): Promise<void> {
  const dir = join(root, `case-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files)) {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    if (typeof content === 'string') writeFileSync(p, content);
    else if ('fifo' in content) execFileSync('mkfifo', [p]);
    else if ('symlink' in content) symlinkSync(content.symlink, p);
    else mkdirSync(p, { recursive: true });
  }
  const before = snapshot(dir);
  const env = { ...LIMIT_ENV, ...(c.env ?? {}) };
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(env)) {
    saved[k] = process.env[k];
    process.env[k] = env[k];
  }
  writeFileSync(caseFile, JSON.stringify({ kind, n: caseNo++, ...c }, null, 1));
  stderr = '';
  process.chdir(dir);
  beat[0] = Date.now();
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(c.argv);
  } finally {
    beat[0] = 0;
    process.chdir(home);
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  const ms = performance.now() - t0;
  const t = tally.get(kind) ?? { cases: 0, exit0: 0, exit1: 0, exit2: 0, internal: 0, badCode: 0, wroteOnExit2: 0, overMemory: 0, maxMs: 0, exit1Checks: new Map() };
  tally.set(kind, t);
  t.cases++;
  t.maxMs = Math.max(t.maxMs, ms);
  const what = () => {
    // Every failing case, in full, also goes to a file that outlives the run (nightly runs).
    appendFileSync(FAILURES_FILE, `${JSON.stringify({ kind, code, stderr: stderr.slice(0, 4000), case: c })}\n`);
    return `${kind}: ${JSON.stringify(c).slice(0, 600)}\n  exit ${code}; stderr: ${stderr.slice(0, 600)}`;
  };
  if (code === 0) t.exit0++;
  else if (code === 1) {
    t.exit1++;
    // Exit 1 is a failed check the command reports in its own words (docs/cli.md), never anything else.
    const check = failedCheck(c.argv, stderr);
    if (check === undefined) failures.push(`exit 1 without a failed check: ${what()}`);
    else t.exit1Checks.set(check, (t.exit1Checks.get(check) ?? 0) + 1);
  } else if (code === 2) t.exit2++;
  else {
    t.badCode++;
    failures.push(`exit code ${code}: ${what()}`);
  }
  if (/internal error/.test(stderr)) {
    t.internal++;
    failures.push(`internal error: ${what()}`);
  }
  if (code === 2 && snapshot(dir) !== before) {
    t.wroteOnExit2++;
    failures.push(`wrote on exit 2: ${what()}\n  before:\n${before}\n  after:\n${snapshot(dir)}`);
  }
  const rss = process.memoryUsage().rss / 2 ** 20;
  if (rss > MAX_RSS_MIB) {
    t.overMemory++;
    failures.push(`RSS ${rss.toFixed(0)} MiB after: ${what()}`);
  }
}

// ------------------------------------------------------------------------------------------------
// Generators.

const NASTY_STRINGS = ['', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '..', '.', '/', '-', '--', '--quick', '-o', '\u001b]0;x\u0007', '\u001b[31m', '\u009b', '\r', 'a\nb', '‮', 'all', '0-3', '0-99999', 'x2', 'x1', '1e9'];
const NASTY_NUMBERS = [0, -1, 1, 2, 0.5, 1e9, 1e12, 1e15, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 8192, 8193, 99999999, Number.MIN_VALUE];

const nastyString = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
const nastyNumber = fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyNumber },
  { weight: 3, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const deep = (n: number, open: string, close: string, mid = '1') => open.repeat(n) + mid + close.repeat(n);
const deepJson = fc.integer({ min: 60, max: 20000 }).chain((n) => fc.constantFrom(deep(n, '[', ']'), deep(n, '{"a":', '}'), `{"workload":${deep(n, '[', ']')}}`));

function setAt(o: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const root = (o !== null && typeof o === 'object' ? o : {}) as Record<string | number, unknown>;
  let cur = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  Object.defineProperty(cur, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** A JSON document: a good one with 1-3 fields replaced by nasty values, or a broken one. */
function documentOf(good: unknown, paths: (string | number)[][]): fc.Arbitrary<string> {
  const mutated = fc
    .array(fc.tuple(fc.constantFrom(...paths), nastyValue), { minLength: 1, maxLength: 3 })
    .map((edits) => {
      let o = structuredClone(good);
      for (const [p, v] of edits) o = setAt(o, p, structuredClone(v)); // a fresh copy each time: no shared (circular) values
      return JSON.stringify(o);
    });
  return fc.oneof(
    { weight: 10, arbitrary: mutated },
    { weight: 1, arbitrary: fc.constant(JSON.stringify(good)) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: mutated.map((s) => s.slice(0, Math.max(1, s.length >> 1))) },
  );
}

/** A special file in place of an input now and then: FIFO, /dev/zero, a directory, a dangling link. */
const special = fc.constantFrom<Case['files'][string]>({ fifo: true }, { symlink: '/dev/zero' }, { dir: true }, { symlink: 'nowhere' }, { symlink: '/proc/self/mem' });
function inputFile(text: fc.Arbitrary<string>): fc.Arbitrary<Case['files'][string]> {
  return fc.oneof({ weight: 19, arbitrary: text }, { weight: 1, arbitrary: special });
}

const goodScenario = { name: 'fz', cpus: 4, pages: 8, horizonMs: 50, script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 1, cpu: 1, op: 'pin', pages: '0-1', forMs: 2 }, { atMs: 5, op: 'seal' }], workload: { producers: [{ cpus: '1-2', ratePerMs: 0.5 }] }, costs: { tagSetNs: 10 } };
const scenarioPaths: (string | number)[][] = [
  ['cpus'], ['pages'], ['files'], ['horizonMs'], ['hz'], ['kernel'], ['seed'], ['name'], ['strategies'], ['pagevecSize'], ['costs'], ['costs', 'tagSetNs'], ['costs', 'rtPeriodNs'], ['costs', 'kworkerBusyPreemptProb'],
  ['script'], ['script', 0, 'pages'], ['script', 0, 'atMs'], ['script', 0, 'op'], ['script', 1, 'forMs'], ['script', 2, 'cpu'], ['script', 3], ['script', 0, '__proto__'],
  ['workload', 'producers', 0, 'ratePerMs'], ['workload', 'producers', 0, 'cpus'], ['workload', 'producers', 0, 'batch'], ['workload', 'pins'], ['workload', 'seals', 0], ['workload', 'lifecycles', 0],
  ['cpuClasses'], ['cpuClasses', 0], ['__proto__'], ['constructor'], ['extra'],
];
const outFlag = fc.constantFrom('o/r.json', 'o', '/proc/x/r.json', 'x/'.repeat(3) + 'y'.repeat(300), 'in.json/r.json', '', '/dev/null/x', '--quick');

const scenarioCase: fc.Arbitrary<Case> = fc.tuple(inputFile(documentOf(goodScenario, scenarioPaths)), fc.option(outFlag, { nil: undefined })).map(([f, out]) => ({
  files: { 'in.json': f },
  argv: ['run', '--scenario', 'in.json', '--strategy', 'v4.14', '--workers', '1', '--json', ...(out !== undefined ? ['--out', out] : [])],
}));

const goodSweep = { name: 'fz', base: 'fuse-selftest', params: { cpus: [2, 4] }, constraints: ['cpus <= 4'], replications: 1, strategies: ['v4.14'] };
const sweepPaths: (string | number)[][] = [
  ['name'], ['base'], ['base', 'cpus'], ['base', 'horizonMs'], ['params'], ['params', 'cpus'], ['params', 'cpus', 'from'], ['params', 'cpus', 'step'], ['params', 'script[99999999].atMs'], ['params', 'script[3].atMs'],
  ['params', 'preset'], ['params', '__proto__'], ['params', 'constructor.x'], ['params', 'workload.producers[0]'], ['params', 'horizonMs'], ['params', 'hz'],
  ['constraints'], ['constraints', 0], ['constraints', 1], ['replications'], ['strategies'], ['seed'], ['extra'],
];
const constraintText = fc.oneof(nastyString, fc.integer({ min: 100, max: 20000 }).map((n) => deep(n, '(', ')', 'cpus < 3')), fc.integer({ min: 100, max: 3000 }).map((n) => Array(n).fill('cpus').join(' + ') + ' > 1'));
const sweepCase: fc.Arbitrary<Case> = fc
  .tuple(inputFile(fc.oneof({ weight: 4, arbitrary: documentOf(goodSweep, sweepPaths) }, { weight: 1, arbitrary: constraintText.map((c) => JSON.stringify({ ...goodSweep, constraints: [c] })) })), fc.boolean(), fc.option(fc.constantFrom('0/2', '1/2', '5/2', 'x', '0/1000000'), { nil: undefined }))
  .map(([f, resume, shard]) => ({
    files: { 'in.json': f },
    argv: ['sweep', '--file', 'in.json', '--out', 'o/sw', '--workers', '1', '--quiet', ...(resume ? ['--resume'] : []), ...(shard ? ['--shard', shard] : [])],
  }));

const goodCalibration = { schema: 'drainlab/calibration@1', host: { kernel: '6.18.0', hz: 250, cpus: 2, model: 'x' }, measuredAt: '2026-11-25T00:00:00Z', costs: { tagWalkNsPerPage: 3, timerSlackNs: 50000 }, cases: [], notes: [] };
const calibrationPaths: (string | number)[][] = [['schema'], ['host'], ['host', 'hz'], ['costs'], ['costs', 'tagWalkNsPerPage'], ['costs', 'timerSlackNs'], ['costs', 'rtPeriodNs'], ['costs', 'rtRuntimeNs'], ['costs', 'bogusNs'], ['costs', 'kworkerBusyPreemptProb'], ['costs', 'kworkerBusyMaxNs'], ['cases'], ['notes'], ['__proto__']];
const calibrationCase: fc.Arbitrary<Case> = inputFile(documentOf(goodCalibration, calibrationPaths)).map((f) => ({
  files: { 'cal.json': f },
  argv: ['run', '--preset', 'fuse-selftest', '--strategy', 'v4.14', '--workers', '1', '--json', '--calibration', 'cal.json'],
}));

let probeLines: string[] = [];
const recordedCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'truncate', 'field', 'garbage', 'dup', 'long')), { minLength: 0, maxLength: 4 }),
    fc.nat(),
    nastyValue,
    fc.option(fc.constantFrom('', 'o', '/proc/x/c.json'), { nil: undefined }),
  )
  .map(([edits, which, value, out]) => {
    const lines = [...probeLines];
    for (const [i, how] of edits) {
      const k = i % Math.max(1, lines.length);
      const l = lines[k] ?? '';
      if (how === 'drop') lines.splice(k, 1);
      else if (how === 'truncate') lines[k] = l.slice(0, l.length >> 1);
      else if (how === 'garbage') lines[k] = '\u0000\u001b[2J}{';
      else if (how === 'dup') lines.splice(k, 0, l);
      else if (how === 'long') lines[k] = `{"kind":"case","x":"${'y'.repeat(20000)}"}`;
      else {
        try {
          const o = JSON.parse(l) as Record<string, unknown>;
          const keys = Object.keys(o);
          if (keys.length) setAt(o, [keys[which % keys.length]!], structuredClone(value));
          lines[k] = JSON.stringify(o);
        } catch {
          /* not JSON already */
        }
      }
    }
    return { files: { 'probe.jsonl': lines.join('\n') + '\n' }, argv: ['calibrate', '--recorded', 'probe.jsonl', '--out', out ?? 'o/cal.json'] };
  });

let goodCellLines: string[] = [];
let goodManifest: Record<string, unknown> = {};
let goodRun = '';
const resultsCase = (): fc.Arbitrary<Case> => fc
  .tuple(
    fc.oneof(
      documentOf(JSON.parse(goodRun || '{}'), [['schema'], ['runs'], ['runs', 0, 'summary'], ['runs', 0, 'seals'], ['runs', 0, 'seals', 0, 'endMs'], ['scenario'], ['provenance']]),
      fc.array(fc.oneof(fc.constantFrom(...(goodCellLines.length ? goodCellLines : ['{}'])), fc.json({ maxDepth: 2 }), deepJson, fc.string({ maxLength: 30 })), { minLength: 1, maxLength: 4 }).map((ls) => ls.join('\n') + '\n'),
    ),
    fc.constantFrom('r.html', 'r.json', 'o/r.html', '/proc/x/r.html', 'in.jsonl', ''),
    fc.option(fc.constantFrom('good', '../x', '__proto__', '', 'a b'), { nil: undefined }),
  )
  .map(([text, out, base]) => ({ files: { 'in.jsonl': text }, argv: ['report', 'in.jsonl', '-o', out, ...(base !== undefined ? ['--save-baseline', base] : [])] }));

const manifestPaths: (string | number)[][] = [['schema'], ['configHash'], ['lab'], ['lab', 'version'], ['shard'], ['shard', 'count'], ['shard', 'index'], ['sweep'], ['sweep', 'cells'], ['sweep', 'name'], ['totals'], ['totals', 'cells'], ['startedAt'], ['summary'], ['mergedFrom']];
const manifestCase: fc.Arbitrary<Case> = fc.constant(null).chain(() =>
  fc
    .tuple(
      documentOf(goodManifest, manifestPaths),
      fc.array(fc.oneof(fc.constantFrom(...(goodCellLines.length ? goodCellLines : ['{}'])), fc.constantFrom(...(goodCellLines.length ? goodCellLines.map((l) => l.slice(0, l.length - 30) + '}') : ['{}'])), fc.string({ maxLength: 20 })), { maxLength: 4 }),
      fc.boolean(),
      fc.constantFrom('m', 'a', '', '/proc/x', 'm/../m'),
    )
    .map(([manifest, lines, two, out]) => ({
      files: { 'a/sweep.json': manifest, 'a/cells.jsonl': lines.join('\n') + (lines.length ? '\n' : ''), ...(two ? { 'b/sweep.json': JSON.stringify(goodManifest), 'b/cells.jsonl': goodCellLines.join('\n') + '\n' } : {}) },
      argv: ['merge', 'a', ...(two ? ['b'] : []), '--out', out],
    })),
);

const FLAG_WORDS = ['run', 'presets', 'strategies', 'sweep', 'merge', 'report', 'nosuch', '--preset', 'fuse-selftest', 'lockdep-2017', '__proto__', '--scenario', '--strategy', 'v4.14', 'toString', '--seed', '--workers', '--json', '--out', '-o', '--file', '--shard', '--shards', '--resume', '--quiet', '--help', '--version', '--calibration', '--baseline', '--fail-on', '=', '-', '--', '1', '0', '-1', '256', '1e3', '99999999999999999999', '', 'x'];
const flagsCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.constantFrom('run', 'presets', 'strategies', 'sweep', 'merge', 'report', 'nosuch', '--help', '--version'),
    fc.array(fc.oneof(fc.constantFrom(...FLAG_WORDS), nastyString), { maxLength: 6 }),
    fc.dictionary(fc.constantFrom('DRAINLAB_SHARDS', 'JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'DRAINLAB_MAX_INPUT_MB', 'DRAINLAB_MAX_EVENTS', 'DRAINLAB_MAX_SWEEP_CELLS'), fc.oneof(fc.constantFrom('0', '1', '2', '-1', '1e9', '', 'x', '0x10'), nastyString), { maxKeys: 3 }),
  )
  .map(([cmd, words, env]) => {
    const argv = [cmd, ...words];
    // Keep the run cheap: a run needs a small preset and one strategy (anything else is exit 2 anyway).
    if (cmd === 'run') argv.push('--strategy', 'v4.14', '--workers', '1');
    return {
      files: { 'sw.json': JSON.stringify(goodSweep), 'in.json': JSON.stringify(goodScenario) },
      argv: argv.map((w) => (w === '--file' ? '--file=sw.json' : w)),
      env: { DRAINLAB_MAX_PAGE_STEPS: '2000000', ...env },
    };
  });

const KINDS: [string, () => fc.Arbitrary<Case>, number][] = [
  ['scenario', () => scenarioCase, 0.24],
  ['sweep', () => sweepCase, 0.14],
  ['calibration', () => calibrationCase, 0.1],
  ['recorded probe output', () => recordedCase, 0.06],
  ['result files', resultsCase, 0.14],
  ['manifests', () => manifestCase, 0.14],
  ['CLI flags and env', () => flagsCase, 0.18],
];

// ------------------------------------------------------------------------------------------------

beforeAll(async () => {
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  startWatchdog();
  const { fixtureText } = await import('./support/calibrate-fixture.ts');
  probeLines = fixtureText().split('\n').filter(Boolean);
  // A real sweep output to mutate: its manifest and cell lines.
  const d = join(root, 'seed-sweep');
  writeFileSync(join(root, 'seed.json'), JSON.stringify(goodSweep));
  expect(await main(['sweep', '--file', join(root, 'seed.json'), '--out', d, '--workers', '1', '--quiet'])).toBe(0);
  goodManifest = JSON.parse(readFileSync(join(d, 'sweep.json'), 'utf8')) as Record<string, unknown>;
  goodCellLines = readFileSync(join(d, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean);
  expect(goodCellLines.length).toBe(2);
  goodRun = JSON.stringify((JSON.parse(goodCellLines[0]!) as { record: unknown }).record);
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await watchdog?.terminate();
  rmSync(root, { recursive: true, force: true });
  const rows = [...tally.entries()].map(([k, t]) => `${k.padEnd(24)} ${String(t.cases).padStart(6)} ${String(t.exit0).padStart(6)} ${String(t.exit1).padStart(6)} ${String(t.exit2).padStart(6)} ${String(t.internal).padStart(9)} ${String(t.badCode).padStart(8)} ${String(t.wroteOnExit2).padStart(7)} ${String(t.overMemory).padStart(6)} ${(t.maxMs / 1000).toFixed(1).padStart(8)}`);
  const checks = [...tally.entries()].flatMap(([k, t]) => [...t.exit1Checks.entries()].map(([c, n]) => `  ${k}: ${n} x ${c}`));
  process.stdout.write(`\nfuzz: ${TOTAL} cases\n${'kind'.padEnd(24)}  cases  exit0  exit1  exit2  internal  badcode  wrote2  ovmem  max s\n${rows.join('\n')}\nexit 1, by failed check:\n${checks.join('\n') || '  none'}\n`);
});

describe(`fuzz: ${TOTAL} generated inputs over every input kind`, () => {
  for (const [kind, arb, share] of KINDS.filter(([k]) => !process.env.DRAINLAB_FUZZ_ONLY || k.includes(process.env.DRAINLAB_FUZZ_ONLY))) {
    it(`${kind}: exit 0/1/2, no internal error, nothing written on exit 2, bounded time and memory`, async () => {
      const numRuns = Math.max(10, Math.round(TOTAL * share));
      await fc.assert(
        fc.asyncProperty(arb(), async (c) => {
          await runCase(kind, c);
        }),
        { numRuns, seed: Number(process.env.DRAINLAB_FUZZ_SEED ?? 18), endOnFailure: false },
      );
      expect(failures.filter((f) => f.includes(`${kind}: `)), failures.join('\n\n').slice(0, 8000)).toEqual([]);
      expect(tally.get(kind)?.cases).toBe(numRuns);
    }, 3_600_000);
  }
});

