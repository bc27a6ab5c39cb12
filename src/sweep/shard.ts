/**
 * Sharding: which cells one of N independent processes runs. Shard indices are 0-based everywhere
 * (`--shard 0/3`, `1/3`, `2/3`), like Kubernetes' JOB_COMPLETION_INDEX, so the flag and the
 * environment never disagree.
 *
 * Which cells: the sweep's cells, in their fixed enumeration order, are cut into blocks of N and
 * each block is dealt out by its own seeded permutation of the N shards (seed: the sweep's config
 * hash and the block number). So every shard gets exactly floor or ceil of cells/N (hashing
 * cellIds mod N is only balanced in expectation: 12 cells on 3 shards came out 4/7/1), the cells of
 * one shard are a well-mixed sample of the grid (no shard gets all of one parameter value, as
 * plain round-robin would when a parameter has N values), and nothing is coordinated: every
 * process computes the same deal from the sweep file alone. A cell keeps its shard for every run,
 * resume and machine, as long as the sweep config is the same (merge and --resume check that).
 */
import { UsageError } from '../errors.ts';
import { keyFromString, randomInt, type RngKey } from '../stats/rng.ts';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
  /** Where the spec came from: '--shard', 'JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'. */
  source: string;
}

export const MAX_SHARDS = 1_000_000;

/** Deals cell ordinals (0, 1, 2 ... in enumeration order) to shards; see the module comment. */
export class ShardDealer {
  readonly count: number;
  private readonly key: RngKey;
  private block = -1;
  private readonly perm: Uint32Array;

  constructor(count: number, configHash: string) {
    this.count = count;
    this.key = keyFromString(`drainlab-shard:${configHash}`);
    this.perm = new Uint32Array(count);
  }

  /** The shard of the cell with this ordinal. Cheapest when ordinals come in increasing order. */
  shardOf(ordinal: number): number {
    const n = this.count;
    if (n === 1) return 0;
    const b = Math.floor(ordinal / n);
    if (b !== this.block) {
      // Fisher-Yates with counter-based draws: the permutation is a pure function of (key, block).
      for (let i = 0; i < n; i++) this.perm[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = randomInt(this.key, b * n + i, i + 1);
        const t = this.perm[i]!;
        this.perm[i] = this.perm[j]!;
        this.perm[j] = t;
      }
      this.block = b;
    }
    return this.perm[ordinal - b * n]!;
  }
}

const intIn = (what: string, v: string, min: number, max: number): number => {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${what}: got ${JSON.stringify(v)}; allowed: an integer in ${min}..${max}`);
  return n;
};

/**
 * The shard of this process, or null for the whole sweep. In order: `--shard i/N` (or `--shard i`
 * with the count from `--shards N`); else JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
 * SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN, so `--array=1-N` works too), with the count from
 * `--shards`, DRAINLAB_SHARDS or SLURM_ARRAY_TASK_COUNT. A Kubernetes index with no count is an
 * error (an Indexed Job always means to split); a Slurm index with no count is ignored (Slurm sets
 * SLURM_ARRAY_TASK_COUNT itself, so its absence means this is not an array job we shard over).
 * Slurm arrays must be contiguous (no `:step`).
 */
export function resolveShard(flag: string | undefined, shardsFlag: number | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  const envCount = (): { n: number; from: string } | undefined => {
    if (shardsFlag !== undefined) return { n: shardsFlag, from: '--shards' };
    if (env.DRAINLAB_SHARDS) return { n: intIn('DRAINLAB_SHARDS', env.DRAINLAB_SHARDS, 1, MAX_SHARDS), from: 'DRAINLAB_SHARDS' };
    if (env.SLURM_ARRAY_TASK_COUNT) return { n: intIn('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT, 1, MAX_SHARDS), from: 'SLURM_ARRAY_TASK_COUNT' };
    return undefined;
  };
  const check = (s: Shard): Shard => {
    if (s.index < 0 || s.index >= s.count) throw new UsageError(`${s.source}: shard ${s.index} of ${s.count}; allowed: 0..${s.count - 1} (shard indices are 0-based)`);
    return s;
  };
  if (flag !== undefined) {
    const m = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(flag);
    if (!m) throw new UsageError(`--shard: got ${JSON.stringify(flag)}; allowed: i/N with 0 <= i < N (0-based), e.g. --shard 0/3, or i with --shards N`);
    const index = intIn('--shard', m[1]!, 0, MAX_SHARDS - 1);
    const count = m[2] !== undefined ? intIn('--shard', m[2], 1, MAX_SHARDS) : envCount()?.n;
    if (count === undefined) throw new UsageError('--shard: give the shard count as --shard i/N, --shards N or DRAINLAB_SHARDS');
    if (m[2] !== undefined && shardsFlag !== undefined && shardsFlag !== count) throw new UsageError(`--shards ${shardsFlag} disagrees with --shard ${flag}`);
    return check({ index, count, source: '--shard' });
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (k8s !== undefined && k8s !== '') {
    const c = envCount();
    if (!c) throw new UsageError('JOB_COMPLETION_INDEX is set but the shard count is not: pass --shards N or set DRAINLAB_SHARDS (the Job\'s completions)');
    return check({ index: intIn('JOB_COMPLETION_INDEX', k8s, 0, MAX_SHARDS - 1), count: c.n, source: 'JOB_COMPLETION_INDEX' });
  }
  if (slurm !== undefined && slurm !== '') {
    const c = envCount();
    if (!c) return null;
    const min = env.SLURM_ARRAY_TASK_MIN ? intIn('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN, 0, MAX_SHARDS) : 0;
    return check({ index: intIn('SLURM_ARRAY_TASK_ID', slurm, 0, MAX_SHARDS + min) - min, count: c.n, source: 'SLURM_ARRAY_TASK_ID' });
  }
  if (shardsFlag !== undefined) throw new UsageError('--shards: also give this process\'s index: --shard i (0-based), JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID');
  return null;
}

export const shardLabel = (s: Shard | null) => (s ? `${s.index}/${s.count}` : 'all');
