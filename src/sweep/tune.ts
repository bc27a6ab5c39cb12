/**
 * `drainlab tune`: the CPU count at which a strategy's metric crosses a budget. The metric is a number in the
 *     run summary, by dotted path (latencyMs.p99, drainCpuMs, cpusInterrupted ...). At each CPU
 *     count c the scenario runs R replications (seed = base seed + r, replication r, as in a sweep)
 *     and the point is "above" when the median over replications exceeds the budget. The search
 *     evaluates the ladder c, 2c, 4c ... up to --cpus-max from the smallest count the scenario
 *     accepts, then bisects on integers between the last point below and the first above. It assumes the median rises
 *     with c (the usual shape: drain work grows with CPUs); where it does not, the answer is a
 *     crossing, not necessarily the smallest one.
 *
 *     Uncertainty, honestly: every evaluated point gets a bootstrap CI of its median (resampling
 *     its R replications). The crossing's CI resamples the replications of every evaluated point
 *     together (B = 2000 times, seeded) and takes, in each resample, the smallest evaluated count
 *     whose resampled median is above the budget; the CI is the 2.5 and 97.5 percentiles of that.
 *     It can only land on evaluated counts, which are dense (adjacent integers) next to the
 *     crossing and sparse (powers of two) far from it, so it is exact near the bracket and coarse
 *     away from it. With R = 1, or a metric that does not vary with the seed, it collapses to the
 *     bracket [last below + 1, first above].
 *
 *     What is reported (never one CPU count): the shape of the metric over the sampled points
 *     (`tuneShape`: rising, falling, flat, or non-monotonic, judged by which points' 95% CIs lie
 *     apart), and the crossing as an interval: from the last evaluated count whose CI is wholly
 *     at or below the budget to the first whose CI is wholly above it, with the bootstrap CI
 *     above. A flat metric has no crossing to name, and the verdict says so.
 */
import { requireMetric } from '../metrics/registry.ts';
import { textTable } from '../io/format.ts';
import type { StrategyRun } from '../metrics/record.ts';
import { UsageError } from '../errors.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { PRESETS, isPreset } from '../scenario/presets.ts';
import { allowedStrategyNames, isStrategyName } from '../scenario/strategy-names.ts';
import { CellPool, type CellOutcome } from '../pool/cell-pool.ts';
import { sweepWorkers, type WorkersOption } from '../pool/auto-workers.ts';
import type { CellTask } from '../pool/protocol.ts';
import { medianCI, fillRandomIndices, medianSelect, keyFromString, quantile } from '../stats/index.ts';
import { cellIdOf, pointIdOf } from './canonical.ts';
import { LAB_VERSION } from './grid.ts';

export interface TuneCpusOptions {
  /** A preset name or a scenario object. */
  base: string | Record<string, unknown>;
  strategy: string;
  metric: string;
  budget: number;
  cpusMin?: number;
  cpusMax: number;
  replications: number;
  /** A count, or 'auto' (src/pool/auto-workers.ts). */
  workers: WorkersOption;
  /** Base seed (default: the scenario's). */
  seed?: number;
  log: (line: string) => void;
}

export interface TunePoint {
  cpus: number;
  /** The metric per replication (replication order). */
  values: number[];
  median: number;
  lo: number;
  hi: number;
  above: boolean;
}

export interface TuneCpusResult {
  schema: 'drainlab/tune-cpus@1';
  scenario: string;
  strategy: string;
  metric: string;
  budget: number;
  replications: number;
  seed: number;
  cpusMin: number;
  cpusMax: number;
  /** First evaluated count whose median is above the budget; null: not crossed up to cpusMax. */
  crossing: number | null;
  /** Last evaluated count below (null when even cpusMin is above) and first above. */
  bracket: [number | null, number | null];
  /** Bootstrap CI of the crossing over the evaluated points; hi null: some resamples never crossed up to cpusMax. */
  ci: { level: number; lo: number | null; hi: number | null; resamples: number; method: string };
  /** Evaluated points, ascending in cpus. */
  points: TunePoint[];
  /** How the median moves with the CPU count over the evaluated points (tuneShape). */
  shape: TuneShape;
  /**
   * Where the crossing lies given the noise: [the last evaluated count whose 95% CI is wholly at or
   * below the budget (null: none before the first above), the first whose CI is wholly above it
   * (null: none up to cpusMax)]. The crossing is after the first and at or before the second.
   */
  interval: [number | null, number | null];
  /** The answer in one sentence (what the table's last line says). */
  verdict: string;
  cells: number;
  wallMs: number;
}

const RESAMPLES = 2000;

