/**
 * The optional sections: a calibration comparison (`drainlab calibrate` / `validate` output) and
 * benchmark results (`drainlab bench`). Their writers are other modules, so the readers accept the
 * plausible shapes and name the field when a row cannot be understood.
 */
import { checkJsonDepth, readInputText } from '../io/files.ts';
import { reportErrors } from './errors.ts';
import type { BenchRow, BenchSection, CalibrationRow, CalibrationSection } from './types.ts';
import { calibrationFileSchema, type CalibrationFile } from '../calibrate/file.ts';

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

/**
 * The calibration section from the file `drainlab calibrate --out FILE` writes (schema
 * drainlab/calibration@1, src/calibrate/file.ts): the model beside every measurement when the
 * file holds a comparison, else the measurements alone. `source` names it in messages.
 */
export function parseCalibration(value: unknown, source: string): CalibrationSection {
  const r = calibrationFileSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw reportErrors.badCalibration(source, `field ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  const f = value as CalibrationFile;
  const rows: CalibrationRow[] = f.comparison
    ? f.comparison.rows.map((x) => ({ case: x.case, predicted: x.predictedMs, measured: x.measuredMs, error: x.errorMs, tolerance: x.toleranceMs, pass: x.pass, unit: 'ms' }))
    : f.cases.map((c) => ({ case: c.id, predicted: null, measured: c.latencyMs, error: null, tolerance: null, pass: null, unit: 'ms' }));
  return { source, kernel: `${f.host.kernel}${f.host.hz ? `, HZ=${f.host.hz}` : ''}`, rows };
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
