/**
 * renderReport: ReportData -> one self-contained HTML file. Tables are rendered here (escaped
 * text); charts are drawn in the browser by report/*.js from the embedded chart data. uPlot's JS
 * and CSS are inlined, there is no network access (the page's CSP forbids it), and it opens from
 * file://.
 */
import { sensitivityHtml } from './sensitivity.ts';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { rootPath } from '../io/paths.ts';
import { fmtMetric as fmtM, fmtMetricDiff, metric } from '../metrics/registry.ts';
import { esc, fmtCount, fmtMs, fmtNum, fmtPct, inlineScript, jsonForScript } from './html.ts';
import { ciText } from './findings.ts';
import type { ChartData, Finding, MetricChange, MetricId, PairedCell, PairedTable, ReportData, ScenarioSection, StrategyTable } from './types.ts';

const require = createRequire(import.meta.url);
const REPORT_DIR = rootPath('report') + '/';
/** The browser code, bundled from report/*.ts by npm run build (scripts/report-bundle.mjs, run by scripts/build.mjs). */
const BUNDLE = rootPath('build/report/report.js');

function browserScript(): string {
  if (!existsSync(BUNDLE)) throw new Error(`the report's browser bundle ${BUNDLE} is missing: run npm run build (it bundles report/*.ts)`);
  return readFileSync(BUNDLE, 'utf8');
}