/** The scenario object a preset name or scenario stands for (what each tune cell starts from). */
export function baseInput(base: TuneCpusOptions['base']): Record<string, unknown> {
  if (typeof base === 'string') {
    const p = isPreset(base) ? PRESETS[base] : undefined;
    if (!p) throw new UsageError(`--preset: unknown preset ${JSON.stringify(base)}; allowed: ${Object.keys(PRESETS).join(', ')}`);
    return structuredClone(p.scenario as Record<string, unknown>);
  }
  return structuredClone(base);
}

/** Runs R replications of a scenario on the pool; returns the parsed run summaries' metric values. */
async function runPoint(pool: CellPool, s: Scenario, seed0: number, replications: number, metric: string): Promise<number[]> {
  const point = { ...s, seed: seed0, replication: 0 };
  const pointId = pointIdOf(point, LAB_VERSION);
  const tasks = Array.from({ length: replications }, (_, r) => {
    const scenario = { ...s, seed: seed0 + r, replication: r };
    return { cellId: cellIdOf(scenario, r, LAB_VERSION), pointId, params: { cpus: s.cpus }, replication: r, scenario } satisfies Omit<CellTask, 'attempt' | 'workers' | 'kind'>;
  });
  const outcomes = await Promise.all(tasks.map((t) => pool.run(t)));
  return outcomes.map((o: CellOutcome) => {
    if (o.state !== 'done') throw new Error(`tune: the cell at cpus=${s.cpus} failed (${o.cause}): ${o.error.message}`);
    const run = (JSON.parse(o.line) as { record: { runs: StrategyRun[] } }).record.runs[0]!;
    const v = requireMetric(metric, '--metric').of(run);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`--metric ${metric}: no value at cpus=${s.cpus} (e.g. a latency when no seal finished); pick another metric or scenario`);
    return v;
  });
}

export async function tuneCpus(o: TuneCpusOptions): Promise<TuneCpusResult> {
  const t0 = performance.now();
  if (!isStrategyName(o.strategy)) throw new UsageError(`--strategy: unknown strategy ${JSON.stringify(o.strategy)}; allowed: ${allowedStrategyNames().join(', ')}`);
  if (!Number.isFinite(o.budget)) throw new UsageError(`--budget: a number, got ${o.budget}`);
  const input = baseInput(o.base);
  const name = typeof o.base === 'string' ? o.base : String(input.name ?? 'scenario');
  const at = (cpus: number): Scenario | undefined => {
    try {
      return resolveScenario({ ...input, cpus, strategies: [o.strategy] }, `(tune, cpus=${cpus})`);
    } catch (e) {
      if (e instanceof UsageError) return undefined;
      throw e;
    }
  };
  const base = resolveScenario({ ...input, strategies: [o.strategy] }, `(tune ${name})`);
  requireMetric(o.metric, '--metric'); // an unknown name fails before anything runs
  const seed0 = o.seed ?? base.seed;
  let lo = o.cpusMin;
  if (lo !== undefined) {
    if (!at(lo)) throw new UsageError(`--cpus-min: the scenario does not resolve with ${lo} CPUs (it names a higher CPU); allowed: at least the CPUs it uses`);
  } else {
    for (let c = 1; c <= Math.min(base.cpus, o.cpusMax); c++) if (at(c)) { lo = c; break; }
    if (lo === undefined) throw new UsageError(`--cpus-max: ${o.cpusMax} is below the CPUs the scenario uses (${base.cpus})`);
  }
  if (lo > o.cpusMax) throw new UsageError(`--cpus-min ${lo} is above --cpus-max ${o.cpusMax}`);

  // auto: probe the largest CPU count asked for (its cells cost the most); R cells run at once.
  const workers = o.workers === 'auto' ? sweepWorkers([{ first: at(o.cpusMax) ?? base, cells: o.replications }]).workers : Math.max(1, Math.min(o.workers, o.replications));
  const pool = await CellPool.start(workers);
  const evaluated = new Map<number, TunePoint>();
  const evaluate = async (cpus: number): Promise<TunePoint> => {
    const hit = evaluated.get(cpus);
    if (hit) return hit;
    const s = at(cpus);
    if (!s) throw new UsageError(`tune: the scenario does not resolve with ${cpus} CPUs`);
    const values = await runPoint(pool, s, seed0, o.replications, o.metric);
    const ci = medianCI(values, { seed: `tune-point-${cpus}`, resamples: RESAMPLES });
    const p: TunePoint = { cpus, values, median: ci.estimate, lo: ci.lo, hi: ci.hi, above: ci.estimate > o.budget };
    evaluated.set(cpus, p);
    o.log(`tune: cpus=${cpus} ${o.metric} median ${fmt(p.median)} ${p.above ? '>' : '<='} ${o.budget}`);
    return p;
  };

  let crossing: number | null = null;
  let bracket: [number | null, number | null];
  try {
    // The ladder lo, 2lo, 4lo ... cpusMax, whole: the shape is judged over the range asked for,
    // not only up to the first point above (a flat or non-monotonic metric shows only there).
    let below: number | null = null;
    let above: number | null = null;
    for (let c = lo; ; c = Math.min(c * 2, o.cpusMax)) {
      const p = await evaluate(c);
      if (above === null) {
        if (p.above) above = c;
        else below = c;
      }
      if (c >= o.cpusMax) break;
    }
    // Bisection on integers: invariant below is below, above is above.
    if (above !== null && below !== null) {
      while (above - below > 1) {
        const mid = Math.floor((below + above) / 2);
        if ((await evaluate(mid)).above) above = mid;
        else below = mid;
      }
    }
    crossing = above;
    bracket = [below, above];
  } finally {
    await pool.close();
  }

  const points = [...evaluated.values()].sort((a, b) => a.cpus - b.cpus);
  const shape = tuneShape(points, o.replications);
  const interval = crossingInterval(points, o.budget);
  const ci = crossingCI(points, o.budget);
  return {
    schema: 'drainlab/tune-cpus@1',
    scenario: name,
    strategy: o.strategy,
    metric: o.metric,
    budget: o.budget,
    replications: o.replications,
    seed: seed0,
    cpusMin: lo,
    cpusMax: o.cpusMax,
    crossing,
    bracket,
    ci,
    points,
    shape,
    interval,
    verdict: tuneVerdict({ metric: o.metric, budget: o.budget, cpusMin: lo, cpusMax: o.cpusMax, points, shape, interval, ci }),
    cells: points.length * o.replications,
    wallMs: Math.round(performance.now() - t0),
  };
}

