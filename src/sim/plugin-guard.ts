/**
 * The harness watchdog for user strategies (docs/strategies.md, "Safety accounting"): a strategy
 * whose seal path never returns control (a synchronous loop inside `addSeals`, between two
 * `yield`s) cannot be stopped from its own thread. So when this thread has a guard (set by the
 * thread that runs it, src/pool/run-scenario.ts), every call into a user strategy's `addSeals`
 * generator writes its wall-clock start into shared memory and clears it on return; the other
 * thread terminates this one when a call has run longer than the budget. Wall-clock time here is
 * the harness's, never the model's: it changes nothing a run computes.
 *
 * Layout of the guard (a SharedArrayBuffer of GUARD_BYTES): Float64 [0] the wall-clock ms
 * (Date.now()) at which the current call began, 0 outside a call; [1] the simulated time (ns) of
 * that call; [2] the index of its strategy in the scenario's list.
 */
import type { Proc } from './engine.ts';
import { UsageError } from '../errors.ts';

/**
 * How long one call into a user strategy (one step of its seal path, or its module's evaluation)
 * may run, in wall-clock ms, before the harness stops it: DRAINLAB_PLUGIN_BUDGET_MS, default
 * 30 s (a step of a built-in seal path takes well under 1 s even on the largest preset).
 */
export const PLUGIN_BUDGET_DEFAULT_MS = 30_000;
export function pluginBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DRAINLAB_PLUGIN_BUDGET_MS;
  if (raw === undefined || raw === '') return PLUGIN_BUDGET_DEFAULT_MS;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > 3_600_000) throw new UsageError(`DRAINLAB_PLUGIN_BUDGET_MS: got ${JSON.stringify(raw)}; allowed: an integer number of milliseconds, 1..3600000 (default ${PLUGIN_BUDGET_DEFAULT_MS})`);
  return v;
}

export const GUARD_BYTES = 24;

let guard: Float64Array | undefined;

/** Sets (or clears) this thread's guard. */
export function setPluginGuard(buf: SharedArrayBuffer | undefined): void {
  guard = buf ? new Float64Array(buf) : undefined;
}

/** A user strategy's seal generator with each step timed into the guard (the generator itself when there is none). */
export function guardedProc<R>(g: Proc<R>, nowNs: () => number, strategyIndex: number): Proc<R> {
  const gd = guard;
  if (!gd) return g;
  const step = <T>(f: () => T): T => {
    gd[1] = nowNs();
    gd[2] = strategyIndex;
    gd[0] = Date.now();
    try {
      return f();
    } finally {
      gd[0] = 0;
    }
  };
  const wrapped = {
    next: (v: unknown) => step(() => g.next(v)),
    throw: (e: unknown) => step(() => g.throw(e)),
    return: (v: R) => g.return(v),
    [Symbol.iterator]() {
      return wrapped;
    },
  };
  return wrapped as unknown as Proc<R>;
}

/** The guard's reading: the wall-clock ms the current call has run, its simulated time (ns) and strategy index; undefined outside a call. */
export function guardReading(buf: SharedArrayBuffer, nowMs = Date.now()): { ms: number; atNs: number; strategyIndex: number } | undefined {
  const a = new Float64Array(buf);
  const t = a[0]!;
  return t > 0 ? { ms: nowMs - t, atNs: a[1]!, strategyIndex: a[2]! } : undefined;
}
