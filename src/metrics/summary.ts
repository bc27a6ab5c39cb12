/** Per-run summary of the seal records (docs/result-record.md, `summary`). */
import type { RunSummary, SealRecord } from './record.ts';
import type { DrainAcct } from './drain-acct.ts';
import { quantile } from '../stats/quantile.ts';

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : 0);
const q = (xs: number[], p: number) => (xs.length ? round(quantile(xs, p)) : 0);

function byClass(seals: SealRecord[]): Record<string, number> {
  const out: Record<string, number> = { idle: 0, busy: 0, rt: 0, isolated: 0 };
  for (const s of seals) for (const [k, v] of Object.entries(s.disturbanceByClass ?? {})) out[k] += v ?? 0;
  return out;
}

export function summarize(seals: SealRecord[], background: DrainAcct, events: number): RunSummary {
  const lat = seals.map((s) => s.endMs - s.startMs);
  const hold = seals.map((s) => s.lockHoldMs);
  const wait = seals.map((s) => s.mutexWaitMs);
  const sum = (f: (s: SealRecord) => number) => seals.reduce((n, s) => n + f(s), 0);
  const count = (f: (s: SealRecord) => boolean) => seals.filter(f).length;
  const drainAllCalls = sum((s) => s.drainAllCalls);
  return {
    seals: seals.length,
    ok: count((s) => s.result === 'ok'),
    ebusy: count((s) => s.result === 'EBUSY'),
    eperm: count((s) => s.result === 'EPERM'),
    spuriousEbusy: count((s) => s.spurious),
    unsafe: count((s) => s.unsafe),
    latencyMs: { p50: q(lat, 0.5), p90: q(lat, 0.9), p99: q(lat, 0.99), max: q(lat, 1), mean: round(lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : 0) },
    lockHoldMs: { p50: q(hold, 0.5), p99: q(hold, 0.99), max: q(hold, 1) },
    cpusInterrupted: sum((s) => s.cpusInterrupted),
    isolatedDisturbances: sum((s) => s.isolatedDisturbances),
    drainCpuMs: round(sum((s) => s.drainCpuMs)),
    drainAllCalls,
    drainPasses: sum((s) => s.drainPasses ?? 0),
    disturbanceByClass: byClass(seals),
    drainAllCallsTotal: drainAllCalls + background.drainAllCalls,
    background: {
      drainAllCalls: background.drainAllCalls,
      cpusInterrupted: background.cpusInterrupted,
      isolatedDisturbances: background.isolatedDisturbances,
      drainCpuMs: round(background.drainCpuNs / 1e6),
      mutexWaitMs: round(background.mutexWaitNs / 1e6),
    },
    mutexWaitMs: { p50: q(wait, 0.5), p99: q(wait, 0.99), max: q(wait, 1) },
    events,
  };
}
