/**
 * The `drainlab` command (docs/cli.md). A tiny main: commander parses, each command calls
 * into the lab, and errors are caught once here: UsageError -> exit 2 with its message, a failed
 * check -> 1, anything else -> a crash report and exit 1.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.ts';
import { termSafe } from '../io/text.ts';
import { STRATEGY_NAMES } from '../scenario/strategy-names.ts';
import type { Costs } from '../kernel/costs.ts';
import type { ProbeCase } from '../calibrate/probe.ts';
import type { mergeCommand, sweepCommand, tuneCommand } from '../sweep/command.ts';
import pkg from '../../package.json' with { type: 'json' };

// Every command's implementation is imported when the command runs, not before: `drainlab --help`
// then loads commander alone (~0.1 s), not zod, piscina and the simulator.
const WORKERS_HELP = 'worker threads, or auto: as many as the work pays for (default auto; results never depend on it)';
/** `--workers N|auto` (src/pool/auto-workers.ts parseWorkers, inlined so that --help loads nothing more). */
const workersOpt = (max: number) => (v: string): number | 'auto' => {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max) throw new UsageError(`--workers: got ${JSON.stringify(v)}; allowed: an integer in 1..${max}, or auto`);
  return n;
};

const int = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: got ${JSON.stringify(v)}; allowed: an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}`);
  return n;
};

/**
 * Costs from a calibration file (drainlab calibrate --out), or nothing. The file goes through the
 * same schema as `validate --calibration` (src/calibrate/file.ts), so a string, negative, unknown or
 * out-of-range cost is exit 2 here too.
 */
export async function readCalibrationCosts(path: string | undefined): Promise<Partial<Costs> | undefined> {
  return (await readCalibrationHead(path))?.costs;
}

/** The costs and the host kernel of a calibration file (checked in full by src/calibrate/file.ts), or nothing. */
export async function readCalibrationHead(path: string | undefined): Promise<{ costs: Partial<Costs>; kernel?: string } | undefined> {
  if (path === undefined) return undefined;
  const { readCalibration } = await import('../calibrate/file.ts');
  const file = readCalibration(path);
  const kernel = (file.host as { kernel?: unknown }).kernel;
  return { costs: file.costs as Partial<Costs>, ...(typeof kernel === 'string' ? { kernel } : {}) };
}

/** Values of options that take one: one that looks like a flag was most likely swallowed by mistake. */
function checkOptionValues(cmd: Command): void {
  for (const opt of cmd.options) {
    if (!opt.required && !opt.optional) continue; // boolean flags
    const name = opt.attributeName();
    if (cmd.getOptionValueSource(name) !== 'cli') continue;
    const v = cmd.getOptionValue(name) as unknown;
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'string' && /^--?[A-Za-z]/.test(x)) {
        const flag = opt.long ?? opt.short;
        throw new UsageError(`${flag}: got ${JSON.stringify(x)}, which looks like a flag; give ${flag} a value (write ${flag}=${x} if ${JSON.stringify(x)} really is the value)`);
      }
    }
  }
}

/** More threads than cores only adds overhead and memory; say so (results never depend on it). */
export async function warnWorkers(workers: number | 'auto' | undefined, flag = '--workers'): Promise<void> {
  if (workers === undefined || workers === 'auto') return;
  const cores = (await import('node:os')).availableParallelism();
  if (workers > 2 * cores) {
    process.stderr.write(`drainlab: warning: ${flag} ${workers} on ${cores} core(s): each worker holds its own simulator, so this costs memory and start-up time without speed-up; about ${cores} is best here\n`);
  }
}

const STRATEGY_FILE_OPTION = ['--strategy-file <path...>', 'a user strategy (.ts, .mts, .js, .mjs; repeatable), run beside the others (docs/strategies.md)'] as const;
const FORCE_OPTION = ['--force', 'let a --strategy-file replace a built-in strategy of the same name'] as const;
const strategyFiles = () => import('./strategy-files.ts');

type SweepOptions = Parameters<typeof sweepCommand>[0];
type MergeOptions = Parameters<typeof mergeCommand>[1];
type TuneOptions = Parameters<typeof tuneCommand>[0];

function program(out: (s: string) => void, setCode: (c: number) => void): Command {
  const p = new Command('drainlab')
    .description('A WebAssembly-accelerated lab for memfd F_SEAL_WRITE and lru_add_drain_all() strategies')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError()
    .hook('preAction', async (_root, action) => {
      checkOptionValues(action);
      const w = action.getOptionValue('workers') as unknown;
      if (typeof w === 'number') await warnWorkers(w);
      else if (typeof w === 'string' && /^\d+$/.test(w)) await warnWorkers(Number(w));
    });

  p.command('run')
    .description('simulate one scenario with each strategy it names')
    .addOption(new Option('--scenario <file>', 'scenario JSON file (docs/scenario-format.md)').conflicts('preset'))
    .option('--preset <name>', 'a shipped preset (`drainlab presets` lists them)')
    .option('--strategy <name...>', `strategies to compare (repeatable): ${STRATEGY_NAMES.join(', ')}, or a --strategy-file's`)
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .option('--seed <n>', 'override the scenario seed', int('--seed', 0))
    .option('--workers <n|auto>', `threads for one scenario: its strategies spread over them, or a large file's range passes split; a count (obeyed), or auto: as many as the work pays for (default auto; results never depend on it)`, workersOpt(48))
    .option('--calibration <file>', 'use fitted costs from drainlab calibrate (measured on the scenario\'s kernel version)')
    .option('--force-calibration', 'apply --calibration even when it was measured on another kernel version (with a warning)')
    .option('--json', 'print the result record (docs/result-record.md) on stdout')
    .option('--out <file>', 'also write the result record to this file (atomically)')
    .action(async (o: { scenario?: string; preset?: string; strategy?: string[]; strategyFile?: string[]; force?: boolean; seed?: number; workers?: number | 'auto'; calibration?: string; forceCalibration?: boolean; json?: boolean; out?: string }) => {
      if (o.scenario === undefined && o.preset === undefined) throw new UsageError('run: give --scenario FILE or --preset NAME');
      const [{ loadScenarioFile }, { presetScenario }, { hasStrategy }, { allowedStrategyNames }, { runResolvedAsync }, { runTable }, { writeAtomic }, sf] = await Promise.all([
        import('../scenario/resolve.ts'), import('../scenario/presets.ts'), import('../strategies/registry.ts'), import('../scenario/strategy-names.ts'), import('../pool/run-scenario.ts'), import('./table.ts'), import('../io/files.ts'), strategyFiles(),
      ]);
      const head = await readCalibrationHead(o.calibration);
      const cal = head?.costs;
      const users = sf.loadStrategyFiles(o.strategyFile, o.force);
      const s = o.scenario !== undefined ? loadScenarioFile(o.scenario, cal, sf.strategyFileEntry(o.force)) : presetScenario(o.preset!, cal);
      if (head?.kernel) {
        const { calibrationKernelMismatch } = await import('../calibrate/file.ts');
        const why = calibrationKernelMismatch(head.kernel, s.kernel);
        if (why && !o.forceCalibration) throw new UsageError(`--calibration: ${why}; refusing (--force-calibration applies it anyway)`);
        if (why) process.stderr.write(`drainlab: warning: --calibration: ${why} (applied anyway: --force-calibration)\n`);
      }
      for (const name of o.strategy ?? []) {
        if (!hasStrategy(name)) throw new UsageError(`--strategy: unknown strategy ${JSON.stringify(name)}; allowed: ${allowedStrategyNames().join(', ')}`);
      }
      // User strategies run beside the scenario's (or --strategy's) list.
      const strategies = users.length > 0 || o.strategy ? sf.withStrategies(o.strategy ?? s.strategies, users) : undefined;
      const record = await runResolvedAsync(s, { strategies, seed: o.seed, workers: o.workers ?? 'auto' });
      const json = JSON.stringify(record, null, 2);
      if (o.out !== undefined) writeAtomic(o.out, json + '\n', '--out');
      for (const w of record.warnings ?? []) process.stderr.write(`drainlab: warning: ${w}\n`);
      out(o.json ? json : `${record.scenario.name}: ${s.cpus} CPUs, ${s.files} file(s) x ${s.pages} pages, kernel ${s.kernel}, HZ=${s.hz}, seed ${record.scenario.seed}\n${runTable(record)}`);
      setCode(sf.checkRun(record, (l) => process.stderr.write(`${l}\n`)));
    });

  p.command('strategies')
    .description('list the strategies and what each models; --new NAME writes a commented template NAME.ts')
    .option('--new <name>', 'write NAME.ts, a commented strategy template (docs/strategies.md)')
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .action(async (o: { new?: string; strategyFile?: string[]; force?: boolean }) => {
      const [{ allStrategies }, { table }, sf] = await Promise.all([import('../strategies/registry.ts'), import('./table.ts'), strategyFiles()]);
      if (o.new) {
        const path = sf.writeStrategyTemplate(o.new);
        out(`wrote ${path}: edit it, then: npx drainlab run --preset debate-2017 --strategy-file ${path}`);
        return;
      }
      sf.loadStrategyFiles(o.strategyFile, o.force);
      out(table(['strategy', 'models'], allStrategies().map((s) => [s.plugin ? `${s.name} [${s.plugin.file} ${s.plugin.sha256}]` : s.name, s.models])));
    });

  p.command('presets')
    .description('list the shipped scenarios and the question each asks')
    .option('--json', 'print the resolved presets as JSON')
    .action(async (o: { json?: boolean }) => {
      const [{ PRESETS, presetScenario }, { table }] = await Promise.all([import('../scenario/presets.ts'), import('./table.ts')]);
      if (o.json) out(JSON.stringify(Object.fromEntries(Object.keys(PRESETS).map((n) => [n, presetScenario(n)])), null, 2));
      else out(table(['preset', 'question'], Object.entries(PRESETS).map(([n, pr]) => [n, pr.question])));
    });

  p.command('study')
    .description('the default what-if study: every preset x every strategy, CPU counts 1..1024, pin durations, pages parked per CPU; writes out/results.jsonl and out/report.html')
    .option('--out <dir>', 'output directory', 'out')
    .option('--workers <n|auto>', WORKERS_HELP, workersOpt(256))
    .option('--quick', 'a small study (1 replication, up to 64 CPUs)')
    .option('--quiet', 'no live progress line')
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .action(async (o: { out: string; workers?: number | 'auto'; quick?: boolean; quiet?: boolean; strategyFile?: string[]; force?: boolean }) => {
      const { studyCommand } = await import('../study/study.ts');
      const userStrategies = (await strategyFiles()).loadStrategyFiles(o.strategyFile, o.force);
      setCode(await studyCommand({ ...o, userStrategies, progress: !!process.stderr.isTTY && !o.quiet, log: (l) => process.stderr.write(`${l}\n`) }));
    });

  p.command('report')
    .description('one self-contained HTML report from run records and sweep JSONL (or the report data as JSON with -o x.json)')
    .argument('<results...>', 'run JSON files, sweep cells.jsonl files or directories')
    .requiredOption('-o, --out <file>', 'the report file (.html, or .json for the data)')
    .option('--baseline <name|file>', 'compare with a saved baseline')
    .option('--save-baseline <name>', 'save this report\'s data as a baseline (.drainlab/baselines/NAME.json)')
    .option('--force-baseline', 'compare with --baseline even when it ran other scenarios or another drainlab version')
    .option('--fail-on <metric:pct...>', 'exit 1 when a metric regresses beyond PCT against --baseline (METRIC or METRIC@STRATEGY; METRIC a registry name such as latencyMs.p99)')
    .option('--calibration <file>', 'add the calibration comparison (the file drainlab calibrate --out FILE writes)')
    .option('--bench <file...>', 'add benchmark results (drainlab bench --json FILE)')
    .option('--sensitivity <file>', 'add the sensitivity section (drainlab sensitivity writes DIR/sensitivity.json)')
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .action(async (inputs: string[], o: { out: string; baseline?: string; forceBaseline?: boolean; saveBaseline?: string; failOn?: string[]; calibration?: string; bench?: string[]; sensitivity?: string; strategyFile?: string[]; force?: boolean }) => {
      const { reportCommand } = await import('../report/command.ts');
      const { strategyFile, force, ...rest } = o;
      for (const st of (await strategyFiles()).loadStrategyFilesQuiet(strategyFile, force)) process.stderr.write(`report: user strategy ${st}\n`);
      setCode(await reportCommand({ inputs, ...rest, log: (l) => process.stderr.write(`${l}\n`) }));
    });

  p.command('bench')
    .description('the tinybench suites: WASM SIMD / scalar beside the TS reference and native C, simulation throughput')
    .option('--quick', 'CI smoke mode: small sizes, short runs')
    .option('--json <file>', 'write the JSON record (with provenance) here, or - for stdout')
    .option('--save-baseline <name>', 'save the record as a baseline')
    .option('--baseline <name|file>', 'compare with a saved baseline (noise-aware verdicts)')
    .option('--suite <name...>', 'run only these suites')
    .option('--repeats <n>', 'rounds of the workers suite (the default worker count against W=1 and W=2; default 5, --quick 3)', int('--repeats', 1, 1000))
    .action(async (o: { quick?: boolean; json?: string; saveBaseline?: string; baseline?: string; suite?: string[]; repeats?: number }) => {
      const { benchCommand } = await import('../../bench/command.ts');
      setCode(await benchCommand({ quick: o.quick, json: o.json, saveBaseline: o.saveBaseline, baseline: o.baseline, suites: o.suite, repeats: o.repeats }));
    });

  p.command('calibrate')
    .description("measure the host kernel's seal path with the native probe, fit the model's costs, compare the model with every measurement; with --kernel, another kernel booted under QEMU")
    .option('--out <file>', 'write the calibration file here (default: out/calibration.json; with --kernel out/calibration-<release>.json)')
    .option('--quick', 'a short probe run (fewer delays and repetitions)')
    .option('--budget <seconds>', 'the probe\'s time limit (default 40; in a guest 60)', int('--budget', 5, 600))
    .option('--recorded <file>', 'fit a recorded probe output instead of running the probe')
    .option('--allow-partial', 'fit a probe run that did not finish (killed, interrupted), with a warning in the file')
    .option('--cases <list>', 'the probe cases to run, a comma list of a..g (default a,b,c,d,e; f, the RT-window phase, adds ~45 s)', probeCaseList)
    .option('--replications <n>', 'model replications per case for the distribution checks (busy sealer, RT window phase)', int('--replications', 200, 100000), 200)
    .option('--kernel <spec>', 'boot this kernel under QEMU and run the probe in it: 6.1, 6.12, 6.12-rt, a Debian package name, or a path to a vmlinuz-<release> with its config-<release> beside it (docs/calibration.md)')
    .option('--cpus <n>', 'the guest\'s vCPUs (with --kernel; 2..64, default 8)', int('--cpus', 2, 64))
    .addOption(new Option('--accel <how>', 'the guest\'s accelerator (with --kernel): auto tries KVM, then TCG').choices(['auto', 'kvm', 'tcg']).default('auto'))
    .option('--full', 'with --kernel: the full probe run in the guest instead of its quick one')
    .action(async (o: CalibrateCliOptions) => {
      if (o.kernel !== undefined) return setCode(await (await import('./calibrate-guest.ts')).calibrateGuestCommand(o, out));
      for (const f of ['cpus', 'full'] as const) if (o[f] !== undefined) throw new UsageError(`--${f} needs --kernel (a guest to boot)`);
      if (o.accel !== 'auto') throw new UsageError('--accel needs --kernel (a guest to boot)');
      setCode(await calibrateCommand({ ...o, out: o.out ?? 'out/calibration.json', budget: o.budget ?? 40 }, out));
    });

  p.command('validate')
    .description('the validation suite: docs/kernel-model.md E1/E2 cases (and calibration comparisons)')
    .option('--calibration <file>', 'also compare the model with this calibration file\'s measurements')
    .option('--against <file>', 'with --calibration: also check the distributions out of sample, on this other calibration file\'s measurements')
    .option('--replications <n>', 'model replications per case for the distribution checks', int('--replications', 200, 100000), 200)
    .option('--json', 'print the results as JSON')
    .action(async (o: { calibration?: string; against?: string; replications: number; json?: boolean }) => setCode(await (await import('./validate.ts')).validateCommand(o, out)));

  p.command('sweep')
    .description('run a parameter grid x replications on a worker pool, streaming cells to DIR/cells.jsonl (docs/scaling.md)')
    .requiredOption('--file <sweep.json>', 'the sweep file: { name, base, params, constraints?, replications, strategies?, seed? }')
    .option('--out <dir>', 'output directory (default out/sweeps/<name>[/shard-<i>-of-<N>])')
    .option('--workers <n|auto>', WORKERS_HELP, workersOpt(256))
    .option('--shard <i/N>', 'run shard i of N, 0-based (also JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)')
    .option('--shards <n>', 'shard count, with --shard i or an index from the environment (also DRAINLAB_SHARDS, SLURM_ARRAY_TASK_COUNT)', int('--shards', 1, 1_000_000))
    .option('--resume', 'complete the sweep in --out: skip the cells already there (cuts a torn final line)')
    .option('--quiet', 'no live progress line, only the final summary')
    .option('--json', 'print the summary as JSON on stdout')
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .action(async (o: SweepOptions) => setCode(await (await import('../sweep/command.ts')).sweepCommand(o, out)));

  p.command('sensitivity')
    .description('which assumptions drive each result: Morris screening of cost, workload and kernel factors, then Sobol indices of those that matter (docs/sensitivity.md)')
    .addOption(new Option('--scenario <file>', 'scenario JSON file').conflicts('preset'))
    .option('--preset <name>', 'a shipped preset (`drainlab presets` lists them)')
    .option('--metric <name...>', 'metrics of the registry (repeatable; an unknown name lists them all)', ['spuriousEbusy', 'latencyMs.p99'])
    .option('--strategy <name...>', 'strategies (default: the scenario\'s)')
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .option('--factor <spec...>', 'PATH=MIN:MAX[:log|:int] (repeatable; default: every cost, busy CPUs, pin durations, PAGEVEC_SIZE, HZ the scenario can use)')
    .option('--trajectories <r>', 'Morris trajectories', int('--trajectories', 2, 1000), 10)
    .option('--levels <p>', 'Morris grid levels (even)', int('--levels', 2, 20), 4)
    .option('--samples <n>', 'Sobol base samples N (N x (k + 2) runs)', int('--samples', 2, 100_000), 48)
    .option('--sobol-factors <k>', 'at most this many factors go on from screening to Sobol', int('--sobol-factors', 1, 50), 4)
    .option('--seed <n>', 'the design\'s and the runs\' seed (one seed for every point: common random numbers)', int('--seed', 0), 1)
    .option('--out <dir>', 'output directory (default out/sensitivity/<name>)')
    .option('--workers <n|auto>', WORKERS_HELP, workersOpt(256))
    .option('--shard <i/N>', 'run shard i of N of the current phase (merge DIR/morris, then DIR/sobol, with drainlab merge)')
    .option('--shards <n>', 'shard count, with --shard i or an index from the environment', int('--shards', 1, 1_000_000))
    .option('--resume', 'complete the runs already in --out')
    .option('--quiet', 'no live progress line')
    .option('--json', 'print DIR/sensitivity.json on stdout')
    .action(async (o: { scenario?: string; preset?: string; metric: string[]; strategy?: string[]; strategyFile?: string[]; force?: boolean; factor?: string[]; trajectories: number; levels: number; samples: number; sobolFactors: number; seed: number; out?: string; workers?: number | 'auto'; shard?: string; shards?: number; resume?: boolean; quiet?: boolean; json?: boolean }) => {
      const [sens, { resolveShard }, { resolveScenario }, sf] = await Promise.all([import('../sweep/sensitivity.ts'), import('../sweep/shard.ts'), import('../scenario/resolve.ts'), strategyFiles()]);
      if (o.levels % 2 !== 0) throw new UsageError(`--levels: got ${o.levels}; allowed: an even number in 2..20`);
      const users = sf.loadStrategyFiles(o.strategyFile, o.force);
      const { input, name } = sens.sensitivityInput(o.preset ?? (o.scenario ? undefined : 'debate-2017'), o.scenario);
      const s0 = resolveScenario(input, name);
      const strategies = o.strategy || users.length ? sf.withStrategies(o.strategy ?? s0.strategies, users) : undefined;
      const defaults = sens.defaultFactors(s0);
      const factors = o.factor ? o.factor.map((f) => sens.parseFactor(f, defaults)) : undefined;
      const shard = resolveShard(o.shard, o.shards);
      const log = o.quiet ? () => {} : (l: string) => process.stderr.write(`${l}\n`);
      const r = await sens.runSensitivity({
        input, name, metrics: o.metric, strategies, factors, trajectories: o.trajectories, levels: o.levels, samples: o.samples, sobolFactors: o.sobolFactors, seed: o.seed,
        out: o.out ?? `out/sensitivity/${name.replace(/[^\w.-]+/g, '_')}`, workers: o.workers ?? 'auto', shard, resume: !!o.resume,
        progress: !o.quiet && !!process.stderr.isTTY, log,
      });
      if (!r.result) {
        log(r.message ?? 'sensitivity: incomplete');
        setCode(r.summaries.some((x) => x.interrupted) ? 130 : 0);
        return;
      }
      out(o.json ? JSON.stringify(r.result, null, 2) : sens.sensitivityTable(r.result));
      setCode(r.summaries.some((x) => x.failed > 0 || x.strategyFailures > 0) ? 1 : 0);
    });

  p.command('merge')
    .description('join sweep outputs (shards) into one cells.jsonl sorted by cellId; refuses different sweeps or lab versions')
    .argument('<dirs...>', 'sweep output directories (each with sweep.json and cells.jsonl)')
    .requiredOption('--out <dir>', 'the merged output directory')
    .option('--canonical', 'write lines without record.provenance (byte-comparable across runs and hosts)')
    .option('--allow-partial', 'exit 0 even when cells of the sweep are missing')
    .option('--json', 'print the merge summary as JSON on stdout')
    .action(async (dirs: string[], o: MergeOptions) => setCode((await import('../sweep/command.ts')).mergeCommand(dirs, o, out)));

  p.command('tune')
    .description('the smallest CPU count at which a strategy\'s metric crosses a budget; or, with --workers auto alone, the best worker count for this host')
    .addOption(new Option('--scenario <file>', 'scenario JSON file').conflicts('preset'))
    .option('--preset <name>', 'a shipped preset (`drainlab presets` lists them)')
    .option('--strategy <name>', `the strategy: ${STRATEGY_NAMES.join(', ')}, or a --strategy-file's`)
    .option(...STRATEGY_FILE_OPTION)
    .option(...FORCE_OPTION)
    .option('--metric <name>', 'a metric of the registry (latencyMs.p99, lockHoldMs.max, drainCpuMs, cpusPerSeal ...; an unknown name lists them all)', 'latencyMs.p99')
    .option('--budget <x>', 'the metric value to cross', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--budget: got ${JSON.stringify(v)}; allowed: a number`);
      return n;
    })
    .option('--cpus-min <n>', 'smallest CPU count to try (default: the smallest the scenario accepts)', int('--cpus-min', 1, 8192))
    .option('--cpus-max <n>', 'largest CPU count to try', int('--cpus-max', 1, 8192), 8192)
    .option('--replications <n>', 'replications per point (default 5; with --workers auto: cells of the fixed sweep, default 24)', int('--replications', 1, 100_000))
    .option('--seed <n>', 'base seed (replication r uses seed + r)', int('--seed', 0))
    .option('--workers <n|auto>', 'worker threads for the CPU-count search (default: as many as the work pays for); or auto alone, without --budget: measure W = 1..cores and pick the best')
    .option('--quiet', 'no per-point notes on stderr')
    .option('--json', 'print the result as JSON')
    .action(async (o: TuneOptions) => setCode(await (await import('../sweep/command.ts')).tuneCommand(o, out)));

  // Traces (docs/traces.md): record this machine, fit a scenario to it, replay it at any scale.
  p.command('record')
    .description('trace this machine\'s seals, drain_all calls, page production and CPU occupancy with tracefs (root) into a gzip\'d JSONL trace')
    .requiredOption('--seconds <s>', 'how long to record', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86400) throw new UsageError(`--seconds: got ${JSON.stringify(v)}; allowed: a number in (0, 86400]`);
      return n;
    })
    .option('--cpus <list>', 'only these CPUs (cpulist, e.g. "0-3,8")')
    .option('--comm <name>', 'only seals, fadvise and drain_all calls of tasks with this name (globs * ? allowed)')
    .option('--buffer-kb <n>', 'ring buffer per CPU, KiB', int('--buffer-kb', 64, 1 << 20))
    .requiredOption('--out <file>', 'the trace file (.jsonl.gz)')
    .action(async (o: { seconds: number; cpus?: string; comm?: string; bufferKb?: number; out: string }) => {
      const { recordCommand } = await import('./trace.ts');
      setCode(await recordCommand(o, out));
    });

  p.command('fit-workload')
    .description('fit a scenario (rates with 95% intervals, CPU classes, drain_all callers, seals, inferred pins) to a recorded trace')
    .argument('<trace>', 'a drainlab record trace (.jsonl.gz)')
    .option('--cpus <n>', 'scale to N CPUs (CPU j replays recorded CPU j mod R)', int('--cpus', 1, 8192))
    .option('--comm <name>', 'fit only the seals, drain_all callers and page producers of tasks with this name (globs)')
    .option('--horizon-ms <ms>', 'the scenario\'s horizon (default: the trace\'s window, at most 3000)', int('--horizon-ms', 1, 3_600_000))
    .requiredOption('--out <file>', 'the scenario file')
    .option('--json', 'print the parameters as JSON')
    .option('--known <file>', 'check the fit against a workload of known rates (the JSON line probe/bin/drainworkload prints); exit 1 when a known figure is outside its interval')
    .action(async (trace: string, o: { cpus?: number; comm?: string; horizonMs?: number; out: string; json?: boolean; known?: string }) => {
      const { fitCommand } = await import('./trace.ts');
      setCode(fitCommand(trace, o, out));
    });

  p.command('replay')
    .description('run a recorded trace\'s own arrivals under each strategy (the recorded kernel\'s strategy first), optionally on N CPUs; writes a run record')
    .argument('<trace>', 'a drainlab record trace (.jsonl.gz)')
    .option('--cpus <n>', 'replay on N CPUs (CPU j replays recorded CPU j mod R)', int('--cpus', 1, 8192))
    .option('--strategy <name...>', `strategies (repeatable; the kernel's own is always added): ${STRATEGY_NAMES.join(', ')}`)
    .option('--comm <name>', 'replay only the seals, drain_all callers and page producers of tasks with this name (globs; kworkers\' drains are kept)')
    .option('--seconds <s>', 'replay only the first S seconds of the trace', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--seconds: got ${JSON.stringify(v)}; allowed: a number > 0`);
      return n;
    })
    .option('--workers <n|auto>', WORKERS_HELP, workersOpt(48))
    .option('--out <file>', 'write the run record here (for drainlab report and --fail-on)')
    .option('--json', 'print the run record on stdout')
    .action(async (trace: string, o: { cpus?: number; strategy?: string[]; comm?: string; seconds?: number; workers?: number | 'auto'; out?: string; json?: boolean }) => {
      const { replayCommand } = await import('./trace.ts');
      setCode(await replayCommand(trace, o, out));
    });

  return p;
}

export interface CalibrateCliOptions {
  out?: string; quick?: boolean; budget?: number; recorded?: string; allowPartial?: boolean;
  kernel?: string; cpus?: number; accel: 'auto' | 'kvm' | 'tcg'; full?: boolean;
  /** Host probe cases (--cases) and model replications for the distribution checks (--replications). */
  cases?: ProbeCase[]; replications: number;
}

/** --cases: a comma list of the probe's cases (src/calibrate/probe.ts PROBE_CASES). */
function probeCaseList(v: string): ProbeCase[] {
  const all: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (!list.length || list.some((x) => !all.includes(x))) throw new UsageError(`--cases: got ${JSON.stringify(v)}; allowed: a comma list of ${all.join(', ')}`);
  return [...new Set(list)] as ProbeCase[];
}

async function calibrateCommand(o: CalibrateCliOptions & { out: string; budget: number }, out: (s: string) => void): Promise<number> {
  const { calibrate } = await import('../calibrate/index.ts');
  const { simPredictor } = await import('../calibrate/predict.ts');
  let recorded: string | undefined;
  if (o.recorded !== undefined) recorded = (await import('../io/files.ts')).readInputText(o.recorded, '--recorded'); // '' is exit 2, never the live probe
  let r: Awaited<ReturnType<typeof calibrate>>;
  try {
    // case f (the RT window phase, ~2 s a run) comes on top of the budget for the other cases
    const budgetMs = o.budget * 1000 + (o.cases?.includes('f') ? 45_000 : 0);
    r = await calibrate({ out: o.out, quick: o.quick, budgetMs, recorded, allowPartial: o.allowPartial, cases: o.cases, replications: o.replications, predictor: simPredictor(), log: (l) => process.stderr.write(`${l}\n`) });
  } catch (e) {
    // A recorded probe output that does not parse is the user's input: exit 2 naming the file and line.
    if (o.recorded !== undefined && (e as Error)?.name === 'ProbeOutputError') throw new UsageError(`--recorded ${o.recorded}: ${(e as Error).message.replace(/^recorded probe output:?/, 'line ')}`);
    throw e;
  }
  if (r.status === 'unavailable') {
    out(`calibrate: the native probe cannot run here: ${r.reason}. The lab works without it (default costs).`);
    return 0;
  }
  const c = r.file.comparison;
  for (const w of r.file.warnings ?? []) out(`calibrate: WARNING: ${w}`);
  if (r.file.load) {
    const { loadedHostLine, hostLoadSummary } = await import('../calibrate/fit.ts');
    if (r.file.load.loaded) out(`calibrate: ${loadedHostLine(r.file.load)}`);
    const summary = hostLoadSummary(r.file.load);
    if (summary) out(`calibrate: ${summary}`);
  }
  out(`calibrate: ${r.file.host.kernel}, HZ=${r.file.host.hz}; fitted ${Object.keys(r.file.costs).join(', ')}; wrote ${r.path}`);
  if (c) out(`model against measurement: ${c.passed} passed, ${c.failed} failed (drainlab validate --calibration ${r.path} shows each case)`);
  if (r.file.distributions?.length) out((await import('./distributions.ts')).distributionSummary(r.file.distributions, 'in-sample'));
  return 0;
}

/** Exit status of a process ended by a signal, by convention 128 + the signal number. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
/**
 * A SIGINT or SIGTERM that arrives while no command handles it (start-up, shutdown, a command that
 * does not stop gracefully) exits 130 / 143 at once. Commands that stop gracefully (sweep) add their
 * own listener; while one is present this one stands aside. Temporary files of the atomic writer
 * are removed by its exit hook. bin/drainlab.js installs the same guard before the CLI loads.
 */
export function installSignalGuard(): void {
  const g = globalThis as { __drainlabSignalGuard?: boolean };
  if (g.__drainlabSignalGuard) return;
  g.__drainlabSignalGuard = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (process.listenerCount(sig) > 1) return; // a command handles it
      process.stderr.write(`\ndrainlab: ${sig}\n`);
      process.exit(SIGNAL_EXIT[sig]);
    });
  }
}

/** A failure of the user's environment or input that reached here untyped (a file-system errno): exit 2, not a crash. */
function userCaused(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code) && typeof err.syscall === 'string') return `${err.syscall}${err.path ? ` ${err.path}` : ''}: ${err.message}`;
  return undefined;
}

/** Runs the CLI; returns the exit code (bin/drainlab.js sets it). */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const out = (s: string) => process.stdout.write(termSafe(s.endsWith('\n') ? s : s + '\n'));
  try {
    await program(out, (c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the message (unknown option, missing argument ...)
    }
    if (e instanceof UsageError) {
      process.stderr.write(`drainlab: ${termSafe(e.message)}\n`);
      return 2;
    }
    const user = userCaused(e);
    if (user !== undefined) {
      process.stderr.write(`drainlab: ${termSafe(user)}\n`);
      return 2;
    }
    process.stderr.write(`drainlab: internal error: ${termSafe(String((e as Error)?.stack ?? e))}\n`);
    return 1;
  }
}
