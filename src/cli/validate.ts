/** `drainlab validate`: every case of docs/kernel-model.md section e against the model; exit 1 when one fails. */
import { VALIDATION_CASES, check, describeExpectation, presetCases } from '../validate/cases.ts';
import { PRESETS } from '../scenario/presets.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import { runResolved } from '../sim/run.ts';
import { table } from './table.ts';
import { UsageError } from '../errors.ts';
import type { Comparison } from '../calibrate/compare.ts';
import { describeSide, type GuestComparison } from '../calibrate/guest-compare.ts';
import type { UntimedComparison } from '../calibrate/untimed.ts';

export interface CaseResult {
  id: string;
  hz: number;
  strategy: string;
  seal: number;
  expected: string;
  got: string;
  failures: string[];
}

export function allValidationCases() {
  return [...VALIDATION_CASES, ...presetCases((n) => PRESETS[n].scenario)];
}

export function runValidationCases(): CaseResult[] {
  const results: CaseResult[] = [];
  for (const c of allValidationCases()) {
    const record = runResolved(resolveScenario(c.scenario, `validation case ${c.id}`));
    for (const e of c.expect) {
      const run = record.runs.find((r) => r.strategy === e.strategy);
      const s = e.seal === undefined ? undefined : run?.seals[e.seal];
      results.push({
        id: c.id,
        hz: c.hz,
        strategy: e.strategy,
        seal: e.seal ?? -1,
        expected: describeExpectation(e),
        got: s
          ? `${s.result} ${(s.endMs - s.startMs).toFixed(3)}ms${s.spurious ? ' spurious' : ''} lock ${s.lockHoldMs.toFixed(1)}ms`
          : run ? `${run.summary.drainPasses ?? 0} drain passes, ${run.lockdep.cycles.length} lock cycle(s)` : 'no run',
        failures: run ? check(e, run) : [`strategy ${e.strategy} did not run`],
      });
    }
  }
  return results;
}

/** The model beside every measurement of a calibration file (fitted costs, the host's kernel preset). */
async function calibrationComparison(path: string): Promise<(Comparison | UntimedComparison) & { loadedLine?: string; untimedLine?: string; guest?: GuestComparison | { skipped: string } }> {
  const { readCalibration } = await import('../calibrate/file.ts');
  const { compareCases, slackSpreadNs } = await import('../calibrate/compare.ts');
  const { simPredictor } = await import('../calibrate/predict.ts');
  let file;
  try {
    file = readCalibration(path);
  } catch (e) {
    throw new UsageError(`--calibration: ${(e as Error).message}`);
  }
  if (!file.host.hz) throw new UsageError(`--calibration: ${path} has no HZ for the host`);
  const timed = await compareCases(file.cases, simPredictor(file.costs), { kernel: file.host.kernel, hz: file.host.hz, costs: file.costs, slackSpreadNs: slackSpreadNs(file.derived) });
  const { timingsCalibrated } = await import('../calibrate/file.ts');
  const { outcomesOnly, UNTIMED_LINE } = await import('../calibrate/untimed.ts');
  const timings = timingsCalibrated(file);
  const cmp = timings ? timed : { ...outcomesOnly(timed), untimedLine: UNTIMED_LINE };
  const guest = file.guestCases?.length ? await guestComparison(file, file.host.hz, timings) : undefined;
  const { loadedHostLine } = await import('../calibrate/fit.ts');
  return { ...cmp, ...(file.load?.loaded ? { loadedLine: loadedHostLine(file.load) } : {}), ...(guest ? { guest } : {}) };
}

/** Case g of a calibration file beside the model of the measured kernel (src/calibrate/guest-compare.ts). */
async function guestComparison(file: import('../calibrate/file.ts').CalibrationFile, hz: number, timings: boolean): Promise<GuestComparison | { skipped: string }> {
  const { compareGuest, labKernel, mglruFromCases } = await import('../calibrate/guest-compare.ts');
  const kernel = labKernel(file.host.kernel);
  if (!kernel) return { skipped: `kernel ${file.host.kernel} is not one of the lab's versions: case g not compared` };
  const cases = file.guestCases ?? [];
  return compareGuest(cases, { kernel, hz, mglru: mglruFromCases(cases) ?? false, timings, loaded: file.load?.loaded ?? false, costs: file.costs });
}

