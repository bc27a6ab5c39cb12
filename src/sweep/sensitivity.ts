/**
 * `drainlab sensitivity`: which assumptions does each conclusion depend on? Over a scenario,
 * factors with ranges (costs, pin durations, busy CPUs, PAGEVEC_SIZE, HZ ...) and metrics of
 * the registry, per strategy:
 *
 *   1. Morris screening (stats/sensitivity.ts): r trajectories on a p-level grid, mu* and sigma
 *      per factor; the factors whose mu* reaches SURVIVE of the largest for some (strategy,
 *      metric) go on, at most `sobolFactors` of them;
 *   2. Sobol S1 and ST for those (Saltelli sampling, N base rows; the others at their nominal
 *      value), with bootstrap CIs.
 *
 * Each design point is a sweep cell run by the sweep machinery (runSweep): the worker pool, one
 * seed for every point (common random numbers), DIR/morris and DIR/sobol as resumable JSONL,
 * --shard i/N (merge the shards' DIR/morris with `drainlab merge`, then run again with --resume
 * for the Sobol phase). DIR/sensitivity.json holds the indices and one sentence per finding.
 */
import { inWordsList, textTable } from '../io/format.ts';
import type { WorkersOption } from '../pool/auto-workers.ts';
import { PoolKeeper } from '../pool/cell-pool.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { writeAtomic } from '../io/files.ts';
import { PRESETS } from '../scenario/presets.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { requireMetric, type Metric } from '../metrics/registry.ts';
import type { SweepCell } from '../metrics/cells.ts';
import { morrisDesign, morrisEffects, saltelliDesign, sobolIndices, type Index } from '../stats/sensitivity.ts';
import { canonicalJson, cellIdOf, sha256 } from './canonical.ts';
import { LAB_VERSION, type CellSpec, type ResolvedSweep } from './grid.ts';
import { CELLS_FILE, runSweep, type CellSource, type SweepSummary } from './runner.ts';
import type { Shard } from './shard.ts';
import type { JsonValue } from './schema.ts';

/**
 * One factor: a number at `path` in the scenario input drawn from [min, max] (`log`: uniform in
 * log space; `integer`: rounded), or `scale`: every number matched by the path (a `[*]` segment
 * matches every element) multiplied by the drawn value; or `busyCpus`: CPUs 1..n run a CFS hog.
 */
export interface Factor {
  name: string;
  path: string;
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
  scale?: boolean;
  /** A list of allowed values (e.g. HZ): the unit interval is split evenly among them. */
  values?: number[];
  busyCpus?: boolean;
  /** What the factor stands for, for the findings. */
  about: string;
}

/** The factors every preset offers (those the scenario cannot use are left out). */
export function defaultFactors(s: Scenario): Factor[] {
  const f: Factor[] = [
    { name: 'kworkerIdleWakeNs', path: 'costs.kworkerIdleWakeNs', min: 5_000, max: 200_000, log: true, about: 'the kworker wake-up on an idle CPU' },
    { name: 'kworkerBusyMaxNs', path: 'costs.kworkerBusyMaxNs', min: 250_000, max: 10_000_000, log: true, about: 'how long a kworker waits behind a CFS hog, up to a tick' },
    { name: 'kworkerBusyPreemptProb', path: 'costs.kworkerBusyPreemptProb', min: 0, max: 1, about: 'the chance a woken kworker preempts a CFS hog at once' },
    { name: 'busyCpus', path: 'cpuClasses', min: 0, max: Math.max(0, s.cpus - 1), integer: true, busyCpus: true, about: 'how many CPUs run a CFS hog' },
    { name: 'timerSlackNs', path: 'costs.timerSlackNs', min: 10_000, max: 500_000, log: true, about: 'the timer slack of the wait loop\'s sleeps' },
    { name: 'queueWorkNs', path: 'costs.queueWorkNs', min: 300, max: 10_000, log: true, about: 'queueing drain work on a CPU (IPI)' },
    { name: 'flushWakeNs', path: 'costs.flushWakeNs', min: 500, max: 20_000, log: true, about: 'waking the flusher when a work item completes' },
    { name: 'drainNsPerPage', path: 'costs.drainNsPerPage', min: 20, max: 300, log: true, about: 'the per-page cost of a drain' },
    { name: 'tagWalkNsPerPage', path: 'costs.tagWalkNsPerPage', min: 3, max: 40, log: true, about: 'the tag walk per page' },
    { name: 'mutexHandoffNs', path: 'costs.mutexHandoffNs', min: 500, max: 20_000, log: true, about: 'the mutex hand-off' },
    { name: 'pagevecSize', path: 'pagevecSize', min: 7, max: 31, integer: true, about: 'PAGEVEC_SIZE, the pages a CPU parks before it drains itself' },
    { name: 'hz', path: 'hz', min: 0, max: 0, values: [100, 250, 300, 1000], about: 'HZ, since the wait loop sleeps in jiffies' },
  ];
  if (s.script.some((o) => o.op === 'pin')) f.push({ name: 'pinDurationScale', path: 'script[*].forMs', min: 0.25, max: 4, log: true, scale: true, about: 'how long direct-IO pins are held' });
  if (s.cpus < 2) return f.filter((x) => !x.busyCpus);
  return f;
}

