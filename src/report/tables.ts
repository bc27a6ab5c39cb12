/**
 * Strategy tables: per scenario (what the report shows first) and, when asked, all inputs pooled.
 * A table states what it pools and marks no winner: a lowest number pooled over unlike scenarios
 * says nothing about which strategy is better (issue 13).
 */
import { quantileSorted, sortSamples } from '../stats/quantile.ts';
import type { SealSamples } from './ingest.ts';
import type { StrategyRow, StrategyTable, SweepCell } from './types.ts';

/**
 * One row per strategy: counts summed over the runs of `cells`, latency and lock-hold quantiles
 * over every seal of those runs (`seals`: the same runs' seals per strategy, src/report/ingest.ts).
 */
export function strategyTable(scope: string, cells: readonly SweepCell[], strategies: readonly string[], seals: ReadonlyMap<string, SealSamples>): StrategyTable {
  const rows: StrategyRow[] = [];
  for (const s of strategies) {
    const cycles = new Map<string, string[]>();
    const row: StrategyRow = {
      strategy: s, runs: 0, seals: 0, latencyP50: null, latencyP99: null, latencyMax: null,
      ok: 0, ebusy: 0, eperm: 0, spuriousEbusy: 0, unsafe: 0, lockHoldP99: null,
      cpusInterrupted: 0, isolatedDisturbances: 0, drainCpuMs: 0, drainAllCalls: 0, unfinished: 0, lockdepCycles: [],
    };
    let summaryMax = -Infinity;
    for (const c of cells) {
      for (const r of c.record.runs) {
        if (r.strategy !== s) continue;
        const m = r.summary;
        row.runs++;
        row.seals += m.seals;
        row.ok += m.ok;
        row.ebusy += m.ebusy;
        row.eperm += m.eperm;
        row.spuriousEbusy += m.spuriousEbusy;
        row.unsafe += m.unsafe;
        row.cpusInterrupted += m.cpusInterrupted;
        row.isolatedDisturbances += m.isolatedDisturbances;
        row.drainCpuMs += m.drainCpuMs;
        row.drainAllCalls += m.drainAllCalls;
        row.unfinished += m.unfinished ?? 0;
        if (m.seals > 0) summaryMax = Math.max(summaryMax, m.latencyMs.max);
        for (const cyc of r.lockdep?.cycles ?? []) cycles.set(cyc.join(' -> '), cyc);
      }
    }
    if (row.runs === 0) continue;
    const sample = seals.get(s);
    if (sample && sample.n > 0) {
      const sl = sortSamples(sample.latencies());
      row.latencyP50 = quantileSorted(sl, 0.5);
      row.latencyP99 = quantileSorted(sl, 0.99);
      row.latencyMax = sl[sl.length - 1]!;
      row.lockHoldP99 = quantileSorted(sortSamples(sample.holds()), 0.99);
    } else if (Number.isFinite(summaryMax)) {
      row.latencyMax = summaryMax; // records without per-seal lists: only the max pools exactly
    }
    row.lockdepCycles = [...cycles.values()];
    rows.push(row);
  }
  return { scope, rows };
}