let assets: { template: string; css: string; js: string; uplotJs: string; uplotCss: string } | undefined;
function loadAssets() {
  if (!assets) {
    const read = (f: string) => readFileSync(REPORT_DIR + f, 'utf8');
    assets = {
      template: read('template.html'),
      css: read('report.css'),
      js: browserScript(),
      uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return assets;
}

function fmtMetric(id: MetricId, v: number | null): string {
  return fmtM(metric(id), v);
}

function swatch(color: string): string {
  return `<span class="swatch" style="background:${esc(color)}"></span>`;
}

function strategyCell(name: string, data: ReportData): string {
  const info = data.strategies.find((s) => s.name === name);
  return `<td class="name" title="${esc(info?.description ?? '')}">${swatch(info?.color ?? '#999')}${esc(name)}${name === data.baselineStrategy ? ' <span class="note">(baseline)</span>' : ''}</td>`;
}

function cell(_row: unknown, _key: string, text: string, extraClass = ''): string {
  return `<td${extraClass ? ` class="${extraClass}"` : ''}>${text}</td>`;
}

function strategyTableHtml(t: StrategyTable, data: ReportData): string {
  const showEperm = t.rows.some((r) => r.eperm > 0);
  const showUnfinished = t.rows.some((r) => r.unfinished > 0);
  const head = `<thead>
<tr><th class="name" rowspan="2">strategy</th><th rowspan="2">seals<span class="unit">(runs)</span></th>
<th class="group" colspan="3">seal latency ↓</th><th class="group" colspan="${4 + (showEperm ? 1 : 0) + (showUnfinished ? 1 : 0)}">outcome (exact counts)</th>
<th rowspan="2">lock hold<span class="unit">p99 ↓</span></th><th class="group" colspan="3">cost to the rest of the machine ↓</th><th rowspan="2">lockdep<span class="unit">cycles ↓</span></th></tr>
<tr><th>p50</th><th>p99</th><th>max</th><th>ok ↑</th><th>EBUSY ↓</th><th>spurious<span class="unit">EBUSY ↓</span></th><th>unsafe<span class="unit">ok ↓</span></th>${showEperm ? '<th>EPERM</th>' : ''}${showUnfinished ? '<th>unfinished<span class="unit">at horizon</span></th>' : ''}
<th>CPUs<span class="unit">interrupted</span></th><th>isolated<span class="unit">disturbances</span></th><th>drain<span class="unit">CPU time</span></th></tr>
</thead>`;
  const body = t.rows
    .map((r) => {
      const cycles = r.lockdepCycles.map((c) => [...c, c[0]].join(' → ')).join('\n');
      return `<tr>${strategyCell(r.strategy, data)}<td title="${fmtCount(r.runs)} runs (cell × replication)">${fmtCount(r.seals)} <span class="note">(${fmtCount(r.runs)})</span></td>
${cell(r, 'latencyP50', fmtMs(r.latencyP50))}${cell(r, 'latencyP99', fmtMs(r.latencyP99))}${cell(r, 'latencyMax', fmtMs(r.latencyMax))}
${cell(r, 'ok', fmtCount(r.ok))}${cell(r, 'ebusy', fmtCount(r.ebusy))}${cell(r, 'spuriousEbusy', fmtCount(r.spuriousEbusy))}${cell(r, 'unsafe', fmtCount(r.unsafe), r.unsafe > 0 ? 'bad' : '')}${showEperm ? `<td>${fmtCount(r.eperm)}</td>` : ''}${showUnfinished ? `<td class="${r.unfinished ? 'bad' : ''}">${fmtCount(r.unfinished)}</td>` : ''}
${cell(r, 'lockHoldP99', fmtMs(r.lockHoldP99))}${cell(r, 'cpusInterrupted', fmtCount(r.cpusInterrupted))}${cell(r, 'isolatedDisturbances', fmtCount(r.isolatedDisturbances))}${cell(r, 'drainCpuMs', fmtMs(r.drainCpuMs))}
${cell(r, 'lockdepCycles', `<span title="${esc(cycles)}">${fmtCount(r.lockdepCycles.length)}</span>`, r.lockdepCycles.length > 0 ? 'bad' : '')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table class="strategies" data-scope="${esc(t.scope)}">${head}<tbody>${body}</tbody></table></div>`;
}

function lockdepList(t: StrategyTable): string {
  const items = t.rows.flatMap((r) => r.lockdepCycles.map((c) => `<li><b>${esc(r.strategy)}</b>: ${esc([...c, c[0]].join(' → '))}</li>`));
  return items.length ? `<p class="how">Lockdep cycles (possible deadlocks) seen:</p><ul class="how">${items.join('')}</ul>` : '';
}

function pairedCellHtml(c: PairedCell): string {
  const m = metric(c.metric);
  if (c.pairs === 0 || c.estimate === null) return '<td class="diff"><span class="note">no pairs</span></td>';
  const f = (v: number | null) => fmtMetricDiff(m, v);
  const cls = c.verdict.replace(' ', '-');
  const title = `median ${m.label}: ${fmtMetric(c.metric, c.candidateMedian)} vs ${fmtMetric(c.metric, c.baselineMedian)} over ${c.pairs} pairs`;
  return `<td class="diff" title="${esc(title)}"><div>${f(c.estimate)}<span class="verdict ${cls}">${esc(c.verdict)}</span></div><div class="ci">[${f(c.lo)}, ${f(c.hi)}]</div></td>`;
}

function pairedHtml(data: ReportData, p: PairedTable = data.paired): string {
  if (p.rows.length === 0) return `<p class="note">Only one strategy here: nothing to compare with ${esc(p.baseline)}.</p>`;
  const head = `<tr><th class="name">strategy</th>${p.metrics.map((id) => `<th class="name">${esc(metric(id).label)}<span class="unit">${esc(metric(id).unit)}, ${metric(id).direction === 'lower' ? 'lower' : 'higher'} is better</span></th>`).join('')}</tr>`;
  const body = p.rows.map((r) => `<tr>${strategyCell(r.strategy, data)}${r.cells.map(pairedCellHtml).join('')}</tr>`).join('\n');
  const pairs = Math.max(0, ...p.rows.flatMap((r) => r.cells.map((c) => c.pairs)));
  return `<p class="how">Each cell: median over ${fmtCount(pairs)} paired replications (same cell, same seed) of <i>strategy − ${esc(p.baseline)}</i>,
then its ${Math.round(p.level * 100)}% bootstrap CI (${fmtCount(p.resamples)} resamples of the pairs). <b>better</b>/<b>worse</b>: the whole interval lies on one side of zero.</p>
<div class="scroll"><table class="paired"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function baselineHtml(data: ReportData): string {
  const b = data.baselineComparison;
  if (!b) return '';
  const failing = new Set((data.failOn?.failures ?? []).map((f) => `${f.strategy}\u0000${f.metric}`));
  const row = (c: MetricChange) => {
    const m = metric(c.metric);
    const fv = (v: number | null) => fmtMetricDiff(m, v);
    const fail = failing.has(`${c.strategy}\u0000${c.metric}`);
    return `<tr${fail ? ' class="failing"' : ''}><td class="name">${esc(c.strategy)}</td><td class="name">${esc(m.label)}</td><td>${fmtMetric(c.metric, c.baselineMedian)}</td><td>${fmtMetric(c.metric, c.currentMedian)}</td>
<td class="diff">${fv(c.diff)} <span class="ci">[${fv(c.diffLo)}, ${fv(c.diffHi)}]</span></td><td class="diff">${fmtPct(c.pct)} <span class="ci">[${fmtPct(c.pctLo)}, ${fmtPct(c.pctHi)}]</span></td>
<td class="name"><span class="verdict ${c.verdict.replace(' ', '-')}">${esc(c.verdict)}</span>${fail ? ' <span class="fail">fails --fail-on</span>' : ''}</td><td>${c.paired ? c.pairs : 'unpaired'}</td></tr>`;
  };
  const head = '<thead><tr><th class="name">strategy</th><th class="name">metric</th><th>baseline<span class="unit">median</span></th><th>current<span class="unit">median</span></th><th class="name">change (CI)</th><th class="name">change %</th><th class="name">verdict</th><th>pairs</th></tr></thead>';
  const usable = b.changes.filter((c) => c.diff !== null);
  const changed = usable.filter((c) => c.verdict !== 'no difference');
  const only = [
    b.onlyInBaseline.length ? `<p class="note">Only in the baseline: ${b.onlyInBaseline.map(esc).join(', ')}.</p>` : '',
    b.onlyInCurrent.length ? `<p class="note">New since the baseline: ${b.onlyInCurrent.map(esc).join(', ')}.</p>` : '',
  ].join('');
  return `<h2 id="baseline">Change since baseline “${esc(b.baselineName)}”</h2>
<p class="how">Per strategy and metric: median over the (cell, replication) pairs both hold of <i>current − baseline</i>, its bootstrap CI, and the same relative to the baseline median (unpaired: the two share no replication, the medians are compared as independent samples).${b.baselineCreatedAt ? ` Baseline saved ${esc(b.baselineCreatedAt)}.` : ''}
<b>${changed.length}</b> of ${usable.length} strategy × metric combinations changed significantly.</p>
${changed.length ? `<div class="scroll"><table class="baseline changed">${head}<tbody>${changed.map(row).join('\n')}</tbody></table></div>` : ''}
<details><summary>All ${usable.length} comparisons</summary><div class="scroll"><table class="baseline all">${head}<tbody>${usable.map(row).join('\n')}</tbody></table></div></details>${only}`;
}

function failOnHtml(data: ReportData): string {
  const f = data.failOn;
  if (!f || f.specs.length === 0) return '';
  if (f.failures.length === 0) return `<p class="pass">--fail-on ${f.specs.map(esc).join(' ')}: passed.</p>`;
  return `<div class="fail-box"><p>--fail-on: ${f.failures.length} check(s) failed against baseline “${esc(data.baselineComparison?.baselineName ?? '')}”:</p><ul>${f.failures.map((x) => `<li>${esc(x.message)}</li>`).join('')}</ul></div>`;
}

/** Charts in order; a chart with `besideId` and that chart share a row. */
function chartsHtml(charts: ChartData[]): string {
  const out: string[] = [];
  const done = new Set<string>();
  for (const c of charts) {
    if (done.has(c.id)) continue;
    const mate = c.kind === 'lines' && c.besideId ? charts.find((x) => x.id === c.besideId && x.kind !== 'missing') : undefined;
    if (c.kind !== 'missing' && mate) {
      done.add(mate.id);
      out.push(`<div class="pair">${chartHtml(c)}${chartHtml(mate)}</div>`);
    } else out.push(chartHtml(c));
  }
  return out.join('\n');
}

function chartHtml(c: ChartData): string {
  const head = `<h3>${esc(c.title)}</h3><p class="question">${esc(c.question)}</p>`;
  if (c.kind === 'missing') {
    return `<section class="chart missing" data-chart-id="${esc(c.id)}" data-kind="missing">${head}<div class="needs">Not drawn: this chart needs ${esc(c.needs)}.</div></section>`;
  }
  const extra = c.kind === 'timeline' ? `<p class="note">${esc(c.source)}</p>` : '';
  return `<section class="chart" id="chart-${esc(c.id)}" data-chart-id="${esc(c.id)}" data-kind="${esc(c.kind)}">
<div class="toolbar"><button type="button" data-action="png" title="Download this chart as a PNG image">PNG</button><button type="button" data-action="csv" title="Download the chart's data as CSV">CSV</button></div>
${head}${extra}<div class="plot"></div>${c.note ? `<p class="note">${esc(c.note)}</p>` : ''}</section>`;
}

function calibrationHtml(data: ReportData): string {
  const c = data.calibration;
  if (!c) return '';
  const rows = c.rows
    .map((r) => {
      const val = (v: number | null) => (v === null ? '–' : r.unit === 'ms' ? fmtMs(v) : `${fmtNum(v)}${r.unit ? ` ${esc(r.unit)}` : ''}`);
      const pass = r.pass === null ? '<td>–</td>' : r.pass ? '<td class="pass">pass</td>' : '<td class="fail">FAIL</td>';
      return `<tr><td class="name">${esc(r.case)}</td><td>${val(r.predicted)}</td><td>${val(r.measured)}</td><td>${r.error === null ? '–' : (r.error > 0 ? '+' : '') + val(r.error)}</td><td>${r.tolerance === null ? '–' : `±${val(r.tolerance)}`}</td>${pass}</tr>`;
    })
    .join('\n');
  const passed = c.rows.filter((r) => r.pass === true).length;
  const judged = c.rows.filter((r) => r.pass !== null).length;
  return `<h2 id="calibration">Model vs this machine's kernel (calibration)</h2>
<p class="how">From ${esc(c.source)}${c.kernel ? `, host kernel ${esc(c.kernel)}` : ''}: what the model predicts for each probe case and what the native probe measured. Error = predicted − measured. ${judged ? `${passed} of ${judged} cases within tolerance.` : ''}</p>
<div class="scroll"><table class="calibration"><thead><tr><th class="name">case</th><th>predicted</th><th>measured</th><th>error</th><th>tolerance</th><th>pass</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function benchHtml(data: ReportData): string {
  const b = data.bench;
  if (!b) return '';
  const rows = b.rows
    .map((r) => `<tr><td class="name">${esc(r.suite)}</td><td class="name">${esc(r.task)}</td><td>${fmtMs(r.latencyP50)}</td><td>${fmtMs(r.latencyMean)}</td><td>${fmtMs(r.latencyP99)}</td><td>${fmtNum(r.throughput)}</td><td>${r.rme === null ? '–' : `±${fmtNum(r.rme)} %`}</td><td>${fmtCount(r.samples)}</td></tr>`)
    .join('\n');
  return `<h2 id="bench">Benchmarks (simulator speed on this host)</h2>
<p class="how">From ${b.sources.map(esc).join(', ')}. Wall-clock measurement noise of the simulator, not model results.</p>
<div class="scroll"><table class="bench"><thead><tr><th class="name">suite</th><th class="name">task</th><th>latency p50</th><th>mean</th><th>p99</th><th>ops/s</th><th>rme</th><th>samples</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function whatWasRunHtml(data: ReportData): string {
  const i = data.inputs;
  const params = data.params.length
    ? `<h3>Sweep parameters</h3><table class="params"><thead><tr><th class="name">parameter</th><th class="name">values</th></tr></thead><tbody>${data.params
        .map((p) => `<tr><td class="name"><code>${esc(p.name)}</code></td><td class="name">${p.values.map((v) => esc(typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const scenarios = data.scenarios
    .map((s) => `<details><summary>${esc(s.name)}: ${fmtCount(s.cells)} cell(s), ${fmtCount(s.replications)} replication(s)${s.seeds.length ? `, seeds ${esc(s.seeds.slice(0, 12).join(', '))}${s.seeds.length > 12 ? ', …' : ''}` : ''}</summary><pre>${esc(JSON.stringify(s.config, null, 2))}</pre></details>`)
    .join('\n');
  const prov = data.provenance.map((p) => `<dt>${esc(p.field)}</dt><dd>${p.values.map(esc).join('<br>')}</dd>`).join('');
  const strategies = data.strategies.map((s) => `<li>${swatch(s.color)}<b>${esc(s.name)}</b>${s.description ? `: ${esc(s.description)}` : ''}</li>`).join('');
  return `<h2 id="run">What was run</h2>
<p>${fmtCount(i.records)} run record(s) in ${fmtCount(i.cells)} cell(s), read from ${i.sources.length ? i.sources.map((s) => `<code>${esc(s)}</code>`).join(', ') : 'memory'}.${i.duplicatesDropped ? ` ${fmtCount(i.duplicatesDropped)} duplicate(s) dropped.` : ''}</p>
<h3>Strategies</h3><ul class="how">${strategies}</ul>
${params}
<h3>Scenarios (fully resolved, every default filled in)</h3>${scenarios}
<h3>Provenance</h3><dl class="kv">${prov}<dt>report built</dt><dd>${esc(data.builtAt)}</dd></dl>`;
}

function chartTitle(data: ReportData, id: string): string {
  const c = data.charts.find((x) => x.id === id);
  return c ? c.title.split(':')[0]! : id;
}

/**
 * A finding's points: up to three shown as they are (a scenario's finding has its answer there,
 * one line per metric), more folded under "In detail" below the answer that sums them up.
 */
function pointsHtml(points: readonly string[]): string {
  if (points.length === 0) return '';
  const list = `<ul class="points">${points.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
  return points.length <= 3 ? list : `<details class="points"><summary>In detail (${points.length})</summary>${list}</details>`;
}

function findingHtml(f: Finding, data: ReportData, k: number): string {
  const links = [
    ...f.charts.map((id) => `<a href="#chart-${esc(id)}">chart: ${esc(chartTitle(data, id))}</a>`),
    ...f.scenarios.map((s) => `<a href="#${esc(s.anchor)}">table: ${esc(s.name)}</a>`),
  ];
  const rows = f.stats.map((st) => `<tr><td class="name">${esc(st.scenario)}${st.where ? ` <span class="note">(${esc(st.where)})</span>` : ''}</td><td class="name">${esc(st.strategy)} − ${esc(st.baseline)}</td><td class="name">${esc(metric(st.metric).label)}</td><td>${fmtMetric(st.metric, st.baselineMedian)}</td><td>${fmtMetric(st.metric, st.candidateMedian)}</td><td class="diff">${esc(ciText(st, f.level))}</td><td class="name"><span class="verdict ${st.verdict.replace(' ', '-')}">${esc(st.verdict)}</span></td></tr>`).join('');
  return `<article class="finding" id="finding-${esc(f.id)}"><h3><span class="fnum">${k + 1}</span>${esc(f.question)}</h3>
<p class="asked">${esc(f.askedBy)}</p><p class="answer">${esc(f.answer)}</p>${pointsHtml(f.points)}${f.dependsOn?.length ? `<p class="depends"><a href="#sensitivity">What it rests on</a>: ${f.dependsOn.map(esc).join(' ')}</p>` : ''}${links.length ? `<p class="links">${links.join('<span class="sep">·</span>')}</p>` : ''}
${f.stats.length ? `<details><summary>The ${f.stats.length} paired statistics behind it</summary><div class="scroll"><table class="findings"><thead><tr><th class="name">scenario</th><th class="name">difference</th><th class="name">metric</th><th>baseline<span class="unit">median</span></th><th>strategy<span class="unit">median</span></th><th class="name">median difference [CI]</th><th class="name">verdict</th></tr></thead><tbody>${rows}</tbody></table></div></details>` : ''}</article>`;
}

function findingsHtml(data: ReportData): string {
  if (data.findings.length === 0) return '<p class="note">No findings: the inputs need v4.14 and at least one other strategy on the same scenario and seeds.</p>';
  const lvl = Math.round((data.findings[0]?.level ?? 0.95) * 100);
  return `<p class="how">Each answer is built from paired statistics of the scenario that asks it: the median over replications (same cell, same seed) of <i>strategy − v4.14</i>, with its ${lvl}% bootstrap CI; never from numbers pooled over unlike scenarios. pp = percentage points of seals.</p>
<div class="findings">${data.findings.map((f, k) => findingHtml(f, data, k)).join('\n')}</div>`;
}

function scenarioSectionHtml(sc: ScenarioSection, data: ReportData): string {
  return `<section class="scenario" id="${esc(sc.anchor)}"><h3>${esc(sc.scenario)}</h3><p class="question">${esc(sc.question)}</p>
${strategyTableHtml(sc.table, data)}${lockdepList(sc.table)}
<details><summary>Paired differences against ${esc(sc.paired.baseline)} in ${esc(sc.scenario)}</summary>${pairedHtml(data, sc.paired)}</details></section>`;
}

/** The report as one self-contained HTML document. */
export function renderReport(data: ReportData): string {
  const a = loadAssets();
  const scen = data.scenarios.length === 1 ? `scenario “${esc(data.scenarios[0]!.name)}”` : `${data.scenarios.length} scenarios`;
  const lede = `${data.strategies.length} strategies on ${scen}: ${fmtCount(data.inputs.cells)} parameter cell(s), ${fmtCount(data.inputs.records)} replication run(s) in all. Baseline: <b>${esc(data.baselineStrategy)}</b>.`;
  const link = ([id, label]: [string, string]) => `<a href="#${esc(id)}">${esc(label)}</a>`;
  const sections: [string, string][] = [
    ['findings', 'Findings'],
    ['scenarios', 'Per scenario'],
    ['charts', 'Charts'],
    ...(data.baselineComparison ? [['baseline', 'vs saved baseline'] as [string, string]] : []),
    ...(data.calibration ? [['calibration', 'Calibration'] as [string, string]] : []),
    ...(data.bench ? [['bench', 'Benchmarks'] as [string, string]] : []),
    ...(data.sensitivity ? [['sensitivity', 'Sensitivity'] as [string, string]] : []),
    ['pooled', 'Pooled'],
    ['run', 'What was run'],
  ];
  const chartLinks = data.charts.filter((c) => c.kind !== 'missing').map((c): [string, string] => [`chart-${c.id}`, c.title.split(':')[0]!]);
  const nav = `<nav>${sections.map(link).join('')}</nav><nav><a href="#charts"><b>Charts:</b></a>${chartLinks.map(link).join('<span class="sep">·</span>')}</nav>`;
  const notes = data.notes.length ? `<ul class="notes">${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  const warnings = data.warnings.length ? `<details class="warn-box"><summary>The records carry warnings for ${data.warnings.length} scenario(s): ${esc(data.warnings.map((w) => w.replace(/ \(.*$/, '')).join(', '))}; read them before trusting those figures</summary><ul>${data.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></details>` : '';
  const pooledNote = data.scenarioSections.length > 1
    ? `Every seal of all ${data.scenarioSections.length} scenarios above pooled per strategy. The scenarios differ (machines, loads, pins), so a lower number here does not make a strategy better; no winner is marked. Read the per-scenario tables and the findings instead.`
    : 'The one scenario of the inputs; the same numbers as its table above.';
  const body = `<header><h1>${esc(data.title)}</h1><p class="lede">${lede}</p>${nav}</header>
${failOnHtml(data)}${warnings}
<h2 id="findings">Findings: what these runs answer</h2>
${findingsHtml(data)}
${notes}
<h2 id="scenarios">Per scenario: each strategy on the question it asks</h2>
<p class="how">One table per scenario (its runs only). Latency: fcntl call to return (interpolated quantiles over seals). Counts are exact sums.
<b>spurious EBUSY</b>: failed although no real pin was left, only LRU-cache references. <b>unsafe ok</b>: succeeded while a pin taken before the seal was still held (must be 0). <b>unfinished</b>: still running at the horizon (in no latency statistic). ↓ lower is better, ↑ higher is better. Hover a strategy for what it models.</p>
${data.scenarioSections.map((sc) => scenarioSectionHtml(sc, data)).join('\n')}
<h2 id="charts">Charts</h2>
<p class="how">Hover for values (the legend shows the point under the cursor); drag to zoom, double-click to reset. Each chart downloads as PNG or as CSV of exactly what it draws.</p>
<div class="charts">${chartsHtml(data.charts)}</div>
${baselineHtml(data)}
${calibrationHtml(data)}
${benchHtml(data)}
${sensitivityHtml(data.sensitivity)}
<h2 id="pooled">${data.scenarioSections.length > 1 ? `All ${data.scenarioSections.length} scenarios pooled` : `The one scenario: ${esc(data.table.scope)}`}</h2>
<p class="how">${esc(pooledNote)}</p>
<details><summary>The pooled table</summary>${strategyTableHtml(data.table, data)}</details>
${whatWasRunHtml(data)}`;
  const embedded = jsonForScript({ schema: data.schema, title: data.title, baselineStrategy: data.baselineStrategy, charts: data.charts });
  const parts: Record<string, string> = {
    '{{TITLE}}': esc(data.title),
    '{{UPLOT_CSS}}': a.uplotCss.replace(/<\/style/gi, '<\\/style'),
    '{{CSS}}': a.css.replace(/<\/style/gi, '<\\/style'),
    '{{BODY}}': body,
    '{{DATA}}': embedded,
    '{{UPLOT_JS}}': inlineScript(a.uplotJs),
    '{{JS}}': inlineScript(a.js),
  };
  // One pass over the template, so a placeholder-looking string inside the data is never expanded.
  return a.template.replace(/\{\{[A-Z_]+\}\}/g, (m) => parts[m] ?? m);
}