/** --factor NAME=MIN:MAX[:log|:int] (a path into the scenario, or a default factor's name with new bounds). */
export function parseFactor(spec: string, defaults: Factor[]): Factor {
  const m = /^([\w.[\]*]+)=(-?[\d.e+]+):(-?[\d.e+]+)(?::(log|int))?$/.exec(spec);
  if (!m) throw new UsageError(`--factor: got ${JSON.stringify(spec)}; allowed: PATH=MIN:MAX[:log|:int], e.g. costs.queueWorkNs=500:5000:log, or a default factor's name (${defaults.map((d) => d.name).join(', ')})`);
  const [, path, lo, hi, kind] = m;
  const min = Number(lo);
  const max = Number(hi);
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) throw new UsageError(`--factor ${spec}: MIN < MAX, both numbers`);
  if (kind === 'log' && min <= 0) throw new UsageError(`--factor ${spec}: a log range needs MIN > 0`);
  const base = defaults.find((d) => d.name === path);
  if (base) return { ...base, min, max, ...(kind === 'log' ? { log: true } : {}), ...(kind === 'int' ? { integer: true } : {}) };
  return { name: path!, path: path!, min, max, log: kind === 'log', integer: kind === 'int', about: path! };
}

/** The value of factor `f` at unit coordinate u. */
export function factorValue(f: Factor, u: number): number {
  if (f.values) return f.values[Math.min(f.values.length - 1, Math.floor(u * f.values.length))]!;
  const v = f.log ? Math.exp(Math.log(f.min) + u * (Math.log(f.max) - Math.log(f.min))) : f.min + u * (f.max - f.min);
  return f.integer ? Math.round(v) : Math.round(v * 1e6) / 1e6;
}

type Seg = string | number | '*';
function segments(path: string): Seg[] {
  const out: Seg[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[(?:\d+|\*)\])*)$/.exec(part);
    if (!m) throw new UsageError(`--factor: bad path ${JSON.stringify(path)}`);
    out.push(m[1]!);
    for (const idx of m[2]!.match(/\[(\d+|\*)\]/g) ?? []) out.push(idx === '[*]' ? '*' : Number(idx.slice(1, -1)));
  }
  return out;
}

const SKIP = Symbol('skip');

