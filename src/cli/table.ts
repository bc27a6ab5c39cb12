/** The terminal table of a run: one row per strategy, the columns a kernel engineer reads first (names from the metric registry). */
import type { RunRecord } from '../metrics/record.ts';
import { fmtMetric, metric } from '../metrics/registry.ts';
import { textTable } from '../io/format.ts';

/** [column head, registry name]. */
const COLUMNS: [string, string][] = [
  ['seals', 'seals'], ['ok', 'ok'], ['EBUSY', 'ebusy'], ['spurious', 'spuriousEbusy'], ['unsafe', 'unsafe'],
  ['lat p50', 'latencyMs.p50'], ['lat p99', 'latencyMs.p99'], ['lat max', 'latencyMs.max'], ['lock p99', 'lockHoldMs.p99'],
  ['drain_all', 'drainAllCalls'], ['CPUs int.', 'cpusInterrupted'], ['isol. dist.', 'isolatedDisturbances'], ['drain CPU', 'drainCpuMs'], ['lockdep cycles', 'lockdepCycles'],
];

export function runTable(r: RunRecord<unknown>): string {
  const cols = COLUMNS.map(([h, n]) => [h, metric(n)] as const);
  const rows = r.runs.map((run) => [run.plugin ? `${run.strategy}*` : run.strategy, ...cols.map(([, m]) => fmtMetric(m, m.of(run)).replace(/\u2009/g, ''))]);
  const unfinished = r.runs.reduce((n, run) => n + (run.summary.unfinished ?? 0), 0);
  // A user strategy (--strategy-file): marked *, with its file and version below the table.
  const notes = r.runs.filter((run) => run.plugin).map((run) => `* ${run.strategy}: user strategy ${run.plugin!.file} (sha256 ${run.plugin!.sha256}, API v${run.plugin!.api}${run.plugin!.shadows ? ', replaces the built-in' : ''})${run.error ? ` FAILED: ${run.error.kind} at ${run.error.file}${run.error.line !== undefined ? `:${run.error.line}` : ''}` : ''}`);
  return [textTable(['strategy', ...cols.map(([h]) => h)], rows) + `\n(times in simulated time${unfinished ? `; ${unfinished} seal(s) still running at the horizon are not counted` : ''})`, ...notes].join('\n');
}

export { textTable as table };
