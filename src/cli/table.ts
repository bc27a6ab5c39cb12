/** The terminal table of a run: one row per strategy, the columns a kernel engineer reads first. */
import type { RunRecord } from '../metrics/record.ts';

const f = (v: number, d = 2) => (Number.isInteger(v) ? String(v) : v.toFixed(d));

export function runTable(r: RunRecord<unknown>): string {
  const head = ['strategy', 'seals', 'ok', 'EBUSY', 'spurious', 'unsafe', 'lat p50', 'lat p99', 'lat max', 'lock p99', 'drain_all', 'CPUs int.', 'isol. dist.', 'drain CPU ms', 'lockdep cycles'];
  const rows = r.runs.map((run) => {
    const s = run.summary;
    return [run.plugin ? `${run.strategy}*` : run.strategy, s.seals, s.ok, s.ebusy, s.spuriousEbusy, s.unsafe, f(s.latencyMs.p50), f(s.latencyMs.p99), f(s.latencyMs.max), f(s.lockHoldMs.p99), s.drainAllCalls, s.cpusInterrupted, s.isolatedDisturbances, f(s.drainCpuMs, 3), run.lockdep.cycles.length].map(String);
  });
  const notes = r.runs.filter((run) => run.plugin).map((run) => `* ${run.strategy}: user strategy ${run.plugin!.file} (sha256 ${run.plugin!.sha256}, API v${run.plugin!.api}${run.plugin!.shadows ? ', replaces the built-in' : ''})${run.error ? ` FAILED: ${run.error.kind} at ${run.error.file}${run.error.line !== undefined ? `:${run.error.line}` : ''}` : ''}`);
  return [table(head, rows), '(latency and lock hold in simulated ms)', ...notes].join('\n');
}

export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = head.map((_, i) => rows.every((r) => /^-?[\d.]+$/.test(r[i])));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