function apply(o: unknown, segs: Seg[], fn: (v: unknown) => unknown): number {
  if (segs.length === 0) return 0;
  const [head, ...rest] = segs;
  if (head === '*') {
    if (!Array.isArray(o)) return 0;
    return o.reduce((n: number, _v, i) => n + applyAt(o, i, rest, fn), 0);
  }
  if (o === null || typeof o !== 'object') return 0;
  return applyAt(o as Record<string | number, unknown>, head!, rest, fn);
}
function applyAt(o: Record<string | number, unknown> | unknown[], k: string | number, rest: Seg[], fn: (v: unknown) => unknown): number {
  const c = o as Record<string | number, unknown>;
  if (rest.length === 0) {
    const v = fn(c[k]);
    if (v === SKIP) return 0;
    c[k] = v;
    return 1;
  }
  if (c[k] === undefined || c[k] === null) c[k] = typeof rest[0] === 'number' ? [] : {};
  return apply(c[k], rest, fn);
}

/** The scenario input with every factor set from its unit coordinate. */
export function applyFactors(input: Record<string, unknown>, factors: Factor[], u: readonly number[]): Record<string, unknown> {
  const out = structuredClone(input);
  factors.forEach((f, i) => {
    const v = factorValue(f, u[i]!);
    if (f.busyCpus) {
      const classes = (out.cpuClasses as unknown[] | undefined) ?? [];
      out.cpuClasses = v > 0 ? [...classes, { cpus: v === 1 ? '1' : `1-${v}`, class: 'busy' }] : classes;
      return;
    }
    const n = apply(out, segments(f.path), (old) => (f.scale ? (typeof old === 'number' ? Math.max(0.001, Math.round(old * v * 1000) / 1000) : SKIP) : v));
    if (n === 0 && f.scale) throw new UsageError(`--factor ${f.name}: ${f.path} matches no number in the scenario`);
  });
  return out;
}

export interface SensitivityOptions {
  /** The scenario input (a preset's, or a file's). */
  input: Record<string, unknown>;
  name: string;
  metrics: string[];
  strategies?: string[];
  factors?: Factor[];
  trajectories: number;
  levels: number;
  samples: number;
  sobolFactors: number;
  seed: number;
  out: string;
  /** A count, or 'auto' (src/pool/auto-workers.ts). */
  workers: WorkersOption;
  shard: Shard | null;
  resume: boolean;
  progress: boolean;
  log: (l: string) => void;
  /** Warm pools shared with the caller's other sweeps (study); default: the run's own, for both phases. */
  pools?: PoolKeeper;
}

/** A factor's Morris statistics for one output. */
export interface MorrisRow {
  factor: string;
  muStar: number;
  mu: number;
  sigma: number;
}

export interface SobolRow {
  factor: string;
  s1: Index;
  st: Index;
}

/** One output: a metric of one strategy. */
export interface OutputResult {
  strategy: string;
  metric: string;
  /** Spread of the output over the Morris points (0: the metric never moved). */
  min: number;
  max: number;
  morris: MorrisRow[];
  sobol: SobolRow[] | null;
  /** One sentence: what this output depends on. */
  finding: string;
}

export interface SensitivityResult {
  schema: 'drainlab/sensitivity@1';
  scenario: string;
  factors: Factor[];
  design: { trajectories: number; levels: number; samples: number; seed: number; morrisRuns: number; sobolRuns: number };
  survivors: string[];
  outputs: OutputResult[];
  /** Factors ranked by their largest normalised mu* over every output. */
  ranking: { factor: string; score: number; about: string }[];
}

/** Factors whose mu* reaches this share of an output's largest survive screening. */
export const SURVIVE = 0.1;

class Design implements CellSource {
  readonly config: ResolvedSweep;
  readonly configHash: string;
  constructor(
    readonly phase: string,
    readonly points: number[][],
    readonly factors: Factor[],
    readonly o: SensitivityOptions,
    readonly fixed: Record<string, unknown>,
  ) {
    const design = canonicalJson({ phase, factors: factors as unknown as JsonValue, points, fixed: fixed as JsonValue, seed: o.seed }) as unknown as JsonValue;
    this.config = {
      schema: 'drainlab/sweep@1',
      name: `${o.name}-${phase}`,
      description: `sensitivity ${phase} design over ${factors.map((f) => f.name).join(', ')}`,
      base: o.input,
      presets: {},
      params: factors.map((f) => ({ path: f.path, values: [f.min, f.max] })),
      constraints: [],
      replications: 1,
      strategies: o.strategies ?? null,
      seed: o.seed,
      gridPoints: points.length,
      points: points.length,
      cells: points.length,
      design: sha256(design as unknown as string),
    };
    this.configHash = sha256(canonicalJson(this.config));
  }

