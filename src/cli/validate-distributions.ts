/**
 * `validate --calibration A [--against B]`: the distribution checks of src/calibrate/distribution.ts,
 * in-sample (A's fitted costs on A's measurements) and out-of-sample (A's costs on B's, a probe run
 * the fit never saw), and B's deterministic cases case by case under A's costs. Loaded hosts are
 * said in the verdicts and in a LOADED HOST line per file.
 */
import type { CalibrationFile } from '../calibrate/file.ts';
import type { DistributionResult } from '../calibrate/distribution.ts';
import { UsageError } from '../errors.ts';
import { distributionTable, type SampleLabel } from './distributions.ts';

async function read(path: string, flag: string): Promise<CalibrationFile> {
  const { readCalibration } = await import('../calibrate/file.ts');
  try {
    return readCalibration(path);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

export async function distributionChecks(fitPath: string, againstPath: string | undefined, replications?: number): Promise<{ lines: string[]; failed: number; json: unknown } | undefined> {
  const { inAndOutOfSample } = await import('../calibrate/distribution.ts');
  const { loadedHostLine } = await import('../calibrate/fit.ts');
  const fit = await read(fitPath, '--calibration');
  const against = againstPath ? await read(againstPath, '--against') : undefined;
  if (against && fit.host.kernel !== against.host.kernel) {
    throw new UsageError(`--against ${againstPath}: measured on kernel ${against.host.kernel}, the calibration on ${fit.host.kernel}; out-of-sample checks need the same kernel`);
  }
  // a guest under TCG: its clock is not the kernel's, so no timing distribution is compared
  const { timingsCalibrated } = await import('../calibrate/file.ts');
  for (const [f, p] of [[fit, fitPath], ...(against ? [[against, againstPath!]] : [])] as [CalibrationFile, string][]) {
    if (!timingsCalibrated(f)) return { lines: [`distributions: not compared: ${p}'s timings are not calibrated (a guest under TCG)`], failed: 0, json: { skipped: 'timings not calibrated' } };
  }
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const res = await inAndOutOfSample(fit, against, { replications, log });
  const lines: string[] = [];
  const rows: { label: SampleLabel; r: DistributionResult }[] = [
    ...res.inSample.map((r) => ({ label: 'in-sample' as const, r })),
    ...(res.outOfSample ?? []).map((r) => ({ label: 'out-of-sample' as const, r })),
  ];
  let caseFailed = 0;
  let outCases: unknown;
  if (against && against.host.hz) {
    // B's deterministic cases (re-checks, drains, walks) one by one under A's fitted costs
    const { compareCases, slackSpreadNs } = await import('../calibrate/compare.ts');
    const { simPredictor } = await import('../calibrate/predict.ts');
    // the slack spread is the measured run's own (its seals' variation about the fitted median)
    const c = await compareCases(against.cases, simPredictor(fit.costs), { kernel: against.host.kernel, hz: against.host.hz, costs: fit.costs, slackSpreadNs: slackSpreadNs(against.derived) });
    caseFailed = c.failed;
    outCases = c;
    lines.push(`\nout-of-sample cases: ${againstPath}'s measurements under ${fitPath}'s fitted costs: ${c.passed} passed, ${c.failed} failed` +
      (c.failed ? `: ${c.rows.filter((r) => !r.pass).slice(0, 8).map((r) => `${r.case} (${r.measuredMs.toFixed(2)} vs ${r.predictedMs.toFixed(2)} ms)`).join(', ')}${c.failed > 8 ? `, and ${c.failed - 8} more (--json has every row)` : ''}` : ''));
  }
  if (rows.length === 0 && !against) return undefined;
  if (rows.length) {
    lines.push(`\ndistributions: measured latencies against the model's (${rows[0].r.replications} replications per case), two-sample KS (pass at p >= ${rows[0].r.ks.alpha}) and quantile bands`);
    for (const [f, p] of [[fit, fitPath], ...(against ? [[against, againstPath!]] : [])] as [CalibrationFile, string][]) {
      if (f.load?.loaded) lines.push(`${p}: ${loadedHostLine(f.load)}`);
    }
    lines.push(distributionTable(rows));
    for (const { label, r } of rows) if (r.note) lines.push(`${r.quantity} ${label}: ${r.note}`);
  } else {
    lines.push(`distributions: neither file has busy-sealer (case e) or RT-phase (case f) measurements (drainlab calibrate --cases a,b,c,d,e,f)`);
  }
  const distFailed = rows.filter((x) => !x.r.pass).length;
  lines.push(`distributions: ${rows.length - distFailed} passed, ${distFailed} failed${rows.some((x) => x.r.loaded && !x.r.pass) ? ' (failures on a LOADED HOST are marked so)' : ''}`);
  return { lines, failed: distFailed + caseFailed, json: { inSample: res.inSample, outOfSample: res.outOfSample, outOfSampleCases: outCases } };
}
