/**
 * The run's self-check of its own load (docs/result-record.md, "load" and "warnings"). Every
 * strategy run counts what the workload's generators do over the measured span
 * [warmUpMs, horizonMs] (the script states its load op by op, and is not counted):
 *   - pages entering the lru_add pagevecs (new pages; what makes a CPU's pagevec non-empty),
 *   - lru_add_drain_all() calls by background callers (the drainAll generators),
 *   - pins taken (get_user_pages: pin generators and lifecycles),
 *   - seals started (seal generators and lifecycles: a lifecycle stops when its files run out),
 * per window of windowMs (for the report) and per third of the span (for the check). When a count
 * in the last third differs from the first third by more than the stated factor, and by more than
 * counting noise (3 standard deviations of a Poisson count), the load was not stationary: the
 * statistics of the run mix two regimes, and the run says so on stderr and in the record.
 */
import { LOAD_DEFAULTS, type LoadSpec } from '../scenario/schema.ts';

export const LOAD_QUANTITIES = ['pvecAdds', 'drainAllCalls', 'pins', 'seals'] as const;
export type LoadQuantity = (typeof LOAD_QUANTITIES)[number];

const WHAT: Record<LoadQuantity, string> = {
  pvecAdds: 'pages entering pagevecs per CPU',
  drainAllCalls: 'background lru_add_drain_all() calls',
  pins: 'pins taken',
  seals: 'seals started',
};

/** One strategy run's measured load (StrategyRun.load). */
export interface LoadProfile {
  /** What the scenario states (`load.stationary`); null when it states nothing. */
  stationary: boolean | null;
  warmUpMs: number;
  windowMs: number;
  maxChange: number;
  /** Per window from warmUpMs (the last one may be shorter): pagevec adds per CPU, background drain_all calls, pins, seals. */
  windows: Record<LoadQuantity, number[]>;
  /** Per window of windowMs, the mean over the first and over the last third of the measured span. */
  thirds: Record<LoadQuantity, [number, number]>;
  /** Set when the load changed by more than maxChange (and the scenario did not say it would). */
  warning?: string;
}

/** Counts the load as the simulation runs: three counters per event, no allocation. */
export class LoadMeter {
  readonly spec: { stationary: boolean | null; warmUpMs: number; windowMs: number; maxChange: number };
  private readonly fromNs: number;
  private readonly windowNs: number;
  private readonly spanNs: number;
  private readonly windows: Float64Array[];
  private readonly thirds: Float64Array[];
  /** Per third, the sum of squared event sizes: the variance of a compound Poisson count. */
  private readonly thirdsSq: Float64Array[];

  constructor(horizonMs: number, load: LoadSpec | undefined, readonly cpus: number) {
    this.spec = {
      stationary: load?.stationary ?? null,
      warmUpMs: load?.warmUpMs ?? LOAD_DEFAULTS.warmUpMs,
      windowMs: load?.windowMs ?? LOAD_DEFAULTS.windowMs,
      maxChange: load?.maxChange ?? LOAD_DEFAULTS.maxChange,
    };
    this.fromNs = Math.min(this.spec.warmUpMs, horizonMs) * 1e6;
    this.windowNs = this.spec.windowMs * 1e6;
    this.spanNs = horizonMs * 1e6 - this.fromNs;
    const n = Math.max(1, Math.ceil(this.spanNs / this.windowNs));
    this.windows = LOAD_QUANTITIES.map(() => new Float64Array(n));
    this.thirds = LOAD_QUANTITIES.map(() => new Float64Array(3));
    this.thirdsSq = LOAD_QUANTITIES.map(() => new Float64Array(3));
  }

  private count(q: number, nowNs: number, n: number): void {
    const t = nowNs - this.fromNs;
    if (t < 0 || t > this.spanNs || n === 0) return;
    const w = this.windows[q];
    w[Math.min(w.length - 1, Math.floor(t / this.windowNs))] += n;
    const k = Math.min(2, Math.floor((3 * t) / this.spanNs));
    this.thirds[q][k] += n;
    this.thirdsSq[q][k] += n * n;
  }
  pvecAdds(nowNs: number, n: number): void {
    this.count(0, nowNs, n);
  }
  drainAll(nowNs: number): void {
    this.count(1, nowNs, 1);
  }
  pin(nowNs: number): void {
    this.count(2, nowNs, 1);
  }
  seal(nowNs: number): void {
    this.count(3, nowNs, 1);
  }

  /**
   * The profile, and the check. `generated`: the scenario has workload generators (a purely
   * scripted scenario states its load op by op, so it is never warned about).
   */
  profile(generated: boolean): LoadProfile {
    const { stationary, warmUpMs, windowMs, maxChange } = this.spec;
    const perCpu = (q: number) => (q === 0 ? this.cpus : 1);
    const thirdWindows = this.spanNs / 3 / this.windowNs;
    const round = (v: number) => Math.round(v * 1e4) / 1e4;
    const windows = {} as Record<LoadQuantity, number[]>;
    const thirds = {} as Record<LoadQuantity, [number, number]>;
    const changes: string[] = [];
    LOAD_QUANTITIES.forEach((name, q) => {
      windows[name] = Array.from(this.windows[q], (v) => round(v / perCpu(q)));
      const [a, , b] = this.thirds[q];
      const [va, , vb] = this.thirdsSq[q];
      const rate = (c: number) => round(thirdWindows > 0 ? c / perCpu(q) / thirdWindows : 0);
      thirds[name] = [rate(a), rate(b)];
      if (changed(a, b, maxChange, va + vb)) changes.push(`${WHAT[name]} ${b < a ? 'fell' : 'rose'} from ${fmt(rate(a))} to ${fmt(rate(b))} per ${windowMs} ms`);
    });
    const warn = changes.length > 0 && generated && stationary !== false;
    const span = `${warmUpMs}..${round(warmUpMs + this.spanNs / 1e6)} ms`;
    return {
      stationary, warmUpMs, windowMs, maxChange, windows, thirds,
      ...(warn ? { warning: `load not stationary: ${changes.join(', ')} between the first and the last third of ${span} (more than ${maxChange}x, beyond counting noise); the statistics mix two regimes` } : {}),
    };
  }
}

/**
 * Counts a and b over equal spans changed by more than `factor`, beyond counting noise: the
 * larger is more than `factor` times the smaller, and they differ by more than 3 standard
 * deviations of their difference. Events arrive as a Poisson process but may each bring several
 * pages (a lifecycle writes N pages at once), so a count is compound Poisson, whose variance is
 * the sum of the squared event sizes (`variance`, a + b when every event counts 1).
 */
export function changed(a: number, b: number, factor: number, variance = a + b): boolean {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  return hi > factor * lo && hi - lo > 3 * Math.sqrt(variance);
}

function fmt(v: number): string {
  return v === 0 ? '0' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

/**
 * The record's `warnings`: each strategy run's load warning once, naming the strategies it holds
 * for unless it holds for all of them. Empty when there is nothing to say.
 */
export function loadWarnings(runs: { strategy: string; load?: LoadProfile }[]): string[] {
  const by = new Map<string, string[]>();
  for (const r of runs) if (r.load?.warning) by.set(r.load.warning, [...(by.get(r.load.warning) ?? []), r.strategy]);
  return [...by].map(([w, names]) => (names.length === runs.length ? w : `${w} (strategies: ${names.join(', ')})`));
}