  *cells(): Generator<CellSpec> {
    for (let row = 0; row < this.points.length; row++) {
      const u = this.points[row]!;
      const input = applyFactors(this.fixed, this.factors, u);
      if (this.o.strategies) input.strategies = [...this.o.strategies];
      input.seed = this.o.seed; // common random numbers: every point sees the same arrivals
      let s: Scenario;
      try {
        s = resolveScenario(input, `(sensitivity ${this.phase} row ${row})`);
      } catch (e) {
        throw new UsageError(`sensitivity: the design point ${row} (${this.factors.map((f, i) => `${f.name}=${factorValue(f, u[i]!)}`).join(', ')}) is not a valid scenario: ${(e as Error).message}`);
      }
      const params = Object.fromEntries([['row', row], ...this.factors.map((f, i) => [f.name, factorValue(f, u[i]!)])]);
      const id = sha256(`${this.phase}/${row}/${cellIdOf(s, 0, LAB_VERSION)}`).slice(0, 24);
      yield { cellId: id, pointId: id, pointIndex: row, ordinal: row, params, replication: 0, scenario: { ...s, replication: 0 } };
    }
  }
}

/** Outputs (strategy x metric) per design row, read back from a phase's cells.jsonl. */
function readOutputs(dir: string, design: Design, metrics: Metric[]): { strategies: string[]; y: Map<string, number[]> } | undefined {
  const path = join(dir, CELLS_FILE);
  if (!existsSync(path)) return undefined;
  const want = new Map<string, number>();
  let row = 0;
  for (const c of design.cells()) want.set(c.cellId, row++);
  const y = new Map<string, number[]>();
  const strategies: string[] = [];
  let found = 0;
  const seen = new Set<number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    let cell: SweepCell;
    try {
      cell = JSON.parse(line) as SweepCell;
    } catch {
      continue;
    }
    const r = want.get(cell.cellId);
    if (r === undefined || seen.has(r)) continue;
    seen.add(r);
    found++;
    for (const run of cell.record.runs) {
      if (!strategies.includes(run.strategy)) strategies.push(run.strategy);
      for (const m of metrics) {
        const key = `${run.strategy}\0${m.name}`;
        if (!y.has(key)) y.set(key, new Array(want.size).fill(NaN));
        const v = m.of(run);
        y.get(key)![r] = v === undefined || v === null ? NaN : v;
      }
    }
  }
  return found === want.size ? { strategies, y } : undefined;
}

const NOMINAL = 0.5;

export async function runSensitivity(o: SensitivityOptions): Promise<{ result: SensitivityResult | null; summaries: SweepSummary[]; message?: string }> {
  if (o.pools) return sensitivityRun(o, o.pools);
  const pools = new PoolKeeper(); // the Morris and Sobol phases share warm workers
  try {
    return await sensitivityRun(o, pools);
  } finally {
    await pools.close();
  }
}

