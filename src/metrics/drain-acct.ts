/** The drain accounting: what each drain_all caller is charged with, summed into the record. */
import type { CpuClass } from '../scenario/schema.ts';

/** What one drain_all caller (a seal, or a background caller) is charged with. */
export interface DrainAcct {
  drainAllCalls: number;
  /** Drain work items run per CPU class (where the kworker ran), for the seals' or the background's account. */
  byClass: Record<CpuClass, number>;
  cpusInterrupted: number;
  isolatedDisturbances: number;
  drainCpuNs: number;
  mutexWaitNs: number;
  /** Calls that scanned the CPUs (the rest piggybacked on another caller's drain, OP5' v5.5). */
  drainPasses: number;
}
export const newAcct = (): DrainAcct => ({
  drainAllCalls: 0, byClass: { idle: 0, busy: 0, rt: 0, isolated: 0 }, cpusInterrupted: 0, isolatedDisturbances: 0, drainCpuNs: 0, mutexWaitNs: 0, drainPasses: 0,
});
