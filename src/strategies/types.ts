/**
 * A drain strategy is a small factory: options -> the hooks the seal path calls.
 * Built-in and user strategies alike are written against the strategy API (api.ts).
 */
import type { Proc } from '../sim/engine.ts';
import type { SealCtx, SealOutcome } from '../sim/seal.ts';
import type { DrainAllVariant } from '../kernel/versions.ts';
import type { Costs } from '../kernel/costs.ts';

/** What a strategy file defines (pass it to defineStrategy). */
export interface StrategyDefinition {
  /** Unique name, as used by --strategy and a scenario's `strategies` (lower-case, digits, . _ -). */
  name: string;
  /** One line: the patch, commit or mail it models (built-ins: docs/kernel-model.md section f row and source). */
  models: string;
  /** Changes this strategy makes to lru_add_drain_all() itself, for every caller (the kernel's variant is the base). */
  drainAll?: Partial<DrainAllVariant>;
  /** A cost the strategy adds to every pagevec add on every CPU (S7's per-CPU spinlock), ns. */
  perAddCost?: (costs: Costs) => number;
  /** The whole fcntl(F_ADD_SEALS) path (OP1) for one seal. */
  addSeals(ctx: SealCtx, sealSeal: boolean): Proc<SealOutcome>;
}

/** Where a user strategy came from (set by the loader; shown in tables, records and the report). */
export interface PluginInfo {
  /** The file as given, relative to the working directory where it is inside it. */
  file: string;
  /** The absolute path (never written to records: they must not depend on the machine). */
  absPath: string;
  /** sha256 of the bundled sources (the file and what it imports), first 12 hex digits. */
  sha256: string;
  /** Replaces a built-in strategy of the same name (--force). */
  shadows: boolean;
  /** Where in the file's sources an error (or a stack captured at a blocking step) points. */
  locate: (e: unknown) => { file: string; line: number; column: number } | undefined;
  /** A fresh instance (the file's module evaluated again): every run starts from the same module state. */
  instantiate: () => Strategy;
}

export interface Strategy extends StrategyDefinition {
  /** The strategy API version it was written against (api.ts STRATEGY_API_VERSION). */
  apiVersion?: number;
  /** Set for strategies loaded from a file. */
  plugin?: PluginInfo;
}
