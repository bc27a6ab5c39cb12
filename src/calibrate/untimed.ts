/**
 * A calibration whose timings are not calibrated (a QEMU guest under TCG, where guest time runs
 * 3-5x slow and unevenly): the comparison keeps what the kernel decided and drops what the clock
 * says. Drain rows (case b) are judged on ok / EBUSY alone; re-check rows (case a) and tag-walk
 * rows (case c) turn on time itself (when the pins went against a re-check; how long a walk
 * took), so they are listed as not compared.
 */
import type { Comparison, ComparisonRow } from './compare.ts';

/** One line for the terminal, printed whenever timings are not compared. */
export const UNTIMED_LINE = 'timings not calibrated (TCG guest): comparing outcomes, drain targets and fill behaviour only';

export type UntimedRow = ComparisonRow & { compared: boolean };
export type UntimedComparison = Omit<Comparison, 'rows'> & { rows: UntimedRow[]; notCompared: number };

export function outcomesOnly(c: Comparison): UntimedComparison {
  const rows: UntimedRow[] = c.rows.map((r) => {
    if (r.kind !== 'drain') return { ...r, compared: false, pass: false, why: `${r.kind === 'walk' ? 'a tag walk\'s time' : 'a re-check\'s outcome turns on time'}: not compared without calibrated timings` };
    const same = r.measuredResult === r.predictedResult;
    return { ...r, compared: true, pass: same, ...(same ? { why: undefined } : { why: `result ${r.predictedResult}, measured ${r.measuredResult}` }) };
  });
  const compared = rows.filter((r) => r.compared);
  const passed = compared.filter((r) => r.pass).length;
  return { ...c, rows, passed, failed: compared.length - passed, notCompared: rows.length - compared.length };
}
