/** The report: data model, HTML rendering, baselines, and the `drainlab report` command. */
export { buildReportData, pairKey, type BuildOptions } from './build.ts';
export { renderReport } from './render.ts';
export { reportCommand, type ReportCommandOptions } from './command.ts';
export { saveBaseline, loadBaseline, compareToBaseline, checkFailOn, parseFailOn, type BaselineFile, type FailOnSpec } from './baseline.ts';
export { loadResults, parseResultsText, runRecordToCell } from './load.ts';
export { parseCalibration, parseBench, loadCalibration, loadBench } from './extras.ts';
export { decimateMinMax, decimationIndices } from './decimate.ts';
export { METRIC_LIST, findMetric, requireMetric } from '../metrics/registry.ts';
export type * from './types.ts';