async function sensitivityRun(o: SensitivityOptions, pools: PoolKeeper): Promise<{ result: SensitivityResult | null; summaries: SweepSummary[]; message?: string }> {
  const metrics = o.metrics.map((m) => requireMetric(m, '--metric'));
  const s0 = resolveScenario(o.input, o.name);
  const factors = o.factors ?? defaultFactors(s0);
  if (factors.length < 2) throw new UsageError('sensitivity: at least 2 factors');
  const sweepOpts = (dir: string) => ({ out: dir, workers: o.workers, shard: o.shard, resume: o.resume, progress: o.progress, log: o.log, pools });
  const summaries: SweepSummary[] = [];

  // 1. Morris.
  const md = morrisDesign(factors.length, o.trajectories, o.levels, o.seed);
  const morris = new Design('morris', md.points, factors, o, o.input);
  const mdir = join(o.out, 'morris');
  let mOut = readOutputs(mdir, morris, metrics);
  if (!mOut) {
    o.log(`sensitivity: Morris screening, ${factors.length} factors x ${o.trajectories} trajectories = ${md.points.length} runs -> ${mdir}`);
    summaries.push(await runSweep(morris, sweepOpts(mdir)));
    mOut = readOutputs(mdir, morris, metrics);
    if (!mOut) return { result: null, summaries, message: o.shard ? `sensitivity: shard ${o.shard.index}/${o.shard.count} of the Morris phase done; merge the shards' morris/ into ${mdir} (drainlab merge ... --out ${mdir}) and run again with --resume` : `sensitivity: the Morris phase is incomplete (${mdir}); run again with --resume` };
  }
  const outputs: OutputResult[] = [];
  const score = new Map<string, number>(factors.map((f) => [f.name, 0]));
  for (const [key, y] of mOut.y) {
    const [strategy, metric] = key.split('\0') as [string, string];
    const e = morrisEffects(md, y);
    const finite = y.filter(Number.isFinite);
    const top = Math.max(0, ...e.muStar.filter(Number.isFinite));
    if (top > 0) factors.forEach((f, i) => score.set(f.name, Math.max(score.get(f.name)!, (e.muStar[i] ?? 0) / top)));
    outputs.push({
      strategy, metric,
      min: finite.length ? Math.min(...finite) : NaN,
      max: finite.length ? Math.max(...finite) : NaN,
      morris: factors.map((f, i) => ({ factor: f.name, muStar: e.muStar[i]!, mu: e.mu[i]!, sigma: e.sigma[i]! })).sort((a, b) => b.muStar - a.muStar),
      sobol: null,
      finding: '',
    });
  }
  const ranking = factors.map((f) => ({ factor: f.name, score: score.get(f.name)!, about: f.about })).sort((a, b) => b.score - a.score);
  const survivors = ranking.filter((r) => r.score >= SURVIVE).slice(0, o.sobolFactors).map((r) => r.factor);

  // 2. Sobol on the survivors, the others at their nominal (mid-range) value.
  let sobolRuns = 0;
  if (survivors.length >= 1 && o.samples >= 2) {
    const sf = factors.filter((f) => survivors.includes(f.name));
    const rest = factors.filter((f) => !survivors.includes(f.name));
    const fixed = applyFactors(o.input, rest, rest.map(() => NOMINAL));
    const sd = saltelliDesign(sf.length, o.samples, o.seed);
    sobolRuns = sd.points.length;
    const sobol = new Design('sobol', sd.points, sf, o, fixed);
    const sdir = join(o.out, 'sobol');
    let sOut = readOutputs(sdir, sobol, metrics);
    if (!sOut) {
      o.log(`sensitivity: Sobol indices of ${sf.map((f) => f.name).join(', ')}, N = ${o.samples}: ${sd.points.length} runs -> ${sdir}`);
      summaries.push(await runSweep(sobol, sweepOpts(sdir)));
      sOut = readOutputs(sdir, sobol, metrics);
      if (!sOut) return { result: null, summaries, message: o.shard ? `sensitivity: shard ${o.shard.index}/${o.shard.count} of the Sobol phase done; merge the shards' sobol/ into ${sdir} and run again with --resume` : `sensitivity: the Sobol phase is incomplete (${sdir}); run again with --resume` };
    }
    for (const out of outputs) {
      const y = sOut.y.get(`${out.strategy}\0${out.metric}`);
      if (!y) continue;
      const r = sobolIndices(sd, y, { resamples: 300, seed: o.seed });
      out.sobol = sf.map((f, i) => ({ factor: f.name, s1: r.s1[i]!, st: r.st[i]! })).sort((a, b) => b.st.value - a.st.value);
    }
  }
  for (const out of outputs) out.finding = finding(out, factors, sobolRuns > 0 ? o.samples : undefined);
  const result: SensitivityResult = {
    schema: 'drainlab/sensitivity@1',
    scenario: o.name,
    factors,
    design: { trajectories: o.trajectories, levels: o.levels, samples: o.samples, seed: o.seed, morrisRuns: md.points.length, sobolRuns },
    survivors,
    outputs,
    ranking,
  };
  writeAtomic(join(o.out, 'sensitivity.json'), JSON.stringify(result, null, 2) + '\n');
  return { result, summaries };
}

