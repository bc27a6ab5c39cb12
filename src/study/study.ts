/**
 * `drainlab study` (what `npm start` runs): the default what-if study. Four sweeps, each on the
 * worker pool, streamed to out/study/<part>/cells.jsonl, then joined into out/results.jsonl and
 * rendered as out/report.html:
 *
 *   presets        every shipped preset x every strategy, 3 replications
 *   cpu-scaling    memfd hand-offs on 1 .. 1024 busy CPUs (x2 steps): where does each strategy break down?
 *   pin-duration   the same hand-offs on 8 CPUs with direct-IO pins of 1 .. 200 ms: when is EBUSY real?
 *   pages-per-cpu  pages parked per writer CPU, 1 .. 31 (around PAGEVEC_SIZE 14): when does no-drain fail?
 */
import { sweepWorkers, type WorkersOption } from '../pool/auto-workers.ts';
import { PoolKeeper } from '../pool/cell-pool.ts';
import { join, resolve } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { Sweep } from '../sweep/grid.ts';
import { runSweep, CELLS_FILE } from '../sweep/runner.ts';
import { writeAtomic } from '../io/files.ts';
import { reportCommand } from '../report/command.ts';
import { THREAD_QUESTIONS, type Finding } from '../report/findings-types.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { PRESETS, presetNames } from '../scenario/presets.ts';
import { groupedFindings, runSensitivity } from '../sweep/sensitivity.ts';
import { STRATEGY_NAMES } from '../scenario/strategy-names.ts';

/**
 * Fresh memfds: each hand-off seals its own file, and the lifecycle stops when they run out. At
 * 0.02 hand-offs per ms over 2100 ms the count is Poisson with mean 42; 80 files leave it no
 * chance (P(N > 80) < 1e-7) to stop before the horizon.
 */
const HANDOFF_FILES = '1-80';

/**
 * N busy CPUs that keep producing pages of a log file; CPU 0 seals fresh memfds written by any CPU.
 * The log rotates (producers[0].rotate): its 4,096 pages are a ring, so every write allocates a
 * fresh page at every CPU count. Without it the writers filled the file once (in 200 ms at 1024
 * CPUs) and the machine went quiet for the rest of the horizon. The load is stated stationary and
 * the first 100 ms (pagevecs filling from empty) are a warm-up, left out of the figures.
 */
function handoffs(cpus: number): ScenarioInput {
  return {
    name: 'memfd hand-offs',
    description: 'Busy CPUs keep producing pages of a rotating log file (file 0: a ring of 4,096 pages, each write a fresh page); every 50 ms a random CPU writes a fresh memfd and CPU 0 seals it 1 ms later. The first 100 ms are a warm-up.',
    kernel: '4.14', hz: 250, cpus, files: 81, pages: 4096, seed: 1, horizonMs: 2100,
    cpuClasses: [{ cpus: 'all', class: 'busy' }],
    workload: {
      producers: [{ cpus: 'all', ratePerMs: 0.02, op: 'write', file: 0, pages: 'all', batch: 1, pick: 'sequential', rotate: true }],
      lifecycles: [{ sealCpus: '0', writerCpus: 'all', ratePerMs: 0.02, files: HANDOFF_FILES, writePages: 6, delayMs: 1 }],
    },
    load: { stationary: true, warmUpMs: 100 },
  };
}

function pinned(): ScenarioInput {
  const s = handoffs(8);
  return {
    ...s,
    name: 'memfd hand-offs with pins',
    description: '8 busy CPUs; every 50 ms a random CPU writes a fresh memfd, pins 2 of its pages for a while (direct I/O), and CPU 0 seals it 1 ms later.',
    workload: { ...s.workload, lifecycles: [{ sealCpus: '0', writerCpus: '1-7', ratePerMs: 0.02, files: HANDOFF_FILES, writePages: 6, pinPages: 2, pinDuration: { dist: 'fixed', ms: 20 }, delayMs: 1 }] },
  };
}

function parked(): ScenarioInput {
  const s = handoffs(8);
  return {
    ...s,
    name: 'pages parked per CPU',
    description: '8 idle CPUs; every 50 ms one of CPUs 1-7 writes N pages of a fresh memfd (they park in its lru_add pagevec unless N fills it) and CPU 0 seals it.',
    cpuClasses: [],
    workload: { lifecycles: [{ sealCpus: '0', writerCpus: '1-7', ratePerMs: 0.02, files: HANDOFF_FILES, writePages: 6, delayMs: 1 }] },
  };
}

export function studySweeps(quick: boolean, userStrategies: readonly string[] = []): { part: string; sweep: unknown }[] {
  const reps = quick ? 1 : 3;
  // User strategies (--strategy-file) run beside every built-in.
  const strategies = userStrategies.length > 0 ? { strategies: [...STRATEGY_NAMES, ...userStrategies.filter((n) => !(STRATEGY_NAMES as readonly string[]).includes(n))] } : {};
  return ([
    { part: 'presets', sweep: { name: 'presets', base: 'debate-2017', params: { preset: presetNames().filter((p) => !quick || p !== 'huge-memfd') }, replications: reps } },
    { part: 'cpu-scaling', sweep: { name: 'cpu-scaling', base: handoffs(1), params: { cpus: { from: 1, to: quick ? 64 : 1024, step: 'x2' } }, replications: reps } },
    { part: 'pin-duration', sweep: { name: 'pin-duration', base: pinned(), params: { 'workload.lifecycles[0].pinDuration.ms': [1, 5, 10, 20, 50, 100, 150, 200] }, replications: reps } },
    { part: 'pages-per-cpu', sweep: { name: 'pages-per-cpu', base: parked(), params: { 'workload.lifecycles[0].writePages': [1, 2, 4, 8, 12, 13, 14, 20, 28, 31] }, replications: reps } },
  ] as { part: string; sweep: Record<string, unknown> }[]).map(({ part, sweep }) => ({ part, sweep: { ...sweep, ...strategies } }));
}

