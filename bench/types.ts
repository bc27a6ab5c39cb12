/**
 * The bench result record (`drainlab bench --json`): what the markdown printer, the baseline
 * comparison and the HTML report (src/report/extras.ts parseBench: suites[].tasks[] with
 * latency.{p50,mean,p99,rme} in ms and throughput.mean in ops/s) read. Fields may be added; these
 * are never renamed.
 */
import type { HostLoad } from '../src/io/host-load.ts';

/** Latency of one iteration, in ms (tinybench's Statistics, the fields this lab uses). */
export interface LatencyStats {
  mean: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  sd: number;
  /** Margin of error of the mean at 95 % (ms): sem x t-critical. */
  moe: number;
  /** moe / mean, in %. */
  rme: number;
  samplesCount: number;
}

export interface TaskResult {
  /** Unique in its suite: "<group>: <variant>". */
  name: string;
  /** Tasks compared side by side, e.g. "tag pass 1M". */
  group: string;
  /** What runs it, e.g. "WASM SIMD", "TS reference", "C -O3 SSE2". */
  variant: string;
  /** Pages, CPUs or pagevec size: the axis the group varies. */
  size?: number;
  /** Work units done by one iteration (pages scanned, pages added, drain_all calls...). */
  per: number;
  unit: string;
  latency: LatencyStats;
  /** Iterations per second. */
  throughput: { mean: number; p50: number };
  /** Work units per second at the median latency (per / p50). */
  rate: number;
  samples: number;
}

export interface Ratio {
  suite: string;
  /** What is compared, e.g. "tag pass 1M: WASM SIMD / TS reference". */
  label: string;
  /** Speed-up of `a` over `b` (b.p50 / a.p50), or for a `share` ratio a.p50 / b.p50. */
  value: number;
  kind: 'speedup' | 'share';
  /** The bar from bench/README.md, when this ratio has one. */
  target?: { op: '>=' | '<='; value: number };
  /** True only when the verdict is `met`. */
  met?: boolean;
  /** The ratio's 95 % CI (bench/harness.ts judged); absent when it was measured once. */
  ci?: [number, number];
  /** Against the target: met (the whole CI clears the bar), missed (the whole CI falls short), undecided (the CI straddles it). */
  verdict?: 'met' | 'missed' | 'undecided';
  /** The CPU it was measured on (bench/provenance.ts cpuLabel; set by runBench). */
  cpu?: string;
}

/** A correctness check made while benchmarking (implementations must agree on counts). */
export interface Check {
  suite: string;
  what: string;
  ok: boolean;
  detail: string;
}

export interface SuiteResult {
  name: string;
  title: string;
  tasks: TaskResult[];
  ratios: Ratio[];
  checks: Check[];
  /** Why parts did not run (no cc, no simulator yet...). */
  skipped: string[];
  /** What a reader must know to read the numbers (a stand-in preset...). */
  notes: string[];
}

export interface BenchProvenance {
  drainlab: string;
  gitCommit: string;
  wasmSha256: string;
  node: string;
  v8: string;
  /** `cpu`: lscpu's model name with vendor, family and model (the label beside every ratio). */
  host: { cpus: number; model: string; lscpuModel: string | null; cpu?: string };
  cc: string | null;
  startedAt: string;
  wallMs: number;
}

export interface BenchReport {
  schema: 'drainlab/bench@1';
  provenance: BenchProvenance;
  /** How busy the host was before and during the run, and whether that makes it noisy (src/io/host-load.ts). */
  hostLoad?: HostLoad;
  options: { mode: 'full' | 'quick' | 'tiny'; quick: boolean; suites: string[] };
  suites: SuiteResult[];
}

/** The problem sizes of a mode (full, quick, or tiny for the unit tests). */
export interface Sizes {
  /** Pages of the scan suite's file, one task set per size. */
  scanPages: number[];
  /** Pages of the next-tagged suite's file. */
  nextTaggedPages: number;
  /** Pages per arena of the pagevec add benchmark, and samples per arena of the drain one. */
  addArenaPages: number;
  drainSamplesPerArena: number;
  /** CPU counts of the drain suite. */
  drainCpus: number[];
  /** Pages of the memfd of the one-seal scenario. */
  sealPages: number;
  /** Preset of the throughput run: "large" (else the preset with the most events), or a smoke-test one. */
  simPreset: 'large' | 'smoke';
}

/** What every suite gets: the mode's sizes and time budgets, and a progress line writer. */
export interface SuiteContext {
  quick: boolean;
  sizes: Sizes;
  /** tinybench time and warm-up budgets per task (ms), and the minimum sample count. */
  time: number;
  warmupTime: number;
  iterations: number;
  /** The budgets are split into this many rounds over all of a suite's variants (harness.ts runTasks). */
  rounds: number;
  /** `--repeats N`: rounds of the suites that time whole commands (workers); default per mode. */
  repeats?: number;
  log: (line: string) => void;
}

export interface Suite {
  name: string;
  title: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}
