/** The report's error messages, in one place. All are UsageError: the CLI exits 2 on them. */
import { UsageError } from '../errors.ts';

export const reportErrors = {
  noInputs: () => new UsageError('report: no RESULTS given; pass one or more run JSON files, sweep JSONL files or directories holding them'),
  unreadable: (path: string, why: string) => new UsageError(`cannot read ${path}: ${why}`),
  badJson: (where: string, why: string) => new UsageError(`${where}: not valid JSON (${why})`),
  badRecord: (where: string, field: string, why: string) =>
    new UsageError(`${where}: not a drainlab result: field ${field}: ${why} (expected a "drainlab/run@1" record or a sweep line { cellId, params, replication, record })`),
  reportDataGiven: (where: string) =>
    new UsageError(`${where}: this is report data or a baseline (drainlab/report@1), not results; pass it with --baseline`),
  noRecords: (paths: string[]) => new UsageError(`report: no result records found in ${paths.join(', ')}`),
  badFailOn: (spec: string, why: string, allowed: string) =>
    new UsageError(`--fail-on ${JSON.stringify(spec)}: ${why}; expected METRIC:PCT or METRIC@STRATEGY:PCT with PCT a number >= 0 and METRIC one of ${allowed}`),
  badBaselineName: (name: string) =>
    new UsageError(`--save-baseline ${JSON.stringify(name)}: a baseline name may hold only letters, digits, '.', '_' and '-' (1-100 characters)`),
  badBaseline: (where: string, why: string) => new UsageError(`--baseline ${where}: ${why}`),
  badCalibration: (where: string, why: string) =>
    new UsageError(`--calibration ${where}: ${why}; expected the file drainlab calibrate --out FILE writes (schema "drainlab/calibration@1")`),
  badBench: (where: string, why: string) =>
    new UsageError(`--bench ${where}: ${why}; expected bench results: { suites: [{ name, tasks: [{ name, latency: { p50, mean, p99 }, throughput: { mean } }] }] } or an array of tasks`),
  noOutput: () => new UsageError('report: -o FILE is required (where to write the HTML report)'),
};
