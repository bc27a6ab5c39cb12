/** The bench report as markdown (stdout): per suite a side-by-side table, details, ratios. */
import { fmtMs } from './harness.ts';
import type { Comparison } from './baseline.ts';
import type { BenchReport, Ratio, SuiteResult, TaskResult } from './types.ts';

export function fmtRate(rate: number, unit: string): string {
  const units = `${unit}s/s`;
  if (rate >= 1e9) return `${(rate / 1e9).toFixed(2)} G ${units}`;
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M ${units}`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(2)} K ${units}`;
  return `${rate.toFixed(2)} ${units}`;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

function table(head: string[], rows: string[][]): string {
  const right = head.map((_, i) => i > 0);
  return [
    `| ${head.join(' | ')} |`,
    `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
  ].join('\n');
}

/** Groups as rows, variants as columns, rates in the cells: the numbers to compare at a glance. */
function pivot(tasks: TaskResult[]): string | null {
  const groups = [...new Set(tasks.map((t) => t.group))];
  const variants = [...new Set(tasks.map((t) => t.variant))];
  // Only when the grid is (nearly) full: otherwise the details table says it better.
  if (groups.length < 2 || variants.length < 2 || tasks.length < 0.75 * groups.length * variants.length) return null;
  const rows = groups.map((g) => [
    g,
    ...variants.map((v) => {
      const t = tasks.find((x) => x.group === g && x.variant === v);
      return t ? fmtRate(t.rate, t.unit) : '–';
    }),
  ]);
  return table(['', ...variants], rows);
}

function details(tasks: TaskResult[]): string {
  return table(
    ['task', 'median', 'mean ± 95 % CI', 'rate (at median)', 'samples'],
    tasks.map((t) => [
      t.name,
      fmtMs(t.latency.p50),
      `${fmtMs(t.latency.mean)} ± ${t.latency.rme.toFixed(1)} %`,
      fmtRate(t.rate, t.unit),
      String(t.samples),
    ]),
  );
}

function ratioRow(r: Ratio): string[] {
  const v = (x: number) => (r.kind === 'speedup' ? `${x.toFixed(2)}x` : `${(x * 100).toFixed(3)} %`);
  const target = r.target ? `${r.target.op} ${r.kind === 'speedup' ? `${r.target.value}x` : `${r.target.value * 100} %`}` : '';
  const ci = r.ci ? `[${v(r.ci[0])}, ${v(r.ci[1])}]` : 'none (one measurement)';
  return [r.label, v(r.value), ci, target, verdictText(r), r.cpu ?? ''];
}

/** Never "met" unless the whole CI clears the bar. */
export function verdictText(r: Ratio): string {
  if (!r.target) return '';
  const verdict = r.verdict ?? (r.met ? 'met' : 'missed');
  if (verdict === 'undecided') return 'undecided: the CI straddles the bar';
  if (verdict === 'missed') return '**missed**';
  return r.ci ? 'met' : 'met (no CI)';
}

export function suiteMarkdown(s: SuiteResult): string {
  const parts = [`## ${s.name}: ${s.title}`];
  for (const why of s.skipped) parts.push(`> skipped: ${why}`);
  for (const note of s.notes) parts.push(`> note: ${note}`);
  if (s.tasks.length) {
    const p = pivot(s.tasks);
    if (p) parts.push(p);
    parts.push(details(s.tasks));
  }
  if (s.ratios.length) parts.push(table(['ratio (medians, same run)', 'value', '95 % CI', 'target', 'verdict', 'CPU'], s.ratios.map(ratioRow)));
  const failed = s.checks.filter((c) => !c.ok);
  if (failed.length) parts.push(failed.map((c) => `- **check failed**: ${c.what}: ${c.detail}`).join('\n'));
  // The checks are correctness checks (the implementations agree), not the speed bars above.
  else if (s.checks.length) parts.push(`All ${s.checks.length} correctness checks passed (the implementations agree); the speed bars are judged in the table above.`);
  return parts.join('\n\n');
}

export function comparisonMarkdown(c: Comparison): string {
  const parts = [`## Against baseline ${c.baseline} (${c.baselineStartedAt})`];
  if (!c.sameHost) parts.push('> the baseline was measured on another host: changes say little');
  parts.push(
    table(
      ['suite', 'task', 'baseline mean', 'now', 'change', 'noise (CIs)', 'verdict'],
      c.changes.map((x) => [x.suite, x.task, fmtMs(x.before), fmtMs(x.after), pct(x.change), `±${(x.noise * 100).toFixed(1)} %`, x.verdict === 'no change' ? x.verdict : `**${x.verdict}**`]),
    ),
  );
  if (c.onlyNow.length) parts.push(`New since the baseline: ${c.onlyNow.join('; ')}`);
  if (c.onlyBaseline.length) parts.push(`In the baseline only: ${c.onlyBaseline.join('; ')}`);
  return parts.join('\n\n');
}

export function reportMarkdown(r: BenchReport, comparison?: Comparison): string {
  const p = r.provenance;
  const head = [
    `# drainlab bench${r.options.quick ? ' (quick)' : ''}`,
    [
      `${p.startedAt.slice(0, 10)} on ${p.host.lscpuModel ?? p.host.model}, ${p.host.cpus} CPUs;`,
      `Node ${p.node} (V8 ${p.v8}); ${p.cc ?? 'no cc'};`,
      `core.wasm sha256 ${p.wasmSha256.slice(0, 12)}; commit ${p.gitCommit.slice(0, 12)}${p.gitCommit.endsWith('+dirty') ? '+dirty' : ''};`,
      `${(p.wallMs / 1000).toFixed(1)} s.`,
    ].join(' '),
    'Medians of one iteration; every ratio compares medians measured in this run.',
  ];
  const h = r.hostLoad;
  if (h) {
    const n = (x: number | null, unit = '') => (x === null ? 'unknown' : `${x}${unit}`);
    head.push(`Host load: load average ${n(h.loadBefore)} before, up to ${n(h.loadDuringMax)} during (this run included); other processes ${n(h.othersCpus)} of ${h.cpus} CPUs; steal ${n(h.stealPct, ' %')}.`);
    if (h.noisy) head.push(`> **Noisy run**: ${h.why.join('; ')}. Timings and ratios measured the neighbours as much as the code: rerun on a quiet host before trusting any verdict.`);
  }
  const parts = [head.join('\n\n'), ...r.suites.map(suiteMarkdown)];
  if (comparison) parts.push(comparisonMarkdown(comparison));
  return `${parts.join('\n\n')}\n`;
}
