/**
 * The report's inputs, taken one cell at a time (issue 18): what the report needs of each cell is
 * kept, the bulk of it is not. A cells.jsonl line is mostly its resolved scenario, its seals and
 * its timelines; the report needs per run only the summary (every paired statistic, every sweep
 * chart and the findings read the metric registry, which reads the summary), per seal two numbers
 * (latency and lock hold, for the pooled quantiles and the latency CDF), the provenance as
 * distinct values, and one cell's timelines. So each cell is reduced as it arrives:
 *
 * - seals go into per-(scenario, strategy) Float64Arrays (16 bytes a seal instead of an object);
 * - the scenario is kept whole for the first cell of each scenario name (the report shows it),
 *   and reduced to the fields the report reads (name, seed, cpus, cpuClasses, kernel, description)
 *   for the others;
 * - provenance is folded into distinct values as it arrives;
 * - timelines are kept only for the cells that are, so far, the timeline chart's choice for some
 *   baseline strategy (the baseline is known only at the end), and dropped when they stop being.
 *
 * Everything the report computes from these is the same as from the whole cells: the quantiles are
 * exact (sorting the same values), the chosen timeline is the same cell (same score, first best).
 */
import type { RunRecord, RunSummary, StrategyRun } from '../metrics/record.ts';
import { runRecordToCell } from './load.ts';
import type { SweepCell } from './types.ts';

/** Where a kept cell carries its pairing key (non-enumerable: never serialised, never compared). */
const PAIR_KEY = Symbol('pairKey');

/** A cell's pairing key: one cell and one seed, so both sides of a pair saw the same arrivals. */
export const pairKey = (c: Pick<SweepCell, 'cellId' | 'replication'>): string => (c as { [PAIR_KEY]?: string })[PAIR_KEY] ?? `${c.cellId}#${c.replication}`;

const isRecord = (x: RunRecord | SweepCell): x is RunRecord => (x as RunRecord).schema === 'drainlab/run@1' && !('record' in x);

export function scenarioName(r: Pick<RunRecord, 'scenario'>): string {
  const n = (r.scenario as Record<string, unknown>).name;
  return typeof n === 'string' && n !== '' ? n : 'unnamed';
}

/** Seal latencies and lock holds (ms) of one scenario and strategy, in arrival order. */
export class SealSamples {
  latency = new Float64Array(64);
  hold = new Float64Array(64);
  n = 0;

  push(latency: number, hold: number): void {
    if (this.n === this.latency.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.latency = grow(this.latency);
      this.hold = grow(this.hold);
    }
    this.latency[this.n] = latency;
    this.hold[this.n] = hold;
    this.n++;
  }

  latencies(): Float64Array {
    return this.latency.subarray(0, this.n);
  }

  holds(): Float64Array {
    return this.hold.subarray(0, this.n);
  }

  /** Several sample sets as one (for tables pooled over scenarios). */
  static concat(parts: readonly SealSamples[]): SealSamples {
    const out = new SealSamples();
    const n = parts.reduce((a, p) => a + p.n, 0);
    out.latency = new Float64Array(Math.max(n, 1));
    out.hold = new Float64Array(Math.max(n, 1));
    for (const p of parts) {
      out.latency.set(p.latencies(), out.n);
      out.hold.set(p.holds(), out.n);
      out.n += p.n;
    }
    return out;
  }
}

/** Distinct provenance values per field, folded one record at a time. */
export class ProvenanceFold {
  private readonly prov = new Map<string, Set<string>>();
  private wall = 0;
  private first = '';
  private last = '';

  private put(k: string, v: unknown): void {
    if (v === undefined || v === null || v === '') return;
    const set = this.prov.get(k) ?? new Set<string>();
    set.add(typeof v === 'string' ? v : JSON.stringify(v));
    this.prov.set(k, set);
  }

  add(p: Partial<RunRecord['provenance']> | undefined): void {
    p = p ?? {};
    this.put('drainlab', p.drainlab);
    this.put('gitCommit', p.gitCommit);
    this.put('wasmSha256', p.wasmSha256);
    this.put('node', p.node);
    if (p.host) this.put('host', `${p.host.model} (${p.host.cpus} CPUs)`);
    this.put('workers', p.workers);
    if (typeof p.wallMs === 'number') this.wall += p.wallMs;
    if (typeof p.startedAt === 'string') {
      if (!this.first || p.startedAt < this.first) this.first = p.startedAt;
      if (!this.last || p.startedAt > this.last) this.last = p.startedAt;
    }
  }

