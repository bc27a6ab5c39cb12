/**
 * The report's sensitivity section (drainlab sensitivity's DIR/sensitivity.json, with
 * `drainlab report --sensitivity FILE`): a mu*-sigma plot per output that moved (inline SVG, no
 * script), Sobol index bars with their CIs, and one sentence per finding.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { dependenceSentences, type OutputResult, type SensitivityResult } from '../sweep/sensitivity.ts';
import { metric } from '../metrics/registry.ts';
import type { Finding } from './findings-types.ts';

export async function loadSensitivity(path: string): Promise<SensitivityResult> {
  let r: SensitivityResult;
  try {
    r = JSON.parse(await readFile(path, 'utf8')) as SensitivityResult;
  } catch (e) {
    throw new UsageError(`--sensitivity: cannot read ${path}: ${(e as Error).message}`);
  }
  if (r?.schema !== 'drainlab/sensitivity@1' || !Array.isArray(r.outputs)) throw new UsageError(`--sensitivity: ${path} is not a drainlab/sensitivity@1 file (drainlab sensitivity writes DIR/sensitivity.json)`);
  return r;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const n3 = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : '-');

/** mu* (x) against sigma (y), one labelled dot per factor. */
function muSigmaSvg(o: OutputResult): string {
  const W = 320, H = 200, P = 36;
  const xs = o.morris.map((m) => m.muStar);
  const ys = o.morris.map((m) => m.sigma);
  const mx = Math.max(...xs, 1e-12);
  const my = Math.max(...ys, 1e-12);
  const dots = o.morris
    .filter((m) => m.muStar > 0 || m.sigma > 0)
    .map((m) => {
      const x = P + (m.muStar / mx) * (W - 2 * P);
      const y = H - P - (m.sigma / my) * (H - 2 * P);
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="#1f77b4"><title>${esc(m.factor)}: mu* ${n3(m.muStar)}, sigma ${n3(m.sigma)}</title></circle><text x="${(x + 5).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="10">${esc(m.factor)}</text>`;
    })
    .join('');
  return `<svg class="sens-mu-sigma" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="mu* against sigma for ${esc(o.metric)} of ${esc(o.strategy)}">
<line x1="${P}" y1="${H - P}" x2="${W - P / 2}" y2="${H - P}" stroke="#888"/><line x1="${P}" y1="${P / 2}" x2="${P}" y2="${H - P}" stroke="#888"/>
<text x="${W / 2}" y="${H - 8}" font-size="11" text-anchor="middle">mu* (0 .. ${n3(mx)})</text><text x="10" y="${H / 2}" font-size="11" transform="rotate(-90 10 ${H / 2})" text-anchor="middle">sigma (0 .. ${n3(my)})</text>${dots}</svg>`;
}

/** S1 and ST bars with their CIs, one row per factor. */
function indexBars(o: OutputResult): string {
  if (!o.sobol) return '';
  const W = 160;
  const bar = (v: number, lo: number, hi: number, color: string) => {
    const c = (x: number) => Math.max(0, Math.min(1, x)) * W;
    return `<svg width="${W}" height="12"><rect x="0" y="2" width="${c(v).toFixed(1)}" height="8" fill="${color}"/><line x1="${c(lo).toFixed(1)}" y1="6" x2="${c(hi).toFixed(1)}" y2="6" stroke="#000"/></svg>`;
  };
  const rows = o.sobol.map((s) => `<tr><td>${esc(s.factor)}</td><td>${bar(s.s1.value, s.s1.lo, s.s1.hi, '#ff7f0e')} ${n3(s.s1.value)} [${n3(s.s1.lo)}, ${n3(s.s1.hi)}]</td><td>${bar(s.st.value, s.st.lo, s.st.hi, '#1f77b4')} ${n3(s.st.value)} [${n3(s.st.lo)}, ${n3(s.st.hi)}]</td></tr>`).join('');
  return `<table class="sens-bars"><tr><th>factor</th><th>S1 (first order) [95 % CI]</th><th>ST (total) [95 % CI]</th></tr>${rows}</table>`;
}

export function sensitivityHtml(r: SensitivityResult | undefined): string {
  if (!r) return '';
  const moved = r.outputs.filter((o) => o.max > o.min);
  const still = r.outputs.filter((o) => !(o.max > o.min));
  const ranking = r.ranking.map((x) => `<tr><td>${esc(x.factor)}</td><td>${x.score.toFixed(2)}</td><td>${esc(x.about)}</td></tr>`).join('');
  return `<h2 id="sensitivity">Sensitivity: which assumptions the results rest on (${esc(r.scenario)})</h2>
<p class="how">Morris screening of ${r.factors.length} factors (${r.design.morrisRuns} runs, r = ${r.design.trajectories}), then Sobol indices of ${esc(r.survivors.join(', ') || 'none')} (${r.design.sobolRuns} runs, N = ${r.design.samples}); one seed for every point. mu*: mean absolute effect over the factor's range (importance); sigma: its spread (non-linearity, interactions). ST near 1: the output varies because of that factor.</p>
<ul class="findings">${moved.map((o) => `<li>${esc(o.finding)}</li>`).join('')}</ul>
${still.length ? `<p class="note">Did not move at any design point: ${esc(still.map((o) => `${o.metric} of ${o.strategy}`).join(', '))}.</p>` : ''}
<table><tr><th>factor</th><th>rank score</th><th>what it stands for</th></tr>${ranking}</table>
${moved.map((o) => `<details><summary>${esc(o.metric)} of ${esc(o.strategy)}</summary>${muSigmaSvg(o)}${indexBars(o)}</details>`).join('\n')}`;
}

/**
 * Metrics that measure the same thing on another scale: a finding about the spurious EBUSY rate
 * rests on what the spurious EBUSY count rests on (the seal count is the scenario's, not a factor's).
 */
const SAME_QUANTITY: Record<string, string> = { spuriousRate: 'spuriousEbusy', ebusyRate: 'ebusy' };
const quantity = (m: string) => SAME_QUANTITY[m] ?? m;

/**
 * Adds to each finding what its verdict depends on (Finding.dependsOn): for every statistic it
 * cites in the scenario the sensitivity run analysed, the outputs of the same metric (or the same
 * quantity) for the strategy and its baseline, in the words of dependence() ("depends mostly on X"
 * only where the intervals support it), outputs that rest on the same factor in one sentence.
 */
export function withDependence(findings: Finding[], r: SensitivityResult): Finding[] {
  const samples = r.design.sobolRuns > 0 ? r.design.samples : undefined;
  return findings.map((f) => {
    const outs: OutputResult[] = [];
    for (const st of f.stats) {
      if (st.scenario !== r.scenario) continue;
      for (const o of r.outputs) {
        if (outs.includes(o) || quantity(o.metric) !== quantity(st.metric)) continue;
        if (o.strategy === st.strategy || o.strategy === st.baseline) outs.push(o);
      }
    }
    if (outs.length === 0) return f;
    const label = (m: string) => {
      try {
        return metric(m).label;
      } catch {
        return m;
      }
    };
    const dependsOn = dependenceSentences(outs, r.factors, label, `In ${r.scenario}, `, samples);
    return { ...f, dependsOn };
  });
}
