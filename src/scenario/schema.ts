/**
 * The scenario file (docs/scenario-format.md) as a zod schema: the single source of the format, of the
 * defaults, of the error messages (each names the field and the allowed values) and of the
 * exported JSON Schema (schema/scenario.schema.json, `npm run schema`).
 */
import { z } from 'zod';
import { KERNELS, HZ_VALUES, PREEMPT_MODELS } from '../kernel/versions.ts';
import { COST_NAMES, DEFAULT_COSTS, SEALER_BUSY_PREEMPT_PROB } from '../kernel/costs.ts';
import { allowedStrategyNames, isStrategyName, isStrategyPath } from './strategy-names.ts';

export const CPU_CLASSES = ['idle', 'busy', 'rt', 'isolated'] as const;
export type CpuClass = (typeof CPU_CLASSES)[number];

/** A strict object whose "unknown field" error lists the allowed fields. */
function obj<T extends z.ZodRawShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field(s) ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} in ${what}; allowed: ${allowed}`
        : undefined,
  });
}

const nonNegInt = () => z.int({ error: 'an integer >= 0' }).min(0, { error: 'an integer >= 0' });
const ms = z.number({ error: 'a time in milliseconds (number >= 0)' }).min(0, { error: 'a time in milliseconds must be >= 0' });
const posMs = z.number({ error: 'a duration in milliseconds (number > 0)' }).positive({ error: 'a duration in milliseconds must be > 0' });
/** CPU list in the kernel's syntax, e.g. "0-3,8,10-11" (checked against `cpus` when resolved). */
export const cpuListSchema = z.string({ error: 'a CPU list such as "0-3,8" (kernel cpulist syntax)' });
/** Pages: "a-b" (inclusive), a page index, a list of indices, or "all". */
export const pageSpecSchema = z.union([z.int().min(0), z.string(), z.array(z.int().min(0))], {
  error: '"a-b", a page index, a list of page indices, or "all"',
});

// Descriptions (.describe) go into the JSON Schema, so an editor shows them; docs/scenario-format.md
// says the same at length. They change neither parsing nor error messages.
const fileField = () => nonNegInt().default(0).describe('The memfd, by index (0 .. files-1). Default 0.');
const pagesField = () => pageSpecSchema.describe('The pages (0 .. pages-1): "a-b" (inclusive), a page index, a list of indices, or "all".');
const compoundField = () =>
  z.boolean().default(false).describe('Allocate missing pages as compound (THP) pages: such a page drains its pagevec at once (A2 fill rule). Default false.');

const at = {
  atMs: ms.describe('When the op happens: simulated ms from the start, at most horizonMs. Ops run in (atMs, position in the file) order.'),
  cpu: nonNegInt().default(0).describe('The CPU the op happens on (0 .. cpus-1). Default 0.'),
};
const pagesOp = { ...at, file: fileField(), pages: pagesField() };

const op = <K extends string, T extends z.ZodRawShape>(name: K, shape: T, what: string) =>
  obj({ op: z.literal(name).describe('The operation.'), ...shape }, `a "${name}" op`).describe(what);

export const OPS = [
  'write', 'fault', 'unmap', 'mmapShared', 'munmapShared', 'pin', 'unpin', 'read', 'drain', 'drainAll',
  'bhLookup', 'seal', 'signal', 'cpuClass', 'cpuhpSetup', 'spliceDevtmpfs',
] as const;

export const scriptOpSchema = z.discriminatedUnion(
  'op',
  [
    op('write', { ...pagesOp, compound: compoundField() },
      "write() on cpu: takes the inode lock and does nothing once F_SEAL_WRITE is set; a missing page is allocated into the page cache and cpu's lru_add pagevec (+2 refs), a present one marked accessed."),
    op('fault', { ...pagesOp, compound: compoundField() },
      'A page fault on cpu: a missing page is allocated as by write, then mapped by a PTE (+1 ref, +1 mapcount).'),
    op('unmap', pagesOp, "munmap on cpu: one PTE mapping less on each mapped page (-1 ref, -1 mapcount), then cpu drains its own pagevecs (unmap_region's lru_add_drain)."),
    op('mmapShared', { ...at, file: fileField() },
      'A shared writable mapping of the file appears (i_mmap_writable +1); refused once sealed or while a seal denies writers. The file counts as mapped shared.'),
    op('munmapShared', { ...at, file: fileField() }, 'That shared writable mapping goes (i_mmap_writable -1); cpu drains its own pagevecs.'),
    op('pin', {
      ...pagesOp,
      forMs: posMs.optional().describe('How long the pin is held, ms (> 0). Absent: until an unpin op.'),
      compound: compoundField(),
    }, 'get_user_pages for write through a shared mapping: a missing page is allocated as by write, then +1 ref per page: a real pin.'),
    op('unpin', pagesOp, 'Drops one pin from each page, from the oldest pin holding it first.'),
    op('read', pagesOp, "read(): mark_page_accessed on each present page, which may park it in cpu's activate pagevec."),
    op('drain', at, 'lru_add_drain() on cpu: it drains its own pagevecs.'),
    op('drainAll', at, 'An unrelated caller of lru_add_drain_all() on cpu (fadvise, compaction ...): background load, counted in summary.background.'),
    op('bhLookup', at,
      "A buffer-head lookup on cpu (__find_get_block -> bh_lru_install: file-system metadata such as an ext4 inode or bitmap block): the bh stays in cpu's bh LRU until drain work runs there. From v5.15 (kernel 6.1 here) lru_add_drain_all() queues work on such a CPU, even right after that CPU's own lru_add_drain(); before, it has no effect."),
    op('seal', {
      ...at,
      file: fileField(),
      sealSeal: z.boolean().default(false).describe('Also add F_SEAL_SEAL, so that later seals of the file get EPERM. Default false.'),
    }, 'fcntl(F_ADD_SEALS, F_SEAL_WRITE) on the file from cpu, done by the strategy under test. Each seal makes one record.'),
    op('signal', at, 'A fatal signal to every task sealing on cpu: its sleep ends and that wait-loop pass is the last.'),
    op('cpuClass', {
      ...at,
      class: z.enum(CPU_CLASSES).describe('The class cpu switches to: idle, busy (a CFS hog), rt (a SCHED_FIFO spinner), isolated (nohz_full).'),
      forMs: posMs.optional().describe('How long, ms (> 0); then back to the previous class. Absent: for good.'),
    }, 'cpu switches to another class of load for a while.'),
    op('cpuhpSetup', at, 'CPU-hotplug state setup on cpu: the cpu_hotplug_lock -> ... -> sb_writers half of the 2017 lock chain, for lockdep.'),
    op('spliceDevtmpfs', at, 'A splice into a devtmpfs file on cpu: sb_writers -> pipe->mutex -> i_rwsem, the other half of the 2017 lock chain.'),
  ],
  { error: () => `unknown op; allowed: ${OPS.join(', ')}` },
);
export type ScriptOp = z.infer<typeof scriptOpSchema>;

const rate = z.number({ error: 'a rate in events per millisecond per CPU (number > 0)' }).positive({ error: 'a rate in events per millisecond per CPU must be > 0' })
  .describe('Arrivals per simulated ms on EACH listed CPU (a Poisson process per CPU): 0.5 over "0-7" is about 4 arrivals per ms in all.');
const window = {
  startMs: ms.default(0).describe('No arrival before this, ms. Default 0.'),
  endMs: ms.optional().describe('No arrival after this, ms. Default: horizonMs.'),
};
const gensCpus = () => cpuListSchema.describe('The CPUs it runs on, kernel cpulist syntax ("0-3,8" or "all"); one random stream per CPU.');

export const durationSchema = z.discriminatedUnion(
  'dist',
  [
    obj({ dist: z.literal('fixed').describe('Always the same duration.'), ms: posMs.describe('The duration, ms (> 0).') }, 'a fixed duration')
      .describe('A fixed duration.'),
    obj({ dist: z.literal('exponential').describe('Exponentially distributed.'), meanMs: posMs.describe('The mean, ms (> 0).') }, 'an exponential duration')
      .describe('An exponential duration.'),
    obj({
      dist: z.literal('uniform').describe('Uniform between minMs and maxMs.'),
      minMs: ms.describe('The shortest, ms (>= 0).'),
      maxMs: posMs.describe('The longest, ms (> 0).'),
    }, 'a uniform duration').describe('A uniform duration.'),
    obj({
      dist: z.literal('lognormal').describe('medianMs * exp(sigma * N(0,1)).'),
      medianMs: posMs.describe('The median, ms (> 0).'),
      sigma: z.number().positive().describe('The spread: the standard deviation of the log (> 0).'),
    }, 'a lognormal duration').describe('A lognormal duration.'),
    obj({
      dist: z.literal('empirical').describe('One of samplesMs, each equally likely (a measured distribution).'),
      samplesMs: z.array(ms.describe('One observed duration, ms (>= 0).')).min(1, { error: 'at least one sample' }).describe('The observed durations, ms.'),
    }, 'an empirical duration').describe('An empirical duration: a uniform draw among measured ones.'),
  ],
  { error: () => 'allowed: fixed, exponential, uniform, lognormal, empirical' },
);
export type Duration = z.infer<typeof durationSchema>;

/**
 * Trace-driven arrivals (`drainlab replay`, docs/traces.md): what a recorded machine of
 * `recordedCpus` CPUs did, CPU j of the scenario replaying recorded CPU j mod recordedCpus. Times
 * in ms from the start of the recording window.
 */
export const replaySchema = obj(
  {
    source: z.string({ error: 'the trace file name and sha256' }).describe('The trace the arrivals come from (file name and sha256); provenance only.'),
    recordedCpus: z.int({ error: 'an integer >= 1' }).min(1, { error: 'an integer >= 1' })
      .describe('CPUs of the recorded machine (R): CPU j of this scenario replays recorded CPU j mod R.'),
    pages: z.array(z.array(ms.describe('When one new page entered the batch, ms from the start of the recording.')).describe('The arrival times of one recorded CPU, sorted.')).default([])
      .describe("Per recorded CPU: when each new page entered that CPU's lru_add batch (sorted). CPU j writes them into its page ring (file j)."),
    drains: z.array(z.array(ms.describe("When a task emptied the CPU's batch, ms from the start of the recording.")).describe('The drain times of one recorded CPU, sorted.')).optional()
      .describe("Per recorded CPU: when a task's page burst left that CPU's batch (its own lru_add_drain(), or a full batch): CPU j empties its batches then, so that between bursts they fill as the recorded ones did. Kworkers' bursts are not listed (the replayed drain work is their own)."),
    pageRates: z.array(z.number().min(0, { error: 'pages per ms (number >= 0)' }).describe('New pages per ms on one recorded CPU.')).optional()
      .describe('Instead of recorded times (a fitted scenario): per recorded CPU, new pages per ms, drawn as a Poisson process.'),
    drainAll: z.array(obj({
      cpu: nonNegInt().describe('The recorded CPU of the caller.'),
      atMs: ms.describe('When it called, ms from the start of the recording.'),
      startDelaysMs: z.array(ms.nullable().describe('A delay, ms, or null (no work recorded there).')).optional()
        .describe("Per recorded CPU: how long the call's drain work waited for that CPU's kworker (queue_work -> execute_start), as recorded; the replayed work starts after the same delay (rt CPUs keep RT throttling). Absent or null: the CPU's rule, or the scenario's wakeups."),
      returnMs: ms.optional()
        .describe("When the recorded caller returned from the call (fadvise's exit), ms from the start of the recording: the replayed caller comes back from its flush then (its recorded wake-up), or once its last work is done, plus a drawn wake-up, when that is later. Absent: wake-ups as the scenario's rules."),
      localDrainAfter: z.literal(true, { error: 'true (or leave it out)' }).optional()
        .describe("The caller drains its own CPU's batches right after the call (lru_add_drain()), before it returns: fadvise(DONTNEED), whose second invalidate_mapping_pages releases its folio batch through __folio_batch_release (mm/fadvise.c, mm/truncate.c, mm/swap.c)."),
    }, 'a replay.drainAll entry').describe('One lru_add_drain_all() call.')).default([])
      .describe('lru_add_drain_all calls by other paths than a seal (fadvise, compaction ...), replicated onto every CPU of the caller\'s residue class.'),
    seals: z.array(obj({
      cpu: nonNegInt().describe('The recorded CPU of the sealing task.'),
      atMs: ms.describe('When the fcntl began, ms from the start of the recording.'),
      remoteCpus: z.array(nonNegInt().describe('A recorded CPU.')).default([]).describe("Recorded CPUs whose batches held the memfd's pages: one page is written on each just before the seal."),
      pinForMs: posMs.optional().describe('Page 0 is pinned from just before the seal for this long (inferred from the outcome and latency).'),
      ownCpu: z.literal(true, { error: 'true (or leave it out)' }).optional()
        .describe("The recorded drain_all also queued work on the sealing CPU after its local drain: a bhLookup on the sealing CPU just before the seal (a non-empty bh LRU is what a local lru_add_drain() leaves, v5.15+)."),
      refills: z.array(obj({
        cpu: nonNegInt().describe('The recorded CPU.'),
        atMs: ms.describe('When, ms from the start of the recording.'),
      }, 'a replay.seals refill').describe('One CPU refilled at one time.')).optional()
        .describe("CPUs the seal's own drain_all queued work on although another caller's pass, pending when the seal began, had drained them just before: something refilled them between that pass's work and the seal's scan, which the trace does not show (other tasks' pages, or the bh LRU). The replay marks the CPU's bh LRU (only drain work clears it) at atMs, between the two."),
    }, 'a replay.seals entry').describe('One recorded F_ADD_SEALS(F_SEAL_WRITE), on a memfd of its own.')).default([])
      .describe('Seals: from cpu at atMs, on a new memfd whose pages wait in the batches of remoteCpus.'),
  },
  'workload.replay',
);
export type Replay = z.infer<typeof replaySchema>;

/** Stochastic generators (docs/scenario-format.md documents each). Rates are per listed CPU. */
export const workloadSchema = obj(
  {
    producers: z.array(obj({
      cpus: gensCpus(), ratePerMs: rate,
      op: z.enum(['write', 'fault', 'read']).default('write').describe('What each arrival does to its pages, as the script op of that name. Default "write".'),
      file: fileField(),
      pages: pageSpecSchema.default('all').describe('The pages it produces into (a page spec). Default "all".'),
      batch: z.int().min(1).default(1).describe('Consecutive pages per arrival (>= 1). Default 1.'),
      pick: z.enum(['sequential', 'random']).default('sequential')
        .describe('"sequential": one cursor for the whole generator walks the pages in order, wrapping; "random": each batch starts at a uniformly drawn page. Default "sequential".'),
      rotate: z.boolean({ error: 'true or false' }).optional()
        .describe('true: the pages are a ring, as a rotating log or a ring buffer that punches the hole behind it: a page the producer comes back to is truncated first, so every write allocates a fresh page that enters this CPU\'s lru_add pagevec and the load holds for the whole horizon. Absent or false: the pages are filled once; once every page exists a write only marks it accessed, and the load dies out. Only with op "write", on a file nothing else pins, maps, seals or scripts.'),
      ...window,
    }, 'a producer').describe('Writes, faults or reads pages on its CPUs: what fills pagevecs on busy CPUs.')).default([])
      .describe('Page producers: Poisson processes per listed CPU doing write, fault or read.'),
    pins: z.array(obj({
      cpus: gensCpus(), ratePerMs: rate, file: fileField(),
      pages: pageSpecSchema.default('all').describe('The pages it pins among (a page spec). Default "all".'),
      batch: z.int().min(1).default(1).describe('Consecutive pages per pin, from a random start (>= 1). Default 1.'),
      duration: durationSchema.describe('How long each pin is held.'), ...window,
    }, 'a pin generator').describe('Real pins (get_user_pages) held for a random time, as in-flight direct IO.')).default([])
      .describe('Pin generators.'),
    seals: z.array(obj({
      cpus: gensCpus(), ratePerMs: rate, file: fileField(), ...window,
    }, 'a seal generator').describe('Seals of the file from its CPUs, by the strategy under test; once F_SEAL_WRITE is set, later ones succeed at once.')).default([])
      .describe('Seal generators.'),
    drainAll: z.array(obj({ cpus: gensCpus(), ratePerMs: rate, ...window }, 'a drainAll generator')
      .describe('Background lru_add_drain_all() callers (fadvise, compaction ...).')).default([])
      .describe('Background drain_all generators: their cost goes to summary.background.'),
    bhLookups: z.array(obj({ cpus: gensCpus(), ratePerMs: rate, ...window }, 'a bhLookups generator')
      .describe('Buffer-head lookups (file-system metadata I/O) on its CPUs, each as the bhLookup op.')).optional()
      .describe("bhLookup generators: they keep CPUs' bh LRUs non-empty, so that 6.1+ drain_alls queue work there (absent: none)."),
    localDrain: z.array(obj({ cpus: gensCpus(), ratePerMs: rate, ...window }, 'a localDrain generator')
      .describe("lru_add_drain() on the arriving CPU: the paths that drain a CPU's own pagevecs anyway (munmap, exit, exec, reclaim).")).default([])
      .describe('Local drain generators.'),
    cpuClass: z.array(obj({
      cpus: gensCpus(), ratePerMs: rate,
      class: z.enum(CPU_CLASSES).describe('The class the arriving CPU switches to: idle, busy, rt or isolated.'),
      forMs: posMs.describe('How long the CPU stays in that class, ms (> 0).'), ...window,
    }, 'a cpuClass generator').describe('Switches its CPUs to another class for a while.')).default([])
      .describe('CPU class change generators.'),
    lifecycles: z.array(obj({
      sealCpus: cpuListSchema.default('0').describe('One Poisson process per CPU listed; that CPU seals the arrival\'s file. Default "0".'),
      writerCpus: cpuListSchema.default('all').describe("Each arrival's writer is drawn uniformly from these CPUs. Default \"all\"."),
      ratePerMs: rate.describe('Arrivals per simulated ms on EACH seal CPU.'),
      files: z.string({ error: 'a list of file indices in cpulist syntax, e.g. "1-40"' })
        .describe('The files handed out, in order, in cpulist syntax (e.g. "1-40"); each is used once, later arrivals do nothing.'),
      writePages: z.int().min(1).default(8).describe("Pages 0 .. writePages-1 the writer creates with write() (they park in its lru_add pagevec); at most pages. Default 8."),
      pinPages: z.int().min(0).default(0).describe('Pages 0 .. pinPages-1 the writer also pins, as in-flight direct IO; at most writePages. Default 0.'),
      pinDuration: durationSchema.optional().describe('How long those pins last; required when pinPages > 0.'),
      delayMs: ms.default(1).describe('From the write to the seal, ms. Default 1.'),
      ...window,
    }, 'a lifecycles generator').describe('The memfd hand-off: a writer fills a new file, optionally pins part of it, and delayMs later a seal CPU seals it.')).default([])
      .describe('Memfd lifecycle generators.'),
    /** A recorded trace's arrivals, replayed as they happened (src/sim/trace-source.ts, docs/traces.md). */
    replay: replaySchema.optional().describe('Trace-driven arrivals written by drainlab replay and fit-workload (docs/traces.md): page arrivals per recorded CPU, drain_all calls and seals, replicated onto CPU j from recorded CPU j mod recordedCpus.'),
  },
  'workload',
);
export type Workload = z.infer<typeof workloadSchema>;

/** The largest cost a scenario or calibration file may give, ns (1000 s: far beyond any kernel path, small enough to stay exact). */
export const MAX_COST_NS = 1e12;
/** The load's statement and self-check (src/metrics/load.ts measures it). */
export const LOAD_DEFAULTS = { warmUpMs: 0, windowMs: 100, maxChange: 1.5 } as const;
export const loadSchema = obj({
  stationary: z.boolean({ error: 'true or false' })
    .describe('true: the load is meant to hold over the horizon (a steady-state question); the run warns when it does not. false: it is meant to change (a burst, a job that ends); the run measures it and does not warn.'),
  warmUpMs: ms.default(LOAD_DEFAULTS.warmUpMs)
    .describe('Seals that start before this are left out of the seals and every statistic (counted in summary.warmUpSeals), and the self-check starts here: pagevecs start empty. Default 0.'),
  windowMs: posMs.default(LOAD_DEFAULTS.windowMs).describe('The width of the load measurement\'s windows, ms. Default 100.'),
  maxChange: z.number({ error: 'a factor > 1' }).gt(1, { error: 'a factor > 1' }).default(LOAD_DEFAULTS.maxChange)
    .describe('The run warns when a measured load (pages entering pagevecs per CPU, drain_all calls, pins) differs between the first and the last third of the measured span by more than this factor, beyond counting noise. Default 1.5.'),
}, 'load');
export type LoadSpec = z.infer<typeof loadSchema>;

/** What each cost pays for (src/kernel/costs.ts has the reasoning; ids refer to docs/kernel-model.md). */
const COST_HELP: Record<(typeof COST_NAMES)[number], string> = {
  tagWalkNsPerPage: 'The tag walk (OP3.2) per slot, once the walk no longer fits in cache.',
  tagWalkCachedPages: 'The first this-many pages of a walk run at tagWalkCachedNsPerPage (0: no cached regime). A page count, not a time.',
  tagWalkCachedNsPerPage: 'The tag walk per slot while it stays in cache.',
  tagSetNs: 'Setting one PINNED tag (OP3.2).',
  recheckNsPerTagged: 'Re-checking one tagged slot and clearing its tag (OP2.2c).',
  drainNsPerPage: 'lru_add_drain() per page moved to the LRU (OP4).',
  drainFixedNs: 'lru_add_drain() per non-empty pagevec (OP4).',
  drainAllScanNsPerCpu: "Reading one CPU's pagevec counts in lru_add_drain_all() (OP5.4).",
  queueWorkNs: "Queueing and waking one CPU's drain work (OP5.4).",
  flushDoneNs: 'flush_work on work already done (OP5.5).',
  flushWakeNs: 'Waking the flusher when the work completes (OP5.5).',
  kworkerIdleWakeNs: 'A kworker waking on an idle or isolated CPU.',
  kworkerBusyMaxNs: 'The longest a kworker waits behind a CFS hog on a busy CPU; 0 means one tick at the scenario\'s HZ.',
  kworkerBusyPreemptProb: 'The chance (0..1, not a time) that a woken kworker preempts the CFS hog at once.',
  rtRuntimeNs: 'sched_rt_runtime_us: an RT spinner runs this long in every period before others get in (C1).',
  rtPeriodNs: 'sched_rt_period_us (C1).',
  timerSlackNs: "From a timer's tick to the sleeper running again (C2).",
  mutexHandoffNs: "Handing a mutex (drain_all's, the inode lock) to the next waiter.",
  sealSyscallNs: 'fcntl entry and exit, deny_writable and the seal bits (OP1 without the wait).',
  remoteLockNsPerAdd: 'remote-drain (S7): the per-CPU spinlock on every pagevec add.',
  remoteDrainNsPerCpu: "remote-drain (S7): draining one remote CPU's pagevec from the caller.",
  rcuExpeditedNs: 'lru-disable (S8): synchronize_rcu_expedited().',
  sealerBusyPreemptProb: 'EEVDF kernels (6.6+): the chance (0..1, not a time) that a sealer woken by its timer on a busy CPU preempts the CFS hog at once; else it waits for a tick (scenario preempt).',
  timerSlackBusyNs: "timerSlackNs for a sleeper on a busy CPU (one running a CFS hog): no exit from idle.",
};

const costsShape = Object.fromEntries(
  COST_NAMES.map((k) => [
    k,
    (k.endsWith('Prob')
      ? z.number({ error: 'a probability (number in 0..1)' }).min(0, { error: 'allowed: 0..1' }).max(1, { error: 'allowed: 0..1' })
      : z.number({ error: 'a time in nanoseconds (number >= 0)' }).min(0, { error: 'a time in nanoseconds (number >= 0)' }).max(MAX_COST_NS, { error: `allowed: 0..${MAX_COST_NS} ns` })).optional()
      .describe(`${COST_HELP[k]} Nanoseconds unless said otherwise; default ${k === 'sealerBusyPreemptProb' ? SEALER_BUSY_PREEMPT_PROB.toFixed(4) : k === 'timerSlackBusyNs' ? 'timerSlackNs' : DEFAULT_COSTS[k]}${k === 'kworkerBusyMaxNs' ? ' (one tick)' : ''}.`),
  ]),
) as Record<(typeof COST_NAMES)[number], z.ZodOptional<z.ZodNumber>>;

/** The costs object of a scenario and of a calibration file: one schema for both (unknown names refused). */
export const costsSchema = obj(costsShape, 'costs');

export const scenarioSchema = obj(
  {
    $schema: z.string().optional().describe('Ignored by drainlab: lets an editor find this JSON Schema.'),
    name: z.string().default('scenario').describe('A label, copied into the result record. Default "scenario".'),
    description: z.string().default('').describe('Free text.'),
    kernel: z.enum(KERNELS).default('4.14')
      .describe("The kernel version: sets PAGEVEC_SIZE and lru_add_drain_all()'s variant (hotplug lock 4.14, piggyback 5.10+, local drain first 6.18; 6.1 and 6.12 as in docs/kernel-model.md). The strategy may change drain_all further. Default \"4.14\"."),
    hz: z.union(HZ_VALUES.map((h) => z.literal(h)), { error: `allowed: ${HZ_VALUES.join(', ')}` }).default(250)
      .describe('The tick rate: the wait loop sleeps (HZ << n) / 200 jiffies before re-check n, on the timer wheel. Default 250.'),
    cpus: z.int({ error: 'an integer in 1..8192' }).min(1, { error: 'allowed: 1..8192' }).max(8192, { error: 'allowed: 1..8192' }).default(4)
      .describe('CPUs of the simulated machine (1 .. 8192), numbered from 0. Default 4.'),
    files: z.int({ error: 'an integer >= 1' }).min(1, { error: 'an integer >= 1' }).default(1)
      .describe('Memfd files, numbered from 0. Default 1.'),
    pages: z.int({ error: 'an integer >= 1' }).min(1, { error: 'an integer >= 1' }).default(64)
      .describe('Pages PER FILE; files x pages x cpus must fit the 4 GiB of wasm32 memory (refused before anything runs otherwise). Default 64.'),
    pagevecSize: z.int({ error: 'an integer in 1..31' }).min(1, { error: 'allowed: 1..31' }).max(31, { error: 'allowed: 1..31' }).optional()
      .describe("PAGEVEC_SIZE (1 .. 31): pages a per-CPU pagevec holds before it drains itself. Default: the kernel's (14, 15 or 31)."),
    // Optional, without a written default: a scenario that leaves them out resolves (and is
    // recorded) as before, and the kernel version's default applies (src/kernel/versions.ts).
    mglru: z.boolean({ error: 'true or false (kernels 6.1 and later)' }).optional()
      .describe('The multi-gen LRU is enabled (CONFIG_LRU_GEN_ENABLED): a re-read page only gets PG_referenced and is not parked in the activate batch. Default false; allowed on kernels 6.1 and later.'),
    rtRuntimeShare: z.boolean({ error: 'true or false' }).optional()
      .describe('The RT_RUNTIME_SHARE sched feature: a lone SCHED_FIFO spinner borrows runtime from other CPUs and is never throttled. Default: on for 4.14 and 4.16, off from 5.10 (2586af1ac187).'),
    preempt: z.enum(PREEMPT_MODELS, { error: `allowed: ${PREEMPT_MODELS.join(', ')}` }).optional()
      .describe('The preemption model (none, voluntary, full, rt): on EEVDF kernels (6.6+) how long a sealer woken on a CPU running a CFS hog waits for it. Default voluntary.'),
    wakeups: obj({
      kworker: durationSchema.optional().describe("From queue_work to the kworker running the drain, on an idle, busy or isolated CPU (replaces the class's rule; rt CPUs keep RT throttling)."),
      kworkerPerCpu: z.array(durationSchema).min(1, { error: 'at least one duration' }).optional()
        .describe("Per CPU: CPU j's kworker waits are drawn from entry j mod the list's length (each CPU has its own run queue; drainlab replay measures one per recorded CPU, so the replicas of a recorded CPU share its entry). Replaces kworker."),
      caller: durationSchema.optional().describe("From the last awaited drain work's end to the drain_all caller running again (replaces flushWakeNs)."),
    }, 'wakeups').optional()
      .describe('A loaded machine\'s run-queue waits, drawn per wake-up (e.g. measured by drainlab replay from a trace\'s drain_all calls outside the seals). Absent: the CPU-class rules and flushWakeNs.'),
    seed: z.int({ error: 'an integer >= 0' }).min(0, { error: 'an integer >= 0' }).default(1)
      .describe('The root of every random stream: the same scenario and seed give byte-identical records for any worker count. Default 1.'),
    replication: z.int().min(0).default(0).describe('A second key of every random stream; sweeps set it per replication. Default 0.'),
    horizonMs: posMs.default(3000)
      .describe('Simulated ms the run covers; seals still running at the end are counted as unfinished. Default 3000.'),
    strategies: z
      .array(
        z.string({ error: 'a strategy name' }).refine((n) => isStrategyName(n) || isStrategyPath(n), {
          error: (iss) => `unknown strategy ${JSON.stringify(iss.input)}; allowed: ${allowedStrategyNames().join(', ')}, or a strategy file by relative path ("./my-strategy.ts")`,
        }).describe('A strategy name (drainlab strategies lists them), or a strategy file by path relative to the scenario file ("./my-strategy.ts", docs/strategies.md).'),
      )
      .min(1)
      .optional()
      .describe('The strategies to compare, each on its own machine with the same random streams. Default: all 12. drainlab run --strategy overrides it; --strategy-file adds to it.'),
    cpuClasses: z.array(obj({
      cpus: cpuListSchema.describe('The CPUs, kernel cpulist syntax ("0-3,8" or "all").'),
      class: z.enum(CPU_CLASSES).describe('idle; busy (a CFS hog: a kworker waits up to a tick); rt (a SCHED_FIFO spinner: a kworker waits for RT throttling); isolated (nohz_full: each drain work item there is a disturbance).'),
    }, 'a cpuClasses entry').describe('What runs on some CPUs from time 0.')).default([])
      .describe('What runs on each CPU from time 0; every CPU not listed is idle, and a later entry wins.'),
    costs: costsSchema.default({})
      .describe('Overrides of the model\'s time costs, in ns: the default, then a calibration file, then these.'),
    script: z.array(scriptOpSchema).default([]).describe('Timed ops, applied in (atMs, position in the file) order.'),
    workload: workloadSchema.default({ producers: [], pins: [], seals: [], drainAll: [], localDrain: [], cpuClass: [], lifecycles: [] })
      .describe('Random generators over the horizon, each a Poisson process per listed CPU with its own seeded stream.'),
    /** What `drainlab fit-workload` estimated (parameters with intervals, the scaling rule); not read by the simulator. */
    fit: z.looseObject({}).optional().describe('What drainlab fit-workload estimated: each parameter with its estimate, 95% interval and provenance, and the scaling rule (docs/traces.md). Not read by the simulator.'),
    load: loadSchema.optional()
      .describe('What the scenario says about its load over time, and the run\'s self-check of it (docs/scenario-format.md, "Load"). Absent: the run still measures its load and warns when a generated load changes by more than 1.5x, but the record carries the measurement only with a warning.'),
  },
  'the scenario',
);

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioParsed = z.output<typeof scenarioSchema>;