/**
 * What one output depends on, as far as the intervals allow (every claim below needs its CI):
 * - `flat`: the output never moved over the design;
 * - `dominant`: one factor's total index ST is at least DOMINANT with its whole 95 % CI, and its CI
 *   lies above every other analysed factor's, and no factor left out of the Sobol phase moved the
 *   output in screening (Morris mu* at least SURVIVE of the output's largest);
 * - `noisy`: not dominant, and the leading factor's ST interval is wider than NOISY: more samples
 *   (--samples) are needed before anything can be said;
 * - `shared`: not dominant, the intervals narrow enough: several factors matter (those whose ST
 *   interval reaches the leader's), or one leads only among the analysed factors (`unanalysed`);
 * - `screening`: no Sobol indices for it (no survivor, or --samples below 2): Morris ranks only.
 */
export type Dependence =
  | { kind: 'flat'; value: number }
  | { kind: 'dominant'; top: SobolRow }
  | { kind: 'noisy'; top: SobolRow }
  | { kind: 'shared'; leaders: SobolRow[]; unanalysed: MorrisRow[] }
  | { kind: 'screening'; top: MorrisRow; next?: MorrisRow };

/** ST's lower bound a factor needs to be the one an output "depends mostly on". */
export const DOMINANT = 0.5;
/** An ST interval wider than this says nothing about which factor leads. */
export const NOISY = 0.4;

export function dependence(out: OutputResult): Dependence {
  if (!(out.max > out.min)) return { kind: 'flat', value: out.min };
  if (!out.sobol || out.sobol.length === 0) return { kind: 'screening', top: out.morris[0]!, ...(out.morris[1] ? { next: out.morris[1] } : {}) };
  const [top, ...others] = out.sobol as [SobolRow, ...SobolRow[]];
  const analysed = new Set(out.sobol.map((x) => x.factor));
  const largest = Math.max(0, ...out.morris.map((m) => m.muStar).filter(Number.isFinite));
  const unanalysed = out.morris.filter((m) => !analysed.has(m.factor) && largest > 0 && m.muStar >= SURVIVE * largest);
  const separated = others.every((b) => top.st.lo > b.st.hi);
  if (top.st.lo >= DOMINANT && separated && unanalysed.length === 0) return { kind: 'dominant', top };
  if (top.st.hi - top.st.lo > NOISY) return { kind: 'noisy', top };
  return { kind: 'shared', leaders: [top, ...others.filter((b) => b.st.hi >= top.st.lo)], unanalysed };
}

const pct = (v: number) => `${Math.round(v * 100)} %`;
const stText = (x: SobolRow) => `ST ${pct(x.st.value)} [${pct(x.st.lo)}, ${pct(x.st.hi)}]`;

/**
 * What several outputs of one scenario depend on, in as few sentences as the facts allow: outputs
 * that depend mostly on the same factor share one sentence, and so do the outputs no factor moved;
 * any other output keeps its own dependenceText sentence. `label` names an output ("spurious
 * EBUSY of no-drain"); outputs of one metric with the same figures are named together.
 */
