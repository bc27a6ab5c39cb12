/**
 * Reading result files: single `drainlab run --json` records, sweep JSONL (one SweepCell per
 * line), JSON arrays of either, and directories holding such files. Every record is checked
 * against the contract's fields before use, and a bad one names its file, line and field.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkInputFile, checkJsonDepth, inputLimitBytes, readInputText } from '../io/files.ts';
import { MAX_LINE_BYTES, readLines } from '../io/lines.ts';
import { UsageError } from '../errors.ts';
import { z } from 'zod';
import type { RunRecord } from '../metrics/record.ts';
import { reportErrors } from './errors.ts';
import type { ParamValue, SweepCell } from './types.ts';

const num = z.number();
const quant = z.looseObject({ p50: num, p99: num, max: num });

const sealSchema = z.looseObject({
  startMs: num,
  endMs: num,
  result: z.enum(['ok', 'EBUSY', 'EPERM']),
  lockHoldMs: num,
});

const runSchema = z.looseObject({
  strategy: z.string(),
  seals: z.array(sealSchema),
  summary: z.looseObject({
    seals: num,
    ok: num,
    ebusy: num,
    eperm: num,
    spuriousEbusy: num,
    unsafe: num,
    latencyMs: quant,
    lockHoldMs: quant,
    cpusInterrupted: num,
    isolatedDisturbances: num,
    drainCpuMs: num,
    drainAllCalls: num,
  }),
  lockdep: z.looseObject({ edges: z.array(z.array(z.string())), cycles: z.array(z.array(z.string())) }).optional(),
  timeline: z.array(z.looseObject({ atMs: num, cpu: num, what: z.string() })).optional(),
});

const recordSchema = z.looseObject({
  schema: z.literal('drainlab/run@1'),
  scenario: z.record(z.string(), z.unknown()),
  provenance: z.record(z.string(), z.unknown()),
  runs: z.array(runSchema),
});

const cellSchema = z.looseObject({
  cellId: z.string(),
  params: z.record(z.string(), z.unknown()),
  replication: z.number().int().nonnegative(),
  record: recordSchema,
});

function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(top level)';
  throw reportErrors.badRecord(where, field, issue.message);
}

export interface LoadedResults {
  cells: SweepCell[];
  /** The files read, in order. */
  sources: string[];
  /** Files in directories skipped because they hold no results (calibration, bench, baselines...). */
  skipped: string[];
}