/** Bootstrap of the crossing over the evaluated points (see the module comment). */
export function crossingCI(points: TunePoint[], budget: number, level = 0.95): TuneCpusResult['ci'] {
  const method = 'bootstrap over replications at the evaluated points (percentile); can only land on evaluated counts';
  const key = keyFromString('drainlab-tune-crossing');
  const crossings = new Float64Array(RESAMPLES);
  const n = points[0]?.values.length ?? 0;
  const idx = new Uint32Array(n);
  const buf = new Float64Array(n);
  for (let b = 0; b < RESAMPLES; b++) {
    let found = Infinity;
    for (let j = 0; j < points.length; j++) {
      const vals = points[j]!.values;
      // Block b * points + j: an independent resample per (resample, point).
      fillRandomIndices(key, b * points.length + j, n, idx, n);
      for (let i = 0; i < n; i++) buf[i] = vals[idx[i]!]!;
      if (medianSelect(buf, n) > budget) {
        found = points[j]!.cpus;
        break;
      }
    }
    crossings[b] = found;
  }
  const alpha = (1 - level) / 2;
  const q = (p: number) => {
    const v = quantile(crossings, p);
    return Number.isFinite(v) ? Math.round(v) : null;
  };
  return { level, lo: q(alpha), hi: q(1 - alpha), resamples: RESAMPLES, method };
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3));

export interface TuneShape {
  kind: 'rising' | 'falling' | 'flat' | 'non-monotonic';
  /** Why, in words: the pair of points that shows it. */
  note: string;
}

/**
 * The shape of the medians over the evaluated points, judged by their 95% CIs: a pair of points
 * (fewer CPUs, more CPUs) is apart when one CI lies wholly above the other. Rises only: rising;
 * falls only: falling; both: non-monotonic (the bisection's monotonic assumption fails); neither:
 * flat (the points cannot be told apart). With fewer than 3 replications a point has no real CI,
 * and the medians alone decide (the note says so).
 */