  result(): { field: string; values: string[] }[] {
    const out = [...this.prov.entries()].map(([field, set]) => {
      const values = [...set].sort();
      return { field, values: values.length > 8 ? [...values.slice(0, 8), `... and ${values.length - 8} more`] : values };
    });
    if (this.first) out.push({ field: 'startedAt', values: [this.first === this.last ? this.first : `${this.first} .. ${this.last}`] });
    out.push({ field: 'simulator wall time (sum)', values: [`${(this.wall / 1000).toFixed(2)} s`] });
    return out;
  }
}

/** The scenario fields the report reads from every cell (the first cell of a scenario keeps all). */
const SCENARIO_FIELDS = ['name', 'seed', 'cpus', 'cpuClasses', 'kernel', 'description'] as const;

/**
 * How telling a cell's first seal is, for the timeline chart (higher is better; the chart shows
 * the first cell with the highest score): the seal that involved the most CPUs (up to 8: kworkers,
 * IPIs), then the slowest, then the one with the most strategies to switch between. Scored on the
 * baseline strategy's timeline, else the first run that has one; -1 when no run has one.
 */
export function timelineScore(allRuns: readonly StrategyRun[], baseline: string): number {
  const runs = allRuns.filter((r) => r.timeline && r.timeline.length > 0);
  if (runs.length === 0) return -1;
  const ref = runs.find((r) => r.strategy === baseline) ?? runs[0]!;
  const ev = ref.timeline!;
  let a = Infinity;
  let b = -Infinity;
  for (const e of ev) {
    a = Math.min(a, e.atMs);
    b = Math.max(b, e.atMs + (e.durMs ?? 0));
  }
  const cpus = Math.min(8, new Set(ev.map((e) => e.cpu)).size);
  return cpus * 1e12 + (b - a) * 1e3 + runs.length;
}

/** Summary fields the report reads (the metric registry, the tables, the disturbance chart). */
const FLAT = ['seals', 'ok', 'ebusy', 'eperm', 'spuriousEbusy', 'unsafe', 'cpusInterrupted', 'isolatedDisturbances', 'drainCpuMs', 'drainAllCalls', 'unfinished'] as const;
const NESTED = [['latencyMs', ['p50', 'p90', 'p99', 'max', 'mean']], ['lockHoldMs', ['p50', 'p99', 'max']], ['mutexWaitMs', ['p50', 'p99', 'max']]] as const;
const CLASSES = ['idle', 'busy', 'rt', 'isolated'] as const;
const COLUMNS = [...FLAT, ...NESTED.flatMap(([o, ks]) => ks.map((k) => `${o}.${k}`)), ...CLASSES.map((c) => `class.${c}`)];

/**
 * The summaries of every run, as columns: 8 bytes a field instead of a parsed object (about 3 KB a
 * cell of 3 runs). A field that was absent, or not a number, is NaN here (JSON has no NaN) and
 * absent again when read back. `disturbanceByClass` with other classes than the four is kept whole.
 */
class SummaryColumns {
  private cols: Float64Array[] = COLUMNS.map(() => new Float64Array(256));
  /** Bit 0: mutexWaitMs present; bit 1: disturbanceByClass present. */
  private flags = new Uint8Array(256);
  private readonly odd = new Map<number, Record<string, number>>();
  n = 0;

  add(m: RunSummary): number {
    const row = this.n++;
    if (row === this.flags.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.cols = this.cols.map(grow);
      this.flags = grow(this.flags);
    }
    const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
    const src = m as unknown as Record<string, unknown>;
    let i = 0;
    for (const f of FLAT) this.cols[i++]![row] = num(src[f]);
    for (const [o, ks] of NESTED) {
      const q = src[o] as Record<string, unknown> | undefined;
      for (const k of ks) this.cols[i++]![row] = num(q?.[k]);
    }
    const byClass = m.disturbanceByClass as Record<string, unknown> | undefined;
    for (const c of CLASSES) this.cols[i++]![row] = num(byClass?.[c]);
    this.flags[row] = (m.mutexWaitMs ? 1 : 0) | (byClass ? 2 : 0);
    if (byClass && Object.keys(byClass).some((k) => !(CLASSES as readonly string[]).includes(k))) this.odd.set(row, m.disturbanceByClass!);
    return row;
  }

