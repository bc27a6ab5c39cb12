/**
 * `drainlab/record`: what a program reading drainlab's results needs (docs/result-record.md): the
 * types of a run record (`drainlab run --json`, `--out`) and of a sweep's cells.jsonl line, the
 * names the simulator writes, and a checked parse. Published with its types (package.json
 * `exports`); the record's contract fields are never renamed or dropped.
 */
import type { RunRecord } from './record.ts';

export type * from './record.ts';
export type { ParamValue, SweepCell } from './cells.ts';
export { LOCK_NAMES, TRACE_STEPS } from './record.ts';

/** The schema tag of a run record. */
export const RUN_RECORD_SCHEMA = 'drainlab/run@1';

/**
 * Parses a run record (JSON text, or the value already parsed) and checks its frame: the schema
 * tag, a scenario object, and `runs`, each with a strategy name, seals and a summary. Throws an
 * Error naming the field that is wrong. The figures themselves are not re-checked.
 */
export function parseRunRecord(input: string | unknown): RunRecord {
  const v: unknown = typeof input === 'string' ? JSON.parse(input) : input;
  const fail = (field: string, want: string): never => {
    throw new Error(`not a drainlab run record: ${field}: expected ${want}`);
  };
  if (typeof v !== 'object' || v === null) fail('(top level)', 'an object');
  const r = v as Record<string, unknown>;
  if (r.schema !== RUN_RECORD_SCHEMA) fail('schema', JSON.stringify(RUN_RECORD_SCHEMA));
  if (typeof r.scenario !== 'object' || r.scenario === null) fail('scenario', 'an object');
  if (!Array.isArray(r.runs)) fail('runs', 'an array');
  (r.runs as unknown[]).forEach((run, i) => {
    const x = run as Record<string, unknown> | null;
    if (typeof x !== 'object' || x === null) fail(`runs[${i}]`, 'an object');
    if (typeof x!.strategy !== 'string') fail(`runs[${i}].strategy`, 'a string');
    if (!Array.isArray(x!.seals)) fail(`runs[${i}].seals`, 'an array');
    if (typeof x!.summary !== 'object' || x!.summary === null) fail(`runs[${i}].summary`, 'an object');
  });
  return v as RunRecord;
}
