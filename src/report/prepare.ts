/** The report's inputs made uniform: run records and sweep lines as cells, deduplicated, with their params flattened. */
import type { RunRecord } from '../metrics/record.ts';
import { runRecordToCell } from './load.ts';
import { orderStrategies, strategyColor } from './strategies.ts';
import type { ParamValue, SweepCell } from './types.ts';

/** A cell's pairing key: one cell and one seed, so both sides of a pair saw the same arrivals. */
export const pairKey = (c: Pick<SweepCell, 'cellId' | 'replication'>) => `${c.cellId}#${c.replication}`;

const isRecord = (x: RunRecord | SweepCell): x is RunRecord => (x as RunRecord).schema === 'drainlab/run@1' && !('record' in x);

export function scenarioName(r: RunRecord): string {
  const n = (r.scenario as Record<string, unknown>).name;
  return typeof n === 'string' && n !== '' ? n : 'unnamed';
}

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
  cells: SweepCell[];
  flat: Record<string, ParamValue>[];
  strategies: string[];
  /** One colour per strategy, the same in every chart. */
  colors: Map<string, string>;
  duplicates: number;
}

export function prepare(inputs: ReadonlyArray<RunRecord | SweepCell>): Prepared {
  const seen = new Set<string>();
  const cells: SweepCell[] = [];
  let duplicates = 0;
  let runIndex = 0;
  for (const x of inputs) {
    const c = isRecord(x) ? runRecordToCell(x, runIndex++) : x;
    const k = pairKey(c);
    if (seen.has(k)) {
      duplicates++;
      continue;
    }
    seen.add(k);
    cells.push(c);
  }
  const names = new Set<string>();
  for (const c of cells) for (const r of c.record.runs) names.add(r.strategy);
  const strategies = orderStrategies(names);
  let unknown = 0;
  const colors = new Map(strategies.map((s) => [s, strategyColor(s, unknown++)]));
  return { cells, flat: cells.map((c) => flattenParams(c.params)), strategies, colors, duplicates };
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
