/**
 * `drainlab report RESULTS... -o FILE [--baseline FILE|NAME] [--save-baseline NAME]
 *  [--fail-on METRIC:PCT]... [--calibration FILE] [--bench FILE]...`
 *
 * Everything is read and checked before anything is written, so bad input (exit 2) leaves no
 * half-written report. Exit 1 when a --fail-on check fails (the report is still written, with the
 * failures at its top).
 */
import { loadSensitivity, withDependence } from './sensitivity.ts';
import { stat } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { checkBaselineName, checkComparable, checkFailOn, compareToBaseline, loadBaseline, parseFailOn, saveBaseline } from './baseline.ts';
import { writeAtomic } from '../io/files.ts';
import { buildReportData } from './build.ts';
import { reportErrors } from './errors.ts';
import { loadBench, loadCalibration } from './extras.ts';
import { streamResults } from './load.ts';
import { ReportInputs } from './ingest.ts';
import { renderReport } from './render.ts';
import { UsageError } from '../errors.ts';
import type { Finding } from './findings-types.ts';

export interface ReportCommandOptions {
  inputs: string[];
  /** Where to write: an .html file (the report), or a .json file (the report data). */
  out: string;
  /** A baseline file, or the name of one saved under .drainlab/baselines/. */
  baseline?: string;
  /** Compare with --baseline even when it ran other scenarios or another lab version. */
  forceBaseline?: boolean;
  /** Save this run's data as baseline NAME (.drainlab/baselines/NAME.json). */
  saveBaseline?: string;
  /** METRIC:PCT checks against --baseline; exit 1 when one fails. */
  failOn?: string[];
  /** drainlab sensitivity's DIR/sensitivity.json: adds the sensitivity section. */
  sensitivity?: string;
  /** A calibration file (what drainlab calibrate --out writes). */
  calibration?: string;
  /** Bench results JSON files (drainlab bench). */
  bench?: string[];
  /** Strategy the paired table compares with (default v4.14). */
  baselineStrategy?: string;
  /** Where progress goes (default process.stderr). */
  log?: (line: string) => void;
  /** Receives the report's findings once it is written (the study prints the 2017 answers). */
  onFindings?: (findings: readonly Finding[]) => void;
}

export async function reportCommand(opts: ReportCommandOptions): Promise<number> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!opts.out) throw reportErrors.noOutput();
  if (opts.inputs.length === 0) throw reportErrors.noInputs();
  const failOn = opts.failOn ?? [];
  failOn.forEach(parseFailOn); // bad specs fail before any reading
  if (opts.saveBaseline !== undefined) checkBaselineName(opts.saveBaseline); // before anything is written
  if (failOn.length > 0 && !opts.baseline) throw new UsageError('--fail-on needs --baseline FILE|NAME: it checks the change against a baseline');
  try {
    if ((await stat(opts.out)).isDirectory()) throw new UsageError(`-o ${opts.out}: is a directory; give a file name such as ${opts.out.replace(/\/$/, '')}/report.html`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }

  // One cell at a time: what the report keeps of each is small (src/report/ingest.ts). The
  // paired statistics then make much short-lived garbage, and V8's default heap growth let a
  // 1 GB cells.jsonl peak at 1.8 GiB RSS with ~0.8 GiB live; optimising for size keeps the heap
  // near what is live (docs/scaling.md: 0.75 GiB, ~1.5x the CPU).
  setFlagsFromString('--optimize-for-size');
  const inputs = new ReportInputs();
  const sources: string[] = [];
  for await (const r of streamResults(opts.inputs, { onSkip: (s) => log(`report: skipped ${s}`), onSource: (f) => sources.push(f) })) {
    inputs.add(r.cell);
    const n = inputs.size + inputs.duplicates;
    if (n % 100_000 === 0) log(`report: read ${n} results`);
    // The reading is synchronous underneath: let the event loop run now and then, so a SIGINT or
    // SIGTERM ends the command (130 / 143) while a large input is read, not after.
    if (n % 1000 === 0) await new Promise((r) => setImmediate(r));
  }
  if (inputs.size === 0) throw reportErrors.noRecords([...opts.inputs]);
  const calibration = opts.calibration ? await loadCalibration(opts.calibration) : undefined;
  const sensitivity = opts.sensitivity ? await loadSensitivity(opts.sensitivity) : undefined;
  const bench = opts.bench && opts.bench.length ? await loadBench(opts.bench) : undefined;
  const baseline = opts.baseline ? await loadBaseline(opts.baseline) : undefined;

  const data = buildReportData(inputs, { sources, ...(opts.baselineStrategy ? { baselineStrategy: opts.baselineStrategy } : {}) });
  if (calibration) data.calibration = calibration;
  if (sensitivity) {
    data.sensitivity = sensitivity;
    data.findings = withDependence(data.findings, sensitivity);
  }
  if (bench) data.bench = bench;
  let failures: ReturnType<typeof checkFailOn> = [];
  if (baseline) {
    if (!opts.forceBaseline) checkComparable(data, baseline, opts.baseline!);
    data.baselineComparison = compareToBaseline(data, baseline);
    if (failOn.length) {
      failures = checkFailOn(failOn, data.baselineComparison);
      data.failOn = { specs: failOn, failures };
    }
  }

  const content = opts.out.toLowerCase().endsWith('.json') ? JSON.stringify(data) : renderReport(data);
  writeAtomic(opts.out, content, '-o');
  log(`report: wrote ${opts.out} (${(Buffer.byteLength(content) / 1024).toFixed(0)} KiB): ${data.inputs.records} runs in ${data.inputs.cells} cells, ${data.strategies.length} strategies`);
  opts.onFindings?.(data.findings);
  if (opts.saveBaseline) log(`report: saved baseline ${await saveBaseline(opts.saveBaseline, data)}`);
  for (const f of failures) log(`report: FAIL ${f.message}`);
  if (failOn.length) log(failures.length ? `report: ${failures.length} --fail-on check(s) failed` : 'report: --fail-on checks passed');
  return failures.length ? 1 : 0;
}
