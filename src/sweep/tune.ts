/**
 * `drainlab tune`: the CPU count at which a strategy's metric crosses a budget. The metric is a number in the
 *     run summary, by dotted path (latencyMs.p99, drainCpuMs, cpusInterrupted ...). At each CPU
 *     count c the scenario runs R replications (seed = base seed + r, replication r, as in a sweep)
 *     and the point is "above" when the median over replications exceeds the budget. The search
 *     doubles c from the smallest count the scenario accepts until a point is above, then bisects
 *     on integers between the last point below and the first above. It assumes the median rises
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
 */
import { UsageError } from '../errors.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { PRESETS, isPreset } from '../scenario/presets.ts';
import { STRATEGY_NAMES } from '../scenario/strategy-names.ts';
import { CellPool, type CellOutcome } from '../pool/cell-pool.ts';
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
  workers: number;
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

function getPath(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Every dotted path to a number in a summary (for the error message). */
function numericPaths(o: unknown, prefix = ''): string[] {
  if (typeof o === 'number') return [prefix];
  if (o === null || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => numericPaths(v, prefix ? `${prefix}.${k}` : k));
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
    const summary = (JSON.parse(o.line) as { record: { runs: { summary: unknown }[] } }).record.runs[0]!.summary;
    const v = getPath(summary, metric);
    if (typeof v !== 'number') throw new UsageError(`--metric: ${JSON.stringify(metric)} is not a number in the run summary; allowed: ${numericPaths(summary).join(', ')}`);
    return v;
  });
}

export async function tuneCpus(o: TuneCpusOptions): Promise<TuneCpusResult> {
  const t0 = performance.now();
  if (!(STRATEGY_NAMES as readonly string[]).includes(o.strategy)) throw new UsageError(`--strategy: unknown strategy ${JSON.stringify(o.strategy)}; allowed: ${STRATEGY_NAMES.join(', ')}`);
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
  const seed0 = o.seed ?? base.seed;
  let lo = o.cpusMin;
  if (lo !== undefined) {
    if (!at(lo)) throw new UsageError(`--cpus-min: the scenario does not resolve with ${lo} CPUs (it names a higher CPU); allowed: at least the CPUs it uses`);
  } else {
    for (let c = 1; c <= Math.min(base.cpus, o.cpusMax); c++) if (at(c)) { lo = c; break; }
    if (lo === undefined) throw new UsageError(`--cpus-max: ${o.cpusMax} is below the CPUs the scenario uses (${base.cpus})`);
  }
  if (lo > o.cpusMax) throw new UsageError(`--cpus-min ${lo} is above --cpus-max ${o.cpusMax}`);

  const pool = await CellPool.start(Math.max(1, Math.min(o.workers, o.replications)));
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
    // Exponential phase: lo, 2lo, 4lo ... until above or at cpusMax.
    let below: number | null = null;
    let above: number | null = null;
    for (let c = lo; ; c = Math.min(c * 2, o.cpusMax)) {
      if ((await evaluate(c)).above) {
        above = c;
        break;
      }
      below = c;
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
    ci: crossingCI(points, o.budget),
    points,
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

export function tuneCpusTable(r: TuneCpusResult): string {
  const rows = r.points.map((p) => [String(p.cpus), fmt(p.median), `[${fmt(p.lo)}, ${fmt(p.hi)}]`, p.above ? 'above' : 'below']);
  const head = ['cpus', `median ${r.metric}`, '95% CI', `vs ${r.budget}`];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(w[i]!)).join('  ');
  const verdict =
    r.crossing === null
      ? `not crossed: ${r.metric} stays <= ${r.budget} up to ${r.cpusMax} CPUs`
      : r.bracket[0] === null
        ? `already above at the smallest count (${r.crossing} CPUs)`
        : `crossing: ${r.crossing} CPUs (bracket: ${r.bracket[0]} below, ${r.bracket[1]} above); ${Math.round(r.ci.level * 100)}% bootstrap CI [${r.ci.lo ?? '?'}, ${r.ci.hi ?? `> ${r.cpusMax}`}]`;
  return [
    `${r.scenario} / ${r.strategy}: smallest CPU count with median ${r.metric} > ${r.budget} (${r.replications} replication(s) per point, seed ${r.seed}+r)`,
    line(head),
    ...rows.map(line),
    verdict,
  ].join('\n');
}