export async function validateCommand(o: { calibration?: string; against?: string; replications?: number; json?: boolean }, out: (s: string) => void): Promise<number> {
  if (o.against && !o.calibration) throw new UsageError('--against needs --calibration (the file whose fitted costs are checked on the other run)');
  const cmp = o.calibration ? await calibrationComparison(o.calibration) : undefined;
  const dist = o.calibration ? await (await import('./validate-distributions.ts')).distributionChecks(o.calibration, o.against, o.replications) : undefined;
  const results = runValidationCases();
  const failed = results.filter((r) => r.failures.length > 0);
  if (o.json) out(JSON.stringify({ cases: results, failed: failed.length, calibration: cmp, ...(dist ? { distributions: dist.json } : {}) }, null, 2));
  else {
    out(table(['case', 'HZ', 'strategy', 'seal', 'expected', 'model', 'verdict'],
      results.map((r) => [r.id, String(r.hz), r.strategy, r.seal < 0 ? 'run' : String(r.seal), r.expected, r.got, r.failures.length ? `FAIL: ${r.failures.join('; ')}` : 'ok'])));
    out(`validation cases (docs/kernel-model.md section e): ${results.length - failed.length} passed, ${failed.length} failed`);
    if (cmp) {
      const f = (v: number) => v.toFixed(2);
      out(`\ncalibration (${cmp.kernel}, HZ=${cmp.hz}): the model beside the measured kernel`);
      if (cmp.loadedLine) out(cmp.loadedLine);
      if (cmp.untimedLine) out(cmp.untimedLine);
      const verdict = (r: (typeof cmp.rows)[number]) => ('compared' in r && !r.compared ? `not compared: ${r.why}` : r.pass ? 'ok' : `FAIL${r.why ? `: ${r.why}` : ''}`);
      if (cmp.rows.length) {
        out(table(['case', 'measured ms', 'model ms', 'error ms', 'tolerance ms', 'measured', 'model', 'verdict'],
          cmp.rows.map((r) => [r.case, f(r.measuredMs), f(r.predictedMs), f(r.errorMs), f(r.toleranceMs), r.measuredResult, r.predictedResult, verdict(r)])));
      }
      const nc = 'notCompared' in cmp && cmp.notCompared ? `, ${cmp.notCompared} not compared` : '';
      out(`calibration cases: ${cmp.passed} passed, ${cmp.failed} failed${nc}${cmp.loadedLine && cmp.failed ? ' (on a loaded host: see LOADED HOST above)' : ''}`);
      if (cmp.guest) printGuest(cmp.guest, out);
    }
    for (const l of dist?.lines ?? []) out(l);
  }
  const guestFailed = cmp?.guest && 'rows' in cmp.guest ? cmp.guest.failed : 0;
  return failed.length > 0 || (cmp?.failed ?? 0) > 0 || guestFailed > 0 || (dist?.failed ?? 0) > 0 ? 1 : 0;
}

/** Case g's table: case, model, kernel, match (docs/calibration.md "Case g"). */
function printGuest(g: GuestComparison | { skipped: string }, out: (s: string) => void): void {
  if (!('rows' in g)) {
    out(`\ncase g: ${g.skipped}`);
    return;
  }
  out(`\ncase g (${g.kernel}, ${g.cpus} CPUs, HZ=${g.hz}, PAGEVEC_SIZE ${g.pagevecSize}, multi-gen LRU ${g.mglru ? 'on' : 'off'}): outcomes, drain targets${g.timings ? ', fill behaviour and timings' : ' and fill behaviour'}`);
  out(table(['case', 'model', 'kernel', 'match'], g.rows.map((r) => [
    r.case, describeSide(r.model, r.test, g.timings), describeSide(r.kernel, r.test, g.timings), r.why ? `${r.match}: ${r.why}` : r.match,
  ])));
  out(`case g: ${g.passed} matched, ${g.failed} did not${g.notCompared ? `, ${g.notCompared} not compared` : ''}`);
}
