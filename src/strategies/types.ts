/**
 * A drain strategy is a small factory: options -> the hooks the seal path calls.
 */
import type { Proc } from '../sim/engine.ts';
import type { SealCtx, SealOutcome } from '../sim/seal.ts';
import type { DrainAllVariant } from '../kernel/versions.ts';
import type { Costs } from '../kernel/costs.ts';

export interface Strategy {
  name: string;
  /** docs/kernel-model.md section f row, and the commit or mail it models. */
  models: string;
  /** Changes this strategy makes to lru_add_drain_all() itself, for every caller (the kernel's variant is the base). */
  drainAll?: Partial<DrainAllVariant>;
  /** A cost the strategy adds to every pagevec add on every CPU (S7's per-CPU spinlock), ns. */
  perAddCost?: (costs: Costs) => number;
  /** The whole fcntl(F_ADD_SEALS) path (OP1) for one seal. */
  addSeals(ctx: SealCtx, sealSeal: boolean): Proc<SealOutcome>;
}