  /** The summary of one run, as a fresh object with the fields the report reads. */
  get(row: number): RunSummary {
    const out: Record<string, unknown> = {};
    let i = 0;
    const put = (o: Record<string, unknown>, k: string) => {
      const v = this.cols[i++]![row]!;
      if (!Number.isNaN(v)) o[k] = v;
    };
    for (const f of FLAT) put(out, f);
    for (const [o, ks] of NESTED) {
      const q: Record<string, unknown> = {};
      for (const k of ks) put(q, k);
      if (o !== 'mutexWaitMs' || this.flags[row]! & 1) out[o] = q;
    }
    const byClass: Record<string, unknown> = {};
    for (const c of CLASSES) put(byClass, c);
    if (this.flags[row]! & 2) out.disturbanceByClass = this.odd.get(row) ?? byClass;
    return out as unknown as RunSummary;
  }
}

const EMPTY: never[] = [];
Object.freeze(EMPTY);
/** The kept records' provenance: folded into ReportInputs.provenance as they arrive. */
const EMPTY_PROVENANCE = Object.freeze({});

/** A run as the report keeps it: no seals, no timeline (unless put back), lockdep cycles only, the summary in columns. */
class SlimRun {
  readonly seals = EMPTY;
  lockdep?: StrategyRun['lockdep'];
  plugin?: StrategyRun['plugin'];
  load?: StrategyRun['load'];
  timeline?: StrategyRun['timeline'];
  constructor(readonly strategy: string, private readonly store: SummaryColumns, private readonly row: number) {}

  get summary(): RunSummary {
    return this.store.get(this.row);
  }
}

/**
 * Many cells carry equal small values (cpuClasses, lockdep cycles, params, warnings) and equal
 * strings (scenario names and descriptions, point ids, strategy names), each parsed afresh from
 * its line: one copy of each.
 */
class Interner {
  private readonly m = new Map<string, unknown>();
  private readonly strings = new Map<string, string>();
  of<T>(v: T): T {
    const k = JSON.stringify(v);
    const had = this.m.get(k);
    if (had !== undefined) return had as T;
    this.m.set(k, v);
    return v;
  }
  /** One copy of an equal string (the value itself when it is not a string). */
  str<T>(v: T): T {
    if (typeof v !== 'string') return v;
    const had = this.strings.get(v);
    if (had !== undefined) return had as T;
    this.strings.set(v, v);
    return v;
  }
}

/** The cells that are the timeline chart's choice so far, per baseline strategy ('' = none of the strategies present). */
interface TimelinePick {
  score: number;
  cell: SweepCell;
  timelines: Map<string, StrategyRun['timeline']>;
}

export class ReportInputs {
  /** The kept cells, reduced, in input order (duplicates dropped). */
  readonly cells: SweepCell[] = [];
  duplicates = 0;
  /** Seal samples per scenario name, then per strategy. */
  readonly seals = new Map<string, Map<string, SealSamples>>();
  readonly provenance = new ProvenanceFold();
  private readonly seen = new Set<string>();
  private readonly strategyNames = new Set<string>();
  private readonly fullScenario = new Set<string>();
  private readonly picks = new Map<string, TimelinePick>();
  private runIndex = 0;
  private readonly summaries = new SummaryColumns();
  private readonly interned = new Interner();

  get size(): number {
    return this.cells.length;
  }

  /** Every name a run of the inputs carried. */
  names(): Set<string> {
    return new Set(this.strategyNames);
  }

