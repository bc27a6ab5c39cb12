/**
 * The optional sections: a calibration comparison (`drainlab calibrate` / `validate` output) and
 * benchmark results (`drainlab bench`). Their writers are other modules, so the readers accept the
 * plausible shapes and name the field when a row cannot be understood.
 */
import { checkJsonDepth, readInputText } from '../io/files.ts';
import { reportErrors } from './errors.ts';
import type { BenchRow, BenchSection, CalibrationRow, CalibrationSection } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** A number from a number or a numeric string like "1234.5 ± 0.4%" (first number). */
function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const m = /[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?/i.exec(v);
    if (m) return Number(m[0].replace(/,/g, ''));
  }
  return null;
}
function pick(o: Obj, keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

async function readJson(path: string, fail: (where: string, why: string) => Error, flag: string): Promise<unknown> {
  const text = readInputText(path, flag);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw fail(path, `not valid JSON (${(e as Error).message})`);
  }
  checkJsonDepth(v, `${flag} ${path}`);
  return v;
}

/** Normalises a calibration comparison; `source` names it in messages. */
export function parseCalibration(value: unknown, source: string): CalibrationSection {
  const root = isObj(value) ? value : {};
  const list = Array.isArray(value) ? value : pick(root, ['rows', 'cases', 'comparisons', 'results', 'checks']);
  if (!Array.isArray(list)) throw reportErrors.badCalibration(source, 'no list of rows (rows, cases, comparisons or results)');
  const rows: CalibrationRow[] = list.map((r, i) => {
    if (!isObj(r)) throw reportErrors.badCalibration(source, `row ${i} is not an object`);
    const name = pick(r, ['case', 'name', 'id', 'probe']);
    const predicted = num(pick(r, ['predicted', 'predictedMs', 'model', 'modelMs', 'expected']));
    const measured = num(pick(r, ['measured', 'measuredMs', 'observed', 'actual', 'host']));
    if (predicted === null) throw reportErrors.badCalibration(source, `row ${i}: field predicted is missing or not a number`);
    if (measured === null) throw reportErrors.badCalibration(source, `row ${i}: field measured is missing or not a number`);
    const errGiven = num(pick(r, ['error', 'relError', 'relativeError']));
    const error = errGiven ?? (measured !== 0 ? (measured - predicted) / measured : predicted === 0 ? 0 : Infinity);
    let tolerance = num(pick(r, ['tolerance', 'tol', 'relTolerance']));
    const tolPct = num(pick(r, ['tolerancePct', 'tolPct']));
    if (tolerance === null && tolPct !== null) tolerance = tolPct / 100;
    const passGiven = pick(r, ['pass', 'passed', 'ok']);
    const pass = typeof passGiven === 'boolean' ? passGiven : tolerance !== null ? Math.abs(error) <= tolerance : null;
    const unitGiven = pick(r, ['unit', 'units']);
    const unit = typeof unitGiven === 'string' ? unitGiven : 'predictedMs' in r || 'measuredMs' in r ? 'ms' : '';
    return { case: String(name ?? `case ${i + 1}`), predicted, measured, error, tolerance, pass, unit };
  });
  const kernel = pick(root, ['kernel', 'hostKernel', 'uname', 'release']);
  return { source, kernel: typeof kernel === 'string' ? kernel : null, rows };
}

function benchTask(t: Obj, suite: string): BenchRow | null {
  const name = pick(t, ['name', 'task', 'Task name', 'taskName']);
  if (typeof name !== 'string') return null;
  const res = isObj(t.result) ? t.result : t;
  const lat = isObj(res.latency) ? res.latency : isObj(res.latencyMs) ? res.latencyMs : null;
  const thr = isObj(res.throughput) ? res.throughput : null;
  let p50 = lat ? num(pick(lat, ['p50', 'median', 'med'])) : null;
  let mean = lat ? num(pick(lat, ['mean', 'avg'])) : null;
  const p99 = lat ? num(pick(lat, ['p99'])) : null;
  let throughput = thr ? num(pick(thr, ['mean', 'p50', 'avg'])) : num(pick(res, ['throughput', 'opsPerSec', 'hz']));
  // tinybench's table(): strings in ns and ops/s.
  const nsMed = num(t['Latency med (ns)']);
  const nsAvg = num(t['Latency avg (ns)']);
  if (p50 === null && nsMed !== null) p50 = nsMed / 1e6;
  if (mean === null && nsAvg !== null) mean = nsAvg / 1e6;
  if (throughput === null) throughput = num(pick(t, ['Throughput avg (ops/s)', 'Throughput med (ops/s)']));
  const samples = num(pick(res, ['samples', 'samplesCount', 'Samples'])) ?? (lat ? num(pick(lat, ['samplesCount'])) : null);
  const rme = lat ? num(pick(lat, ['rme'])) : num(pick(res, ['rme']));
  if (p50 === null && mean === null && throughput === null) return null;
  return { suite, task: name, latencyP50: p50, latencyMean: mean, latencyP99: p99, throughput, samples: Array.isArray(samples) ? null : samples, rme };
}

/** Normalises benchmark results (drainlab bench JSON, tinybench tasks or table rows). */
export function parseBench(value: unknown, source: string): BenchRow[] {
  const rows: BenchRow[] = [];
  const suiteOf = (s: Obj, i: number) => String(pick(s, ['name', 'suite', 'title']) ?? `suite ${i + 1}`);
  const visitTasks = (tasks: unknown[], suite: string) => {
    tasks.forEach((t, i) => {
      if (!isObj(t)) throw reportErrors.badBench(source, `task ${i} of ${suite} is not an object`);
      const row = benchTask(t, suite);
      if (!row) throw reportErrors.badBench(source, `task ${i} of ${suite}: no name, or no latency/throughput numbers`);
      rows.push(row);
    });
  };
  const root = value;
  if (Array.isArray(root)) {
    if (root.every((x) => isObj(x) && Array.isArray(x.tasks))) root.forEach((s, i) => visitTasks((s as Obj).tasks as unknown[], suiteOf(s as Obj, i)));
    else visitTasks(root, 'bench');
  } else if (isObj(root)) {
    if (Array.isArray(root.suites)) {
      root.suites.forEach((s, i) => {
        if (!isObj(s) || !Array.isArray(s.tasks)) throw reportErrors.badBench(source, `suites[${i}] has no tasks list`);
        visitTasks(s.tasks, suiteOf(s, i));
      });
    } else if (Array.isArray(root.tasks)) visitTasks(root.tasks, suiteOf(root, 0));
    else if (Array.isArray(root.results)) visitTasks(root.results, suiteOf(root, 0));
    else throw reportErrors.badBench(source, 'no suites, tasks or results list');
  } else throw reportErrors.badBench(source, 'not a JSON object or array');
  return rows;
}

export async function loadCalibration(path: string): Promise<CalibrationSection> {
  return parseCalibration(await readJson(path, reportErrors.badCalibration, '--calibration'), path);
}

export async function loadBench(paths: readonly string[]): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  for (const p of paths) rows.push(...parseBench(await readJson(p, reportErrors.badBench, '--bench'), p));
  return { sources: [...paths], rows };
}
