/** The report's inputs made uniform: run records and sweep lines as cells, deduplicated, with their params flattened. */
import type { RunRecord } from '../metrics/record.ts';
import { ReportInputs, scenarioName } from './ingest.ts';
import { orderStrategies, strategyColor } from './strategies.ts';
import type { ParamValue, SweepCell } from './types.ts';

export { pairKey, scenarioName } from './ingest.ts';

/** Flattens nested params to dotted names with scalar values. */
export function flattenParams(params: SweepCell['params'], prefix = '', out: Record<string, ParamValue> = {}): Record<string, ParamValue> {
  for (const [k, v] of Object.entries(params)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenParams(v as SweepCell['params'], name, out);
    else if (Array.isArray(v)) out[name] = JSON.stringify(v);
    else out[name] = v as ParamValue;
  }
  return out;
}

export const fmtParam = (v: ParamValue) => (typeof v === 'string' ? v : JSON.stringify(v));

export interface Prepared {
  /** The kept cells, reduced (src/report/ingest.ts: no seals, one timeline). */
  cells: SweepCell[];
  flat: Record<string, ParamValue>[];
  strategies: string[];
  /** One colour per strategy, the same in every chart. */
  colors: Map<string, string>;
  duplicates: number;
  /** Where the seals, the provenance and the timelines went. */
  inputs: ReportInputs;
}

/** The report's inputs, deduplicated and reduced: an array of records or cells, or inputs already taken one at a time. */
export function prepare(from: ReadonlyArray<RunRecord | SweepCell> | ReportInputs): Prepared {
  let inputs: ReportInputs;
  if (from instanceof ReportInputs) inputs = from;
  else {
    inputs = new ReportInputs();
    for (const x of from) inputs.add(x);
  }
  const strategies = orderStrategies(inputs.names());
  let unknown = 0;
  const colors = new Map(strategies.map((s) => [s, strategyColor(s, unknown++)]));
  const cells = inputs.cells;
  return { cells, flat: cells.map((c) => flattenParams(c.params)), strategies, colors, duplicates: inputs.duplicates, inputs };
}

/** Cells grouped by scenario name, in first-seen order. */
export function byScenario(cells: readonly SweepCell[]): Map<string, SweepCell[]> {
  const out = new Map<string, SweepCell[]>();
  for (const c of cells) {
    const n = scenarioName(c.record);
    const list = out.get(n) ?? [];
    list.push(c);
    out.set(n, list);
  }
  return out;
}

/** A cell's prepared sub-view (same strategies and colours, fewer cells). */
export function subset(prep: Prepared, keep: (c: SweepCell) => boolean): Prepared {
  const idx = prep.cells.map((c, i) => (keep(c) ? i : -1)).filter((i) => i >= 0);
  return { ...prep, cells: idx.map((i) => prep.cells[i]!), flat: idx.map((i) => prep.flat[i]!) };
}