  add(x: RunRecord | SweepCell): void {
    const c = isRecord(x) ? runRecordToCell(x, this.runIndex++) : x;
    const k = pairKey(c);
    if (this.seen.has(k)) {
      this.duplicates++;
      return;
    }
    this.seen.add(k);
    const name = scenarioName(c.record);
    const sc = c.record.scenario as Record<string, unknown>;
    let scenario: Record<string, unknown> = sc;
    if (this.fullScenario.has(name)) {
      scenario = {};
      for (const f of SCENARIO_FIELDS) if (f in sc) scenario[f] = f === 'cpuClasses' ? this.interned.of(sc[f]) : this.interned.str(sc[f]);
    } else {
      this.fullScenario.add(name);
    }
    let bySt = this.seals.get(name);
    if (!bySt) this.seals.set(name, (bySt = new Map()));
    for (const r of c.record.runs) {
      let s = bySt.get(r.strategy);
      if (!s) bySt.set(r.strategy, (s = new SealSamples()));
      for (const seal of r.seals) s.push(seal.endMs - seal.startMs, seal.lockHoldMs);
    }
    this.provenance.add(c.record.provenance);
    const record = { schema: this.interned.str(c.record.schema), scenario, provenance: EMPTY_PROVENANCE, runs: c.record.runs.map((r) => this.slimRun(r)) } as unknown as RunRecord;
    if (c.record.warnings) record.warnings = this.interned.of(c.record.warnings);
    const slim: SweepCell = { cellId: c.cellId, params: this.interned.of(c.params), replication: c.replication, record };
    if (c.pointId !== undefined) slim.pointId = this.interned.str(c.pointId);
    Object.defineProperty(slim, PAIR_KEY, { value: k });
    this.cells.push(slim);
    this.pickTimeline(c, slim);
  }

  private slimRun(r: StrategyRun): StrategyRun {
    const out = new SlimRun(this.interned.str(r.strategy), this.summaries, this.summaries.add(r.summary));
    if (r.lockdep !== undefined) out.lockdep = { edges: EMPTY, cycles: r.lockdep.cycles.length ? this.interned.of(r.lockdep.cycles) : EMPTY };
    if (r.plugin) out.plugin = r.plugin;
    if (r.load?.warning) out.load = { warning: r.load.warning } as StrategyRun['load'];
    return out as unknown as StrategyRun;
  }

  /**
   * Keeps the cell's timelines if it is now the timeline chart's choice for some baseline. A
   * strategy seen for the first time takes over the choice made without it (in the cells before,
   * it had no run, so the chart would have fallen back to their first run with a timeline).
   */
  private pickTimeline(full: SweepCell, slim: SweepCell): void {
    const fresh = full.record.runs.map((r) => r.strategy).filter((s) => !this.strategyNames.has(s));
    for (const s of fresh) {
      this.strategyNames.add(s);
      const none = this.picks.get('');
      if (none) this.picks.set(s, none);
    }
    if (!full.record.runs.some((r) => r.timeline && r.timeline.length > 0)) return;
    let mine: Map<string, StrategyRun['timeline']> | undefined;
    for (const b of ['', ...this.strategyNames]) {
      const score = timelineScore(full.record.runs, b);
      const cur = this.picks.get(b);
      if (cur && !(score > cur.score)) continue;
      mine ??= new Map(full.record.runs.filter((r) => r.timeline && r.timeline.length > 0).map((r) => [r.strategy, r.timeline]));
      this.picks.set(b, { score, cell: slim, timelines: mine });
    }
  }

  /** Puts back the timelines of the cell the chart picks for `baseline` (and only those). */
  restoreTimelines(baseline: string): void {
    const p = this.picks.get(this.strategyNames.has(baseline) ? baseline : '');
    if (!p) return;
    for (const r of p.cell.record.runs) {
      const t = p.timelines.get(r.strategy);
      if (t) r.timeline = t;
    }
  }

  /** Seal samples of one scenario (or all pooled) per strategy. */
  samples(scenario?: string): Map<string, SealSamples> {
    if (scenario !== undefined) return this.seals.get(scenario) ?? new Map();
    const parts = new Map<string, SealSamples[]>();
    for (const bySt of this.seals.values()) for (const [s, x] of bySt) parts.set(s, [...(parts.get(s) ?? []), x]);
    return new Map([...parts].map(([s, xs]) => [s, xs.length === 1 ? xs[0]! : SealSamples.concat(xs)]));
  }
}
