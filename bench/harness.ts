/**
 * Runs tinybench tasks and turns their results (or the native build's raw samples) into
 * TaskResults: one iteration's latency in ms, and the work it did (`per` units of `unit`).
 */
import { Bench, type Task } from 'tinybench';
import { moments, quantile } from '../src/stats/index.ts';
import type { LatencyStats, Ratio, SuiteContext, TaskResult } from './types.ts';

export interface TaskSpec {
  group: string;
  variant: string;
  size?: number;
  per: number;
  unit: string;
  fn: () => unknown;
  beforeAll?: () => void;
  beforeEach?: () => void;
  afterAll?: () => void;
}

/** Two-sided 95 % Student t critical values for df = 1..30; the normal 1.96 beyond. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** tinybench's latency statistics, computed the same way from raw samples (ms). */
export function latencyOf(samples: readonly number[]): LatencyStats {
  const m = moments(samples);
  const n = m.count;
  const critical = n < 2 ? NaN : n - 1 <= 30 ? T95[n - 2] : 1.96;
  const moe = n < 2 ? 0 : (m.sd / Math.sqrt(n)) * critical;
  return {
    mean: m.mean,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    min: m.min,
    max: m.max,
    sd: m.sd,
    moe,
    rme: m.mean === 0 ? Infinity : (moe / m.mean) * 100,
    samplesCount: n,
  };
}

export function taskResult(spec: Pick<TaskSpec, 'group' | 'variant' | 'size' | 'per' | 'unit'>, latency: LatencyStats): TaskResult {
  return {
    name: `${spec.group}: ${spec.variant}`,
    group: spec.group,
    variant: spec.variant,
    ...(spec.size !== undefined ? { size: spec.size } : {}),
    per: spec.per,
    unit: spec.unit,
    latency,
    throughput: { mean: 1000 / latency.mean, p50: 1000 / latency.p50 },
    rate: (spec.per * 1000) / latency.p50,
    samples: latency.samplesCount,
  };
}

function samplesOf(task: Task): number[] {
  const r = task.result;
  if (r.state === 'errored') throw r.error;
  if (r.state !== 'completed') throw new Error(`task ${task.name} did not complete (${r.state})`);
  return r.latency.samples ?? [];
}

/**
 * Runs the tasks one after the other (never concurrently: they share the machine) and returns
 * their results in order. The mode's time budget is split into `ctx.rounds` rounds, each running
 * every task once (and then `afterRound`, where the native build runs its share): a neighbour
 * that slows the shared VM for a second then slows every variant a little instead of one a lot,
 * so the ratios of one run stay fair. Samples of all rounds are pooled. Hooks are not timed.
 */
export async function runTasks(
  ctx: SuiteContext,
  specs: TaskSpec[],
  opts: { iterations?: number; afterRound?: (round: number) => void } = {},
): Promise<TaskResult[]> {
  const rounds = ctx.rounds;
  const pooled: number[][] = specs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: ctx.time / rounds,
      warmupTime: ctx.warmupTime / rounds,
      iterations: Math.ceil((opts.iterations ?? ctx.iterations) / rounds),
      warmupIterations: 2,
      timestampProvider: 'hrtimeNow',
      retainSamples: true,
      throws: true,
    });
    for (const s of specs) {
      bench.add(`${s.group}: ${s.variant}`, s.fn, {
        ...(s.beforeAll ? { beforeAll: () => s.beforeAll!() } : {}),
        ...(s.beforeEach ? { beforeEach: () => s.beforeEach!() } : {}),
        ...(s.afterAll ? { afterAll: () => s.afterAll!() } : {}),
      });
    }
    for (const [i, task] of bench.tasks.entries()) {
      await task.warmup();
      await task.run();
      for (const x of samplesOf(task)) pooled[i].push(x);
    }
    opts.afterRound?.(round);
  }
  return specs.map((spec, i) => {
    const r = taskResult(spec, latencyOf(pooled[i]));
    ctx.log(`  ${r.name}: ${fmtMs(r.latency.p50)} (±${r.latency.rme.toFixed(1)} %, ${r.samples} samples)`);
    return r;
  });
}

/**
 * The ratio's 95 % CI and its verdict against the bar. `rel` is the ratio's relative half-width:
 * the two tasks' margins (95 % CI of the mean, relative) combined as for a quotient,
 * sqrt(ra^2 + rb^2); the interval is multiplicative, [value / (1 + rel), value * (1 + rel)]. The
 * bar is met only when the whole CI clears it, missed only when the whole CI falls short; a CI
 * that straddles the bar is undecided, and never reported as met.
 */
export function judged(r: Omit<Ratio, 'ci' | 'verdict' | 'met'>, rel: number | null): Ratio {
  const ci: [number, number] | undefined = rel === null || !Number.isFinite(rel) ? undefined : [r.value / (1 + rel), r.value * (1 + rel)];
  return judgedInterval(r, ci);
}

/** As judged, with the ratio's interval given (e.g. the median's order-statistic interval over repetitions). */
export function judgedInterval(r: Omit<Ratio, 'ci' | 'verdict' | 'met'>, ci: [number, number] | undefined): Ratio {
  if (!r.target) return { ...r, ...(ci ? { ci } : {}) };
  const [lo, hi] = ci ?? [r.value, r.value];
  const ge = r.target.op === '>=';
  const bar = r.target.value;
  const verdict: Ratio['verdict'] = ge ? (lo >= bar ? 'met' : hi < bar ? 'missed' : 'undecided') : hi <= bar ? 'met' : lo > bar ? 'missed' : 'undecided';
  return { ...r, ...(ci ? { ci } : {}), met: verdict === 'met', verdict };
}

/** The relative 95 % half-width of a quotient of the two tasks' latencies. */
const relOf = (a: TaskResult, b: TaskResult) => Math.hypot(a.latency.rme / 100, b.latency.rme / 100);

/** Speed-up of `a` over `b` at the median (b.p50 / a.p50), with an optional bar. */
export function speedup(suite: string, a: TaskResult, b: TaskResult, target?: number): Ratio {
  return judged({
    suite,
    label: `${a.group}: ${a.variant} vs ${b.variant}`,
    value: b.latency.p50 / a.latency.p50,
    kind: 'speedup',
    ...(target !== undefined ? { target: { op: '>=' as const, value: target } } : {}),
  }, relOf(a, b));
}

/** a's median time as a share of b's (a.p50 / b.p50), with an optional upper bar. */
export function share(suite: string, label: string, a: TaskResult, b: TaskResult, maxShare?: number): Ratio {
  return judged({
    suite,
    label,
    value: a.latency.p50 / b.latency.p50,
    kind: 'share',
    ...(maxShare !== undefined ? { target: { op: '<=' as const, value: maxShare } } : {}),
  }, relOf(a, b));
}

/** Times: the lab's one time formatter (src/io/format.ts). */
import { fmtMs } from '../src/io/format.ts';
export { fmtMs };

/** "1M", "64K", "16M" for page and CPU counts that are powers of two. */
export function fmtCount(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}
