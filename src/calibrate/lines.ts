/**
 * The probe's output contract: one JSON object per line, each with a `kind` (probe/drainprobe.c
 * writes them; this file is the only reader). Times from the probe are integer nanoseconds.
 * Every line is validated; a line that does not fit names its line number and the field.
 */
import { z } from 'zod';

const ns = z.number().int();
const nonNeg = z.number().int().min(0);
const sealResult = z.enum(['ok', 'EBUSY', 'EPERM', 'error']);
const caseId = z.enum(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'all']);
/** Where a measurement sat on the jiffy grid (probe tick.c): absent when the tick was not found. */
const tickPos = {
  startSinceTickNs: nonNeg.optional(),
  endSinceTickNs: nonNeg.optional(),
  ticks: nonNeg.optional(),
};

/** A label line that recorded fixtures start with (not written by the probe itself). */
export const headerLine = z.object({
  kind: z.literal('header'),
  kernel: z.string(),
  hz: z.number().int().positive(),
  date: z.string(),
  note: z.string().optional(),
});

export const metaLine = z.object({
  kind: z.literal('meta'),
  probe: z.literal('drainprobe'),
  version: z.number().int(),
  sysname: z.string(),
  release: z.string(),
  machine: z.string(),
  cpus: z.number().int().positive(),
  model: z.string(),
  pageSize: z.number().int().positive(),
  shmemThp: z.string(),
  euid: z.number().int(),
  quick: z.boolean(),
  cases: z.string(),
  budgetMs: z.number().int(),
  sealCpu: z.number().int(),
  remoteCpu: z.number().int(),
  startedAtUnixMs: z.number().int(),
  /** /proc/loadavg when the probe started: other load skews the timings. */
  loadAvg1: z.number().optional(),
  runnable: z.number().int().optional(),
});

/** The sealing thread: its CPU and nice (-20 keeps other load from delaying its wake-ups). */
export const sealerLine = z.object({ kind: z.literal('sealer'), nice: z.number().int(), cpu: z.number().int() });

export const clockLine = z.object({
  kind: z.literal('clock'),
  tickNs: z.number().int().positive(),
  hzFromTick: z.number().int().positive(),
  tickPhaseNs: nonNeg,
  stepSeenAtPhaseNs: z.array(nonNeg),
});

export const schedLine = z.object({
  kind: z.literal('sched'),
  rtRuntimeUs: z.number().int(),
  rtPeriodUs: z.number().int(),
  autogroup: z.number().int(),
  lockdown: z.string(),
  fairServer: z.boolean().optional(),
  fairServerRuntimeNs: z.number().int().optional(),
  fairServerPeriodNs: z.number().int().optional(),
  rtRuntimeShare: z.string().optional(),
  preempt: z.string().optional(),
  fairServerParams: z.string().optional(),
});

export const recheckLine = z.object({
  kind: z.literal('recheck'),
  case: z.literal('a'),
  delayMs: nonNeg,
  rep: nonNeg,
  pages: z.number().int().positive(),
  latencyNs: nonNeg,
  result: sealResult,
  errno: z.number().int(),
  /** When the reader had emptied the pipe, from the seal call (-1: it never reported). */
  releaseNs: ns,
  plannedReleaseNs: ns,
  readerErrno: z.number().int().optional(),
  ...tickPos,
});

export const drainLine = z.object({
  kind: z.literal('drain'),
  /** b and d: the drain cases; f: the RT-window phase runs (probe case_busy.c) */
  case: z.enum(['b', 'd', 'f']),
  cpuClass: z.enum(['idle', 'busy', 'rt']),
  rep: nonNeg,
  pages: z.number().int().positive(),
  latencyNs: nonNeg,
  result: sealResult,
  errno: z.number().int(),
  spinBeforeSealNs: ns.optional(),
  spinCapped: z.boolean().optional(),
  spinMaxNs: nonNeg.optional(),
  cfsLeadNs: nonNeg.optional(),
  /** A stop request (SIGINT ...) ended the spinner early: not a measurement. */
  interrupted: z.boolean().optional(),
  ...tickPos,
});

/** Case e (probe case_busy.c): one seal on a sealing CPU that a CFS spinner keeps busy. */
export const busySealLine = z.object({
  kind: z.literal('busyseal'),
  case: z.literal('e'),
  rep: nonNeg,
  pages: z.number().int().positive(),
  latencyNs: nonNeg,
  result: sealResult,
  errno: z.number().int(),
  /** When the reader on the remote CPU had emptied the pipe, from the seal call (-1: unknown). */
  releaseNs: ns,
  plannedReleaseNs: ns,
  hogRunning: z.boolean(),
  /** Runnable tasks machine-wide just before the seal (/proc/loadavg), the probe's own included. */
  runnable: nonNeg.optional(),
  ...tickPos,
});

/** Case e's set-up: the sealer's and the spinner's nice on the sealing CPU. */
export const busySetupLine = z.object({
  kind: z.literal('busy-setup'),
  case: z.literal('e'),
  cpu: z.number().int(),
  sealerNice: z.number().int(),
  hogNice: z.number().int(),
  seals: nonNeg,
  releaseAfterNs: nonNeg,
});