export function dependenceSentences(outs: readonly OutputResult[], factors: Factor[], label: (metric: string) => string, prefix: string, samples?: number): string[] {
  const about = (n: string) => factors.find((f) => f.name === n)?.about ?? n;
  const deps = outs.map((o) => ({ o, d: dependence(o) }));
  // "M of A and B (figures)": outputs of one metric with equal figures named together.
  const named = (items: { o: OutputResult; fig: string }[]) => {
    const groups = new Map<string, { metric: string; fig: string; strategies: string[] }>();
    for (const { o, fig } of items) {
      const k = `${o.metric}\u0000${fig}`;
      const g = groups.get(k) ?? { metric: o.metric, fig, strategies: [] };
      g.strategies.push(o.strategy);
      groups.set(k, g);
    }
    return inWordsList([...groups.values()].map((g) => `${label(g.metric)} of ${inWordsList(g.strategies)} (${g.fig}${g.strategies.length > 1 && g.fig.startsWith('ST') ? ' each' : ''})`));
  };
  const out: string[] = [];
  const byFactor = new Map<string, { o: OutputResult; top: SobolRow }[]>();
  for (const { o, d } of deps) if (d.kind === 'dominant') byFactor.set(d.top.factor, [...(byFactor.get(d.top.factor) ?? []), { o, top: d.top }]);
  const flat = deps.filter((x) => x.d.kind === 'flat');
  let flatSaid = false;
  for (const { o, d } of deps) {
    if (d.kind === 'dominant') {
      const group = byFactor.get(d.top.factor);
      if (!group) continue; // already said with its group
      byFactor.delete(d.top.factor);
      if (group.length === 1) out.push(`${prefix}${label(o.metric)} of ${o.strategy} ${dependenceText(d, factors, samples)}.`);
      else {
        const above = group.some((g) => g.top.st.value > 1 || g.top.s1.value > 1);
        out.push(`${prefix}${named(group.map((g) => ({ o: g.o, fig: stText(g.top) })))} depend mostly on ${d.top.factor} (${about(d.top.factor)})${above ? '; an estimate above 100 % is sampling noise around 100 %' : ''}.`);
      }
    } else if (d.kind === 'flat') {
      if (flatSaid) continue;
      flatSaid = true;
      if (flat.length === 1) out.push(`${prefix}${label(o.metric)} of ${o.strategy} ${dependenceText(d, factors, samples)}.`);
      else out.push(`${prefix}${named(flat.map((x) => ({ o: x.o, fig: `${Number.isFinite(x.o.min) ? x.o.min : 'undefined'} at every point` })))} depend on none of the factors.`);
    } else out.push(`${prefix}${label(o.metric)} of ${o.strategy} ${dependenceText(d, factors, samples)}.`);
  }
  return out;
}

/**
 * The dependence in words, for a sentence about a verdict: "depends mostly on X (what it stands
 * for): ST 62 % [48 %, 75 %]", "no single assumption dominates it: ...", "too noisy to say ...".
 */
export function dependenceText(d: Dependence, factors: Factor[], samples?: number): string {
  const about = (n: string) => factors.find((f) => f.name === n)?.about ?? n;
  switch (d.kind) {
    case 'flat':
      return `depends on none of the factors (${Number.isFinite(d.value) ? d.value : 'undefined'} at every point)`;
    case 'dominant':
      return `depends mostly on ${d.top.factor} (${about(d.top.factor)}): ${stText(d.top)}, S1 ${pct(d.top.s1.value)}${d.top.st.value > 1 || d.top.s1.value > 1 ? ' (an estimate above 100 % is sampling noise around 100 %)' : ''}`;
    case 'noisy':
      return `is too noisy to say which assumption it depends on: the leading factor, ${d.top.factor} (${about(d.top.factor)}), has ${stText(d.top)}${samples ? ` at N = ${samples}` : ''}; more samples would narrow it`;
    case 'shared': {
      const lead = d.leaders.map((x) => `${x.factor} (${about(x.factor)}, ${stText(x)})`);
      const left = d.unanalysed.length ? `; ${d.unanalysed.map((m) => m.factor).join(', ')}, left out of the Sobol phase, also moved it in screening` : '';
      return d.leaders.length > 1
        ? `depends on no single assumption: ${lead.join(' and ')} overlap${left}`
        : `depends on no single assumption: ${lead[0]} leads, below ${pct(DOMINANT)} or not clear of the rest${left}`;
    }
    case 'screening':
      return `has no Sobol indices (so no intervals); by Morris screening ${d.top.factor} (${about(d.top.factor)}) moves it most (mu* ${d.top.muStar.toPrecision(3)}${d.next ? `, next ${d.next.factor} ${d.next.muStar.toPrecision(3)}` : ''})`;
  }
}

