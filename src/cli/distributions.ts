/**
 * The distribution checks (src/calibrate/distribution.ts) as text: one table row per quantity and
 * sample (in-sample: the costs fitted from a probe run against that run; out-of-sample: against
 * another run), and a summary line. A loaded host is part of the verdict, never only a JSON note.
 */
import type { DistributionResult } from '../calibrate/distribution.ts';
import { BAND_LEVEL, describeBands, distributionVerdict } from '../calibrate/distribution.ts';
import { table } from './table.ts';

export type SampleLabel = 'in-sample' | 'out-of-sample';

export function distributionTable(rows: readonly { label: SampleLabel; r: DistributionResult }[]): string {
  return table(
    ['quantity', 'sample', 'n', 'model n', 'KS D', 'KS p', `quantiles (ms): measured in model ${Math.round(BAND_LEVEL * 10000) / 100}% band`, 'verdict'],
    rows.map(({ label, r }) => [
      r.quantity, label, String(r.n), `${r.m} (${r.replications} reps)`, r.ks.d.toFixed(3), r.ks.p.toFixed(3),
      describeBands(r), distributionVerdict(r) + (r.pass ? '' : `: ${[r.ks.pass ? '' : `KS p < ${r.ks.alpha}`, r.bands.every((b) => b.inside) ? '' : 'a quantile outside its band'].filter(Boolean).join(', ')}`),
    ]),
  );
}

export function distributionSummary(rs: readonly DistributionResult[], label: SampleLabel): string {
  return `distributions (${label}): ` + rs.map((r) => `${r.quantity} ${distributionVerdict(r)} (KS D ${r.ks.d.toFixed(3)}, p ${r.ks.p.toFixed(3)}; ${describeBands(r)})`).join('; ');
}