export const walkLine = z.object({
  kind: z.literal('walk'),
  case: z.literal('c'),
  pages: z.number().int().positive(),
  rep: nonNeg,
  latencyNs: nonNeg,
  result: sealResult,
  errno: z.number().int(),
  fallocateNs: nonNeg,
  shmemHugeKbDelta: z.number().int(),
});

export const traceWork = z.object({
  cpu: z.number().int(),
  fromCpu: z.number().int(),
  queuedNs: ns,
  startNs: ns,
  endNs: ns,
  /** queue_work -> execute_start; -1 when the start was not in the buffer */
  startDelayNs: ns,
});

export const traceLine = z.object({
  kind: z.literal('trace'),
  case: z.literal('d'),
  cpuClass: z.enum(['idle', 'busy', 'rt']),
  rep: nonNeg,
  sealLatencyNs: nonNeg,
  events: nonNeg,
  works: z.array(traceWork),
});

/** One seal of a case g measurement. */
export const guestSeal = z.object({ cpu: z.number().int().min(0), latencyNs: nonNeg, result: sealResult, errno: z.number().int() });

/**
 * Case g (probe/case_guest.c): facts a guest kernel shows under any accelerator. `works` are the
 * lru_add_drain_per_cpu items the seals queued (absent facts when `traced` is false).
 */
export const guestLine = z.object({
  kind: z.literal('guest'),
  case: z.literal('g'),
  test: z.enum(['park', 'fill', 'reread', 'pin', 'concurrent']),
  id: z.string().min(1),
  rep: nonNeg,
  cpus: z.number().int().positive(),
  /** CPUs the pages were written from (their lru_add batches hold them). */
  parkCpus: z.array(z.number().int().min(0)),
  pagesPerCpu: nonNeg,
  pages: nonNeg,
  /** Of the pages, how many were on an LRU list before the seal (/proc/kpageflags); -1 not read. */
  onLruBefore: z.number().int().min(-1),
  seals: z.array(guestSeal).min(1),
  /** fill: our pages written when the first one reached the LRU (its batch drained itself); 0 never, -1 not read. */
  drainedAt: z.number().int().min(-1).optional(),
  try: nonNeg.optional(),
  /** reread: /sys/kernel/mm/lru_gen/enabled ("" when the kernel has no CONFIG_LRU_GEN). */
  lruGen: z.string().optional(),
  /** pin: when the pins went, relative to the seal call. */
  release: z.enum(['early', 'before-last', 'after-last', 'after-return']).optional(),
  hz: z.number().int().positive().optional(),
  plannedReleaseNs: ns.optional(),
  releaseNs: ns.optional(),
  traced: z.boolean(),
  events: nonNeg.optional(),
  works: z.array(traceWork).optional(),
  worksTruncated: z.boolean().optional(),
  ...tickPos,
});

export const traceSetupLine = z.object({
  kind: z.literal('trace-setup'),
  case: z.literal('d'),
  instance: z.string(),
  privateMount: z.boolean(),
});

/** A self-check of the method (extra fields vary by check and are kept). */
export const verifyLine = z.looseObject({
  kind: z.literal('verify'),
  case: caseId,
  what: z.string(),
  ok: z.boolean(),
});

export const skipLine = z.object({ kind: z.literal('skip'), case: caseId, reason: z.string() });

/** A line the probe could not fit in its buffer: printed as this instead of half an object. */
export const truncatedLine = z.object({ kind: z.literal('truncated'), of: z.string(), limitBytes: z.number().int() });

export const endLine = z.object({
  kind: z.literal('end'),
  elapsedMs: nonNeg,
  interrupted: z.boolean(),
  budgetExhausted: z.boolean(),
  signal: z.number().int().optional(),
  loadAvg1: z.number().optional(),
  runnable: z.number().int().optional(),
});

export const probeLine = z.discriminatedUnion('kind', [
  headerLine, metaLine, sealerLine, clockLine, schedLine, recheckLine, drainLine, walkLine, traceLine,
  traceSetupLine, verifyLine, skipLine, truncatedLine, endLine, busySealLine, busySetupLine, guestLine,
]);

export type HeaderLine = z.infer<typeof headerLine>;
export type MetaLine = z.infer<typeof metaLine>;
export type ClockLine = z.infer<typeof clockLine>;
export type SealerLine = z.infer<typeof sealerLine>;
export type SchedLine = z.infer<typeof schedLine>;
export type RecheckLine = z.infer<typeof recheckLine>;
export type DrainLine = z.infer<typeof drainLine>;
export type WalkLine = z.infer<typeof walkLine>;
export type BusySealLine = z.infer<typeof busySealLine>;
export type BusySetupLine = z.infer<typeof busySetupLine>;
export type TraceLine = z.infer<typeof traceLine>;
export type TraceWork = z.infer<typeof traceWork>;
export type GuestLine = z.infer<typeof guestLine>;
export type VerifyLine = z.infer<typeof verifyLine>;
export type SkipLine = z.infer<typeof skipLine>;
export type EndLine = z.infer<typeof endLine>;
export type TruncatedLine = z.infer<typeof truncatedLine>;
export type ProbeLine = z.infer<typeof probeLine>;
export const PROBE_KINDS = [
  'header', 'meta', 'sealer', 'clock', 'sched', 'recheck', 'drain', 'walk', 'trace', 'trace-setup', 'verify', 'skip', 'truncated', 'end', 'busyseal', 'busy-setup', 'guest',
] as const;