/** A short, stable hash of a JSON value (FNV-1a 32, hex). */
export function shortHash(value: unknown): string {
  const s = JSON.stringify(value);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * A single run record as a one-replication cell. Its cell is its scenario without the seed, so
 * several `run --json` files of one scenario with different seeds become replications of one cell;
 * the replication is the seed (or the position among its cell's records when there is no seed).
 */
export function runRecordToCell(record: RunRecord, fallbackReplication: number): SweepCell {
  const sc = record.scenario as Record<string, unknown>;
  // The cell is the scenario without what varies between replications of it (seed, replication).
  const { seed, replication: _replication, ...rest } = sc;
  const name = typeof sc.name === 'string' ? sc.name : 'run';
  const params: Record<string, ParamValue> = {};
  if (typeof sc.cpus === 'number') params.cpus = sc.cpus;
  const replication = typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? seed : fallbackReplication;
  return { cellId: `${name}#${shortHash(rest)}`, params, replication, record };
}

type Parsed = { kind: 'record'; value: RunRecord } | { kind: 'cell'; value: SweepCell };

function classify(value: unknown, where: string): Parsed {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (o.schema === 'drainlab/report@1') throw reportErrors.reportDataGiven(where);
    if ('record' in o || 'cellId' in o) return { kind: 'cell', value: check(cellSchema, o, where) as unknown as SweepCell };
    return { kind: 'record', value: check(recordSchema, o, where) as unknown as RunRecord };
  }
  throw reportErrors.badRecord(where, '(top level)', `expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
}

/** Parses one file's text: a JSON object, a JSON array, or JSON lines. */
export function parseResultsText(text: string, source: string): Parsed[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  // One JSON document (an object or an array) first; JSON lines when that fails past the first value.
  let whole: unknown;
  let wholeError: Error | undefined;
  try {
    whole = JSON.parse(trimmed);
  } catch (e) {
    wholeError = e as Error;
  }
  if (wholeError === undefined) {
    checkJsonDepth(whole, source);
    return Array.isArray(whole) ? whole.map((v, i) => classify(v, `${source}[${i}]`)) : [classify(whole, source)];
  }
  if (!trimmed.startsWith('{')) throw reportErrors.badJson(source, wholeError.message);
  const out: Parsed[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw reportErrors.badJson(`${source}:${i + 1}`, (e as Error).message);
    }
    checkJsonDepth(value, `${source}:${i + 1}`);
    out.push(classify(value, `${source}:${i + 1}`));
  }
  return out;
}

/** Files of a directory tree that may hold results; links and special files are checked when read. */
async function listDir(dir: string, depth = 0): Promise<string[]> {
  if (depth > 32) throw reportErrors.unreadable(dir, 'directories nested more than 32 deep');
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'baselines' || e.name === 'node_modules' || e.name.startsWith('.')) continue;
      out.push(...(await listDir(p, depth + 1)));
    } else if (/\.(jsonl|json|ndjson)$/i.test(e.name)) {
      out.push(p);
    }
  }
  return out;
}

/** One result of the inputs, with where it came from. */
export interface StreamedResult {
  cell: SweepCell;
  /** The file, and the line for JSON lines (0 for a whole-file document). */
  source: string;
  line: number;
}

export interface StreamOptions {
  /** Files inside directories that hold no results (calibration, bench, manifests) are reported here and skipped. */
  onSkip?: (what: string) => void;
  /** Called once per file that held results. */
  onSource?: (file: string) => void;
}

/** The first non-empty line of a file, parsed, or undefined if it is not a whole JSON value. */
function firstLineValue(file: string): { ok: boolean } {
  for (const l of readLines(file)) {
    const t = l.text.trim();
    if (t === '') continue;
    try {
      const v = JSON.parse(t) as unknown;
      return { ok: v !== null && typeof v === 'object' && !Array.isArray(v) };
    } catch {
      return { ok: false };
    }
  }
  return { ok: false };
}

/**
 * Every result of the inputs, one at a time, in bounded memory: JSON-lines files are read line by
 * line (no size limit: a 1 GB cells.jsonl is fine); a file holding one JSON document (a run record,
 * an array) is read whole, up to the longest line allowed in a results file (src/io/lines.ts), so
 * a pretty-printed `run --out` record is read as far as its one-line form would be. Links are followed only to
 * regular files; FIFOs and devices are refused (named directly) or skipped (inside a directory).
 * Every record is checked against the contract's fields, and JSON nesting is limited.
 */
export async function* streamResults(paths: readonly string[], opts: StreamOptions = {}): AsyncGenerator<StreamedResult> {
  if (paths.length === 0) throw reportErrors.noInputs();
  let runIndex = 0;
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw reportErrors.unreadable(p, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message);
    }
    const inDir = st.isDirectory();
    const files = inDir ? await listDir(p) : [p];
    for (const f of files) {
      try {
        checkInputFile(f, 'report', { limit: Number.POSITIVE_INFINITY });
      } catch (e) {
        if (inDir && e instanceof UsageError) {
          opts.onSkip?.(`${f} (${e.message.split(': ').slice(-1)[0]})`);
          continue;
        }
        throw e;
      }
      if (firstLineValue(f).ok) {
        // JSON lines (or a one-line JSON object): line by line.
        let n = 0;
        for (const l of readLines(f)) {
          const t = l.text.trim();
          if (t === '') continue;
          const where = `${f}:${l.lineNo}`;
          let item: Parsed;
          try {
            let value: unknown;
            try {
              value = JSON.parse(t);
            } catch (e) {
              throw reportErrors.badJson(where, (e as Error).message);
            }
            checkJsonDepth(value, where);
            item = classify(value, where);
          } catch (e) {
            if (inDir && n === 0) {
              opts.onSkip?.(`${f} (${basename(f)}: ${(e as Error).message.split(': ').slice(-1)[0]})`);
              break;
            }
            throw e;
          }
          if (n++ === 0) opts.onSource?.(f);
          yield { cell: item.kind === 'cell' ? item.value : runRecordToCell(item.value, runIndex++), source: f, line: l.lineNo };
        }
        // A final line with no newline (a torn append) is left out by readLines; say so.
        continue;
      }
      let parsed: Parsed[];
      try {
        // A record the lab wrote itself (`run --out` pretty-prints it) may be as large as one line
        // of a results file: the line limit, or the input limit where that is raised further.
        parsed = parseResultsText(readInputText(f, 'report', { limit: Math.max(inputLimitBytes(), MAX_LINE_BYTES) }), f);
      } catch (e) {
        if (inDir) {
          opts.onSkip?.(`${f} (${basename(f)}: ${(e as Error).message.split(': ').slice(-1)[0]})`);
          continue;
        }
        throw e;
      }
      if (parsed.length === 0) {
        if (inDir) opts.onSkip?.(`${f} (empty)`);
        continue;
      }
      opts.onSource?.(f);
      for (const item of parsed) yield { cell: item.kind === 'cell' ? item.value : runRecordToCell(item.value, runIndex++), source: f, line: 0 };
    }
  }
}

/**
 * Reads every input into memory (what the report builder takes today). Files named directly must
 * hold results; files found inside directories that hold something else are skipped and listed.
 */
export async function loadResults(paths: readonly string[]): Promise<LoadedResults> {
  const cells: SweepCell[] = [];
  const sources: string[] = [];
  const skipped: string[] = [];
  for await (const r of streamResults(paths, { onSkip: (s) => skipped.push(s), onSource: (f) => sources.push(f) })) cells.push(r.cell);
  if (cells.length === 0) throw reportErrors.noRecords([...paths]);
  return { cells, sources, skipped };
}