export function tuneShape(points: TunePoint[], replications: number): TuneShape {
  let up: [TunePoint, TunePoint] | undefined;
  let down: [TunePoint, TunePoint] | undefined;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i]!;
      const b = points[j]!;
      if (b.lo > a.hi && (!up || b.median - a.median > up[1].median - up[0].median)) up = [a, b];
      if (b.hi < a.lo && (!down || a.median - b.median > down[0].median - down[1].median)) down = [a, b];
    }
  }
  const caveat = replications < 3 ? ` (with ${replications} replication(s) a point has no real CI: judged by the medians alone)` : '';
  const move = ([a, b]: [TunePoint, TunePoint], verb: string) => `${verb} from ${fmt(a.median)} at ${a.cpus} to ${fmt(b.median)} at ${b.cpus} CPUs, 95% CIs apart`;
  if (up && down) return { kind: 'non-monotonic', note: `${move(up, 'rises')}, and ${move(down, 'falls')}${caveat}` };
  if (up) return { kind: 'rising', note: `${move(up, 'rises')}${caveat}` };
  if (down) return { kind: 'falling', note: `${move(down, 'falls')}${caveat}` };
  const meds = points.map((p) => p.median);
  const first = points[0];
  const last = points[points.length - 1];
  return {
    kind: 'flat',
    note: first && last
      ? `medians ${fmt(Math.min(...meds))}..${fmt(Math.max(...meds))} from ${first.cpus} to ${last.cpus} CPUs, every point within the others' 95% CIs${caveat}`
      : 'no point evaluated',
  };
}

/** The crossing as an interval (TuneCpusResult.interval). */
export function crossingInterval(points: TunePoint[], budget: number): [number | null, number | null] {
  const surelyAbove = points.find((p) => p.lo > budget);
  const end = surelyAbove?.cpus ?? Infinity;
  const before = points.filter((p) => p.cpus < end && p.hi <= budget);
  return [before.length ? before[before.length - 1]!.cpus : null, surelyAbove?.cpus ?? null];
}

const ciText = (p: TunePoint | undefined) => (p ? ` (median ${fmt(p.median)}, 95% CI [${fmt(p.lo)}, ${fmt(p.hi)}])` : '');

/** The one-sentence answer: the shape first, then the crossing as an interval with its CI, or why there is none. */
export function tuneVerdict(r: Pick<TuneCpusResult, 'metric' | 'budget' | 'cpusMin' | 'cpusMax' | 'points' | 'shape' | 'interval' | 'ci'>): string {
  const { metric, budget, points } = r;
  const at = (c: number | null) => points.find((p) => p.cpus === c);
  if (points.length === 0) return 'no point evaluated';
  if (r.shape.kind === 'flat') {
    const where = points.every((p) => p.hi <= budget)
      ? `it stays at or below ${budget} throughout: not crossed up to ${points[points.length - 1]!.cpus} CPUs`
      : points.every((p) => p.lo > budget)
        ? `it is above ${budget} at every count: the budget does not depend on the CPU count here`
        : `the budget ${budget} lies within its noise: no CPU count can be named as the crossing`;
    return `flat: ${metric} does not change with the CPU count (${r.shape.note}); ${where}`;
  }
  const shape = r.shape.kind === 'non-monotonic'
    ? `non-monotonic: ${metric} ${r.shape.note}; the search assumes it rises with the CPU count, so what follows is a crossing, not necessarily the first`
    : `${r.shape.kind}: ${metric} ${r.shape.note}`;
  const [a, b] = r.interval;
  let crossing: string;
  if (b === null) {
    crossing = points.some((p) => p.hi > budget)
      ? `no count is surely above ${budget} up to ${r.cpusMax} CPUs${a !== null ? `; the last surely at or below it is ${a}${ciText(at(a))}` : ''}: the crossing, if any, is after ${a ?? r.cpusMin - 1} CPUs`
      : `not crossed: ${metric} stays at or below ${budget} up to ${r.cpusMax} CPUs`;
  } else if (a === null && b === points[0]!.cpus) {
    crossing = `already above ${budget} at the smallest count, ${b} CPUs${ciText(at(b))}`;
  } else {
    const ci = `95% bootstrap CI of the first count above: [${r.ci.lo ?? '?'}, ${r.ci.hi ?? `> ${r.cpusMax}`}]`;
    crossing = `crosses ${budget} between ${a === null ? `${r.cpusMin}` : `${a} CPUs${ciText(at(a))}`} and ${b} CPUs${ciText(at(b))}; ${ci}`;
  }
  return `${shape}. ${crossing[0]!.toUpperCase()}${crossing.slice(1)}`;
}

export function tuneCpusTable(r: TuneCpusResult): string {
  const rows = r.points.map((p) => [String(p.cpus), fmt(p.median), `[${fmt(p.lo)}, ${fmt(p.hi)}]`, p.lo > r.budget ? 'above' : p.hi <= r.budget ? 'below' : 'within noise']);
  const head = ['cpus', `median ${r.metric}`, '95% CI', `vs ${r.budget}`];
  return [
    `${r.scenario} / ${r.strategy}: where median ${r.metric} crosses ${r.budget} as the CPU count grows (${r.replications} replication(s) per point, seed ${r.seed}+r)`,
    textTable(head, rows),
    r.verdict,
  ].join('\n');
}