/**
 * The study's sensitivity run: debate-2017, v4.14 against Michal's no-drain, spurious EBUSY and
 * latency p99, 3 Morris trajectories and N = 64 Sobol rows (~7 s on 2 cores; at N = 8 the indices'
 * intervals spanned 30-160 % and said nothing; the full
 * run is `drainlab sensitivity --preset debate-2017`, docs/sensitivity.md).
 */
export function studySensitivity() {
  return {
    input: structuredClone(PRESETS['debate-2017']!.scenario) as Record<string, unknown>,
    name: 'debate-2017', metrics: ['spuriousEbusy', 'latencyMs.p99', 'cpusPerSeal'], strategies: ['v4.14', 'no-drain', 'drain-unlocked'],
    trajectories: 3, levels: 4, samples: 64, sobolFactors: 3, seed: 1,
  };
}

export interface StudyOptions {
  out: string;
  /** A count, or 'auto' (the default): chosen once for the whole study (src/pool/auto-workers.ts). */
  workers?: WorkersOption;
  quick?: boolean;
  /** Names of user strategies loaded in this thread (--strategy-file). */
  userStrategies?: string[];
  progress: boolean;
  log: (line: string) => void;
}

export async function studyCommand(o: StudyOptions): Promise<number> {
  const t0 = performance.now();
  const parts = studySweeps(!!o.quick, o.userStrategies).map(({ part, sweep }) => ({ part, sweep: Sweep.fromJson(sweep, `study part ${part}`) }));
  // One set of warm workers for every part and the sensitivity run: each worker's JIT warms up
  // once, so auto weighs the whole study's work against it, not each part's alone.
  let workers = o.workers ?? 'auto';
  if (workers === 'auto') {
    const groups = parts.flatMap(({ sweep }) => {
      const first = sweep.cells().next();
      return first.done ? [] : [{ first: first.value.scenario, cells: sweep.config.cells }];
    });
    const auto = sweepWorkers(groups);
    workers = auto.workers;
    o.log(`study: --workers auto: ${workers} for every part (probe: ~${Number.isFinite(auto.workMs) ? `${Math.round(auto.workMs)} CPU ms` : 'large cells'} in ${groups.reduce((n, g) => n + g.cells, 0)} cells of ${groups.length} parts)`);
  }
  const pools = new PoolKeeper();
  try {
    return await runStudy(o, parts, workers, pools, t0);
  } finally {
    await pools.close();
  }
}

async function runStudy(o: StudyOptions, parts: { part: string; sweep: Sweep }[], workers: number, pools: PoolKeeper, t0: number): Promise<number> {
  const dirs: string[] = [];
  let failed = 0;
  for (const { part, sweep: s } of parts) {
    const dir = join(o.out, 'study', part);
    rmSync(dir, { recursive: true, force: true });
    o.log(`study: ${part}`);
    const summary = await runSweep(s, { out: dir, workers, shard: null, resume: false, progress: o.progress, log: o.log, pools });
    failed += summary.failed + summary.strategyFailures;
    if (summary.interrupted) {
      o.log(`study: interrupted (${summary.interrupted}); finished cells are in ${dir}`);
      return 130;
    }
    dirs.push(dir);
  }
  // One small sensitivity run on the 2017 question: which assumptions do its verdicts rest on?
  const sdir = join(o.out, 'study', 'sensitivity');
  rmSync(sdir, { recursive: true, force: true });
  o.log('study: sensitivity (debate-2017)');
  const sens = await runSensitivity({
    ...studySensitivity(), out: sdir, workers, shard: null, resume: false, progress: o.progress, log: o.log, pools,
  });
  for (const x of sens.summaries) failed += x.failed;
  await pools.close(); // the cells are done; the report is built in this thread
  const results = join(o.out, 'results.jsonl');
  writeAtomic(results, (function* () {
    for (const d of dirs) yield readFileSync(join(d, CELLS_FILE)); // one shard at a time, not one huge string
  })());
  const report = join(o.out, 'report.html');
  let answers: readonly Finding[] = [];
  const code = await reportCommand({
    inputs: [results], out: report, log: o.log, onFindings: (f) => (answers = f), ...(sens.result ? { sensitivity: join(sdir, 'sensitivity.json') } : {}),
  });
  o.log(`study: ${((performance.now() - t0) / 1000).toFixed(1)} s with ${workers} workers${failed ? `, ${failed} cells failed (see out/study/*/failed.jsonl)` : ''}`);
  // The 2017 thread's questions, answered as the report's first screen answers them.
  const asked = answers.filter((f) => THREAD_QUESTIONS.includes(f.id));
  if (asked.length) process.stdout.write(`the 2017 questions (paired statistics per scenario; the report's findings give the details):\n${asked.map((f, i) => `  ${i + 1}. ${f.askedBy}: ${f.question}\n     ${f.answer}\n`).join('')}`);
  // What the 2017 verdicts rest on: each output's dependence, only as far as the intervals allow.
  if (sens.result) process.stdout.write(`what the debate-2017 verdicts rest on (sensitivity: ${sens.result.design.morrisRuns} Morris + ${sens.result.design.sobolRuns} Sobol runs; the report's findings cite it):\n${groupedFindings(sens.result.outputs).map((x) => `  ${x}\n`).join('')}`);
  process.stdout.write(`results: ${results}\nreport:  ${report}  (open it in a browser: file://${resolve(report)})\n`);
  return failed > 0 ? 1 : code;
}
