/**
 * "A metric against one sweep parameter": the machinery of the line charts over a sweep. A
 * multi-parameter sweep has one slice per combination of the other parameters; every slice is
 * kept (the first shown is the one with the most x values) and the page offers a selector, so no
 * slice is unreachable. On a log y axis, zeros are drawn at a floor below every positive value
 * and the note says so.
 */
import type { StrategyRun } from '../../metrics/record.ts';
import { medianCI } from '../../stats/bootstrap.ts';
import { fmtParam, scenarioName, type Prepared } from '../prepare.ts';
import type { Boot } from '../paired.ts';
import type { ChartData, LineSeries, LinesChart, SweepCell } from '../types.ts';

export interface Slice {
  param: string;
  /** Distinct x values, ascending, each with the cells at it. */
  xs: number[];
  cellsAt: Map<number, SweepCell[]>;
  /** What the other parameters (and the scenario) were held at. */
  heldAt: string;
  scenario: string;
}

/** Every slice of the cells along the first matching parameter with >= 2 numeric values, best covered first. */
export function slicesAlong(prep: Prepared, aliases: readonly string[], pattern: RegExp | null): Slice[] {
  const names = new Set<string>();
  for (const f of prep.flat) for (const k of Object.keys(f)) names.add(k);
  const numericDistinct = (name: string) => new Set(prep.flat.map((f) => f[name]).filter((v): v is number => typeof v === 'number')).size;
  const candidates = [...aliases.filter((a) => names.has(a)), ...(pattern ? [...names].filter((n) => pattern.test(n)).sort() : [])];
  const param = candidates.find((n) => numericDistinct(n) >= 2);
  if (!param) return [];
  const groups = new Map<string, Slice>();
  prep.cells.forEach((c, i) => {
    const f = prep.flat[i]!;
    const x = f[param];
    if (typeof x !== 'number') return;
    const restObj = Object.fromEntries(Object.entries(f).filter(([k]) => k !== param).sort(([a], [b]) => (a < b ? -1 : 1)));
    const scen = scenarioName(c.record);
    const key = `${scen}\u0000${JSON.stringify(restObj)}`;
    let g = groups.get(key);
    if (!g) {
      const restText = Object.entries(restObj).map(([k, v]) => `${k}=${fmtParam(v)}`).join(', ');
      g = { param, xs: [], cellsAt: new Map(), heldAt: `scenario ${scen}${restText ? `, ${restText}` : ''}`, scenario: scen };
      groups.set(key, g);
    }
    const at = g.cellsAt.get(x) ?? [];
    at.push(c);
    g.cellsAt.set(x, at);
  });
  const out = [...groups.values()].filter((g) => g.cellsAt.size >= 2);
  for (const g of out) g.xs = [...g.cellsAt.keys()].sort((a, b) => a - b);
  const reps = (g: Slice) => [...g.cellsAt.values()].reduce((a, v) => a + v.length, 0);
  out.sort((a, b) => b.cellsAt.size - a.cellsAt.size || reps(b) - reps(a) || (a.heldAt < b.heldAt ? -1 : a.heldAt > b.heldAt ? 1 : 0));
  return out;
}

export interface VsSpec {
  id: string;
  title: string;
  question: string;
  aliases: readonly string[];
  pattern: RegExp | null;
  needs: string;
  xLabel: string;
  xUnit: string;
  yLabel: string;
  yUnit: string;
  logY: boolean;
  /** The per-replication value. */
  value: (run: StrategyRun) => number | undefined;
  /** Extra note text. */
  note?: string;
  markers?: (slice: Slice) => { x: number; label: string }[];
  besideId?: string;
}

const finite = (v: number | undefined | null): v is number => typeof v === 'number' && Number.isFinite(v);

function seriesOf(prep: Prepared, spec: VsSpec, slice: Slice, boot: Boot): LineSeries[] {
  return prep.strategies.map((s) => {
    const values: (number | null)[] = [];
    const lo: (number | null)[] = [];
    const hi: (number | null)[] = [];
    for (const x of slice.xs) {
      const reps: number[] = [];
      for (const c of slice.cellsAt.get(x)!) {
        for (const r of c.record.runs) {
          if (r.strategy !== s) continue;
          const v = spec.value(r);
          if (finite(v)) reps.push(v);
        }
      }
      const ci = medianCI(reps, { ...boot, seed: `${spec.id}|${slice.heldAt}|${s}|${x}` });
      values.push(finite(ci.estimate) ? ci.estimate : null);
      lo.push(finite(ci.lo) ? ci.lo : null);
      hi.push(finite(ci.hi) ? ci.hi : null);
    }
    return { label: s, color: prep.colors.get(s)!, values, lo, hi };
  }).filter((s) => s.values.some((v) => v !== null));
}

/** On a log axis: the floor zeros are drawn at (a third of the smallest positive value), or undefined when nothing is zero. */
function floorZeros(series: LineSeries[]): number | undefined {
  let minPos = Infinity;
  let zeros = false;
  for (const s of series) for (const col of [s.values, s.lo ?? [], s.hi ?? []]) for (const v of col) {
    if (v === null) continue;
    if (v <= 0) zeros = true;
    else if (v < minPos) minPos = v;
  }
  if (!zeros) return undefined;
  const floor = Number.isFinite(minPos) ? minPos / 3 : 1e-3;
  for (const s of series) for (const col of [s.values, s.lo, s.hi]) if (col) col.forEach((v, i) => { if (v !== null && v <= 0) col[i] = floor; });
  return floor;
}

export function versus(prep: Prepared, spec: VsSpec, boot: Boot): ChartData {
  const base = { id: spec.id, title: spec.title, question: spec.question };
  const slices = slicesAlong(prep, spec.aliases, spec.pattern);
  if (slices.length === 0) return { ...base, kind: 'missing', needs: spec.needs };
  const first = slices[0]!;
  const logX = first.xs[0]! > 0 && first.xs[first.xs.length - 1]! / first.xs[0]! >= 16;
  const made = slices.map((sl) => {
    const series = seriesOf(prep, spec, sl, boot);
    const zeroFloor = spec.logY ? floorZeros(series) : undefined;
    return { label: sl.heldAt, xs: sl.xs, series, ...(zeroFloor !== undefined ? { zeroFloor } : {}) };
  });
  const reps = Math.max(...[...first.cellsAt.values()].map((v) => v.length));
  const shown = made[0]!;
  const chart: LinesChart = {
    ...base, kind: 'lines', points: true,
    x: { label: spec.xLabel, unit: spec.xUnit, log: logX },
    y: { label: spec.yLabel, unit: spec.yUnit, log: spec.logY },
    xs: shown.xs, series: shown.series,
    ...(shown.zeroFloor !== undefined ? { zeroFloor: shown.zeroFloor } : {}),
    ...(spec.markers ? { markers: spec.markers(first) } : {}),
    ...(made.length > 1 ? { slices: made.slice(1), sliceLabel: shown.label } : {}),
    ...(spec.besideId ? { besideId: spec.besideId } : {}),
    note: `x = sweep parameter "${first.param}"; ${made.length > 1 ? `${made.length} slices (pick one above the chart); shown first:` : 'held at'} ${first.heldAt}. Line: median over replications (up to ${reps} per point); band: ${Math.round(boot.level * 100)}% bootstrap CI of that median.${spec.logY ? ' Zeros are drawn on the dashed floor line marked 0 (a log axis has no zero).' : ''}${spec.note ? ` ${spec.note}` : ''}`,
  };
  return chart;
}