/** One sentence per output: what it depends on, as far as the Sobol intervals allow (dependence()). */
export function finding(out: OutputResult, factors: Factor[], samples?: number): string {
  const d = dependence(out);
  let tail = '';
  if (d.kind === 'dominant' && out.sobol) {
    const b = out.sobol[1];
    if (b && b.st.value >= 0.1) tail = `, then on ${b.factor} (${factors.find((f) => f.name === b.factor)?.about ?? b.factor}, ${stText(b)})`;
    // Interactions only when the intervals say so: ST's lower bound above S1's upper bound by 0.1.
    if (d.top.st.lo - d.top.s1.hi > 0.1) tail += '; much of it through interactions';
  }
  return `${out.metric} of ${out.strategy} ${dependenceText(d, factors, samples)}${tail}.`;
}

/**
 * The outputs' findings for a terminal, strategies that share a metric and the very same finding
 * named together ("latencyMs.p99 of v4.14, v4.16 and targeted depend mostly on ..."): nothing is
 * dropped, only repeated words.
 */
export function groupedFindings(outputs: readonly OutputResult[]): string[] {
  const groups = new Map<string, { metric: string; strategies: string[]; rest: string; raw: boolean }>();
  for (const o of outputs) {
    const head = `${o.metric} of ${o.strategy} `;
    const raw = !o.finding.startsWith(head); // not in finding()'s words: kept as it is
    const rest = raw ? o.finding : o.finding.slice(head.length);
    const key = raw ? `\u0000${groups.size}` : `${o.metric}\u0000${rest}`;
    const g = groups.get(key) ?? { metric: o.metric, strategies: [], rest, raw };
    g.strategies.push(o.strategy);
    groups.set(key, g);
  }
  const plural = (rest: string) => rest.replace(/^depends /, 'depend ').replace(/^is /, 'are ').replace(/^has /, 'have ');
  return [...groups.values()].map((g) => (g.raw ? g.rest : `${g.metric} of ${inWordsList(g.strategies)} ${g.strategies.length > 1 ? plural(g.rest) : g.rest}`));
}

/** The terminal summary: the ranking, then the findings (groupedFindings). */
export function sensitivityTable(r: SensitivityResult): string {
  const lines = [`sensitivity of ${r.scenario}: ${r.design.morrisRuns} Morris runs (r = ${r.design.trajectories}, p = ${r.design.levels}), ${r.design.sobolRuns} Sobol runs (N = ${r.design.samples}) on ${r.survivors.join(', ') || 'no factor'}`, '', 'factor ranking (largest mu* over every output, relative to that output\'s largest):'];
  lines.push(textTable(['factor', 'score', 'what it stands for'], r.ranking.map((x) => [x.factor, x.score.toFixed(2), x.about])));
  lines.push('', 'findings:');
  for (const f of groupedFindings(r.outputs)) lines.push(`  ${f}`);
  return lines.join('\n');
}

/** The scenario input of a preset or a scenario file. */
export function sensitivityInput(preset: string | undefined, file: string | undefined): { input: Record<string, unknown>; name: string } {
  if (preset) {
    const p = PRESETS[preset];
    if (!p) throw new UsageError(`--preset: unknown preset ${JSON.stringify(preset)}; allowed: ${Object.keys(PRESETS).join(', ')}`);
    return { input: structuredClone(p.scenario) as Record<string, unknown>, name: preset };
  }
  if (!file) throw new UsageError('sensitivity: give --preset NAME or --scenario FILE');
  try {
    const input = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return { input, name: typeof input.name === 'string' ? input.name : file };
  } catch (e) {
    throw new UsageError(`--scenario: cannot read ${file}: ${(e as Error).message}`);
  }
}
