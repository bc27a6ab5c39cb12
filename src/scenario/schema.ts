/**
 * The scenario file (CONTRACT section 1) as a zod schema: the single source of the format, of the
 * defaults, of the error messages (each names the field and the allowed values) and of the
 * exported JSON Schema (schema/scenario.schema.json, `npm run schema`).
 */
import { z } from 'zod';
import { KERNELS, HZ_VALUES } from '../kernel/versions.ts';
import { COST_NAMES } from '../kernel/costs.ts';
import { STRATEGY_NAMES } from './strategy-names.ts';

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

const nonNegInt = (what: string) => z.int({ error: `${what} must be an integer >= 0` }).min(0, { error: `${what} must be >= 0` });
const ms = z.number({ error: 'a time in milliseconds (number >= 0)' }).min(0, { error: 'a time in milliseconds must be >= 0' });
const posMs = z.number({ error: 'a duration in milliseconds (number > 0)' }).positive({ error: 'a duration in milliseconds must be > 0' });
/** CPU list in the kernel's syntax, e.g. "0-3,8,10-11" (checked against `cpus` when resolved). */
export const cpuListSchema = z.string({ error: 'a CPU list such as "0-3,8" (kernel cpulist syntax)' });
/** Pages: "a-b" (inclusive), a page index, a list of indices, or "all". */
export const pageSpecSchema = z.union([z.int().min(0), z.string(), z.array(z.int().min(0))], {
  error: 'pages: "a-b", a page index, a list of page indices, or "all"',
});

const at = { atMs: ms, cpu: nonNegInt('cpu').default(0) };
const pagesOp = { ...at, file: nonNegInt('file').default(0), pages: pageSpecSchema };

const op = <K extends string, T extends z.ZodRawShape>(name: K, shape: T) =>
  obj({ op: z.literal(name), ...shape }, `a "${name}" op`);

export const OPS = [
  'write', 'fault', 'unmap', 'mmapShared', 'munmapShared', 'pin', 'unpin', 'read', 'drain', 'drainAll',
  'seal', 'signal', 'cpuClass', 'cpuhpSetup', 'spliceDevtmpfs',
] as const;

export const scriptOpSchema = z.discriminatedUnion(
  'op',
  [
    op('write', { ...pagesOp, compound: z.boolean().default(false) }),
    op('fault', { ...pagesOp, compound: z.boolean().default(false) }),
    op('unmap', pagesOp),
    op('mmapShared', { ...at, file: nonNegInt('file').default(0) }),
    op('munmapShared', { ...at, file: nonNegInt('file').default(0) }),
    op('pin', { ...pagesOp, forMs: posMs.optional(), compound: z.boolean().default(false) }),
    op('unpin', pagesOp),
    op('read', pagesOp),
    op('drain', at),
    op('drainAll', at),
    op('seal', { ...at, file: nonNegInt('file').default(0), sealSeal: z.boolean().default(false) }),
    op('signal', at),
    op('cpuClass', { ...at, class: z.enum(CPU_CLASSES), forMs: posMs.optional() }),
    op('cpuhpSetup', at),
    op('spliceDevtmpfs', at),
  ],
  { error: () => `unknown op; allowed: ${OPS.join(', ')}` },
);
export type ScriptOp = z.infer<typeof scriptOpSchema>;

const rate = z.number({ error: 'a rate in events per millisecond per CPU (number > 0)' }).positive({ error: 'ratePerMs must be > 0' });
const window = { startMs: ms.default(0), endMs: ms.optional() };

export const durationSchema = z.discriminatedUnion(
  'dist',
  [
    obj({ dist: z.literal('fixed'), ms: posMs }, 'a fixed duration'),
    obj({ dist: z.literal('exponential'), meanMs: posMs }, 'an exponential duration'),
    obj({ dist: z.literal('uniform'), minMs: ms, maxMs: posMs }, 'a uniform duration'),
    obj({ dist: z.literal('lognormal'), medianMs: posMs, sigma: z.number().positive() }, 'a lognormal duration'),
  ],
  { error: () => 'duration.dist: allowed: fixed, exponential, uniform, lognormal' },
);
export type Duration = z.infer<typeof durationSchema>;

/** Stochastic generators (docs/scenarios.md documents each). Rates are per listed CPU. */
export const workloadSchema = obj(
  {
    producers: z.array(obj({
      cpus: cpuListSchema, ratePerMs: rate, op: z.enum(['write', 'fault', 'read']).default('write'),
      file: nonNegInt('file').default(0), pages: pageSpecSchema.default('all'), batch: z.int().min(1).default(1),
      pick: z.enum(['sequential', 'random']).default('sequential'), ...window,
    }, 'a producer')).default([]),
    pins: z.array(obj({
      cpus: cpuListSchema, ratePerMs: rate, file: nonNegInt('file').default(0), pages: pageSpecSchema.default('all'),
      batch: z.int().min(1).default(1), duration: durationSchema, ...window,
    }, 'a pin generator')).default([]),
    seals: z.array(obj({ cpus: cpuListSchema, ratePerMs: rate, file: nonNegInt('file').default(0), ...window }, 'a seal generator')).default([]),
    drainAll: z.array(obj({ cpus: cpuListSchema, ratePerMs: rate, ...window }, 'a drainAll generator')).default([]),
    localDrain: z.array(obj({ cpus: cpuListSchema, ratePerMs: rate, ...window }, 'a localDrain generator')).default([]),
    cpuClass: z.array(obj({
      cpus: cpuListSchema, ratePerMs: rate, class: z.enum(CPU_CLASSES), forMs: posMs, ...window,
    }, 'a cpuClass generator')).default([]),
    lifecycles: z.array(obj({
      sealCpus: cpuListSchema.default('0'), writerCpus: cpuListSchema.default('all'), ratePerMs: rate,
      files: z.string({ error: 'files: a list of file indices in cpulist syntax, e.g. "1-40"' }),
      writePages: z.int().min(1).default(8), pinPages: z.int().min(0).default(0),
      pinDuration: durationSchema.optional(), delayMs: ms.default(1), ...window,
    }, 'a lifecycles generator')).default([]),
  },
  'workload',
);
export type Workload = z.infer<typeof workloadSchema>;

/** The largest cost a scenario or calibration file may give, ns (1000 s: far beyond any kernel path, small enough to stay exact). */
export const MAX_COST_NS = 1e12;
const costsShape = Object.fromEntries(
  COST_NAMES.map((k) => [
    k,
    k === 'kworkerBusyPreemptProb'
      ? z.number({ error: `costs.${k}: a probability (number in 0..1)` }).min(0, { error: `costs.${k}: allowed 0..1` }).max(1, { error: `costs.${k}: allowed 0..1` }).optional()
      : z.number({ error: `costs.${k}: a time in nanoseconds (number >= 0)` }).min(0, { error: `costs.${k}: allowed 0..${MAX_COST_NS} ns` }).max(MAX_COST_NS, { error: `costs.${k}: allowed 0..${MAX_COST_NS} ns` }).optional(),
  ]),
) as Record<(typeof COST_NAMES)[number], z.ZodOptional<z.ZodNumber>>;

/** The costs object of a scenario and of a calibration file: one schema for both (unknown names refused). */
export const costsSchema = obj(costsShape, 'costs');

export const scenarioSchema = obj(
  {
    $schema: z.string().optional(),
    name: z.string().default('scenario'),
    description: z.string().default(''),
    kernel: z.enum(KERNELS).default('4.14'),
    hz: z.union(HZ_VALUES.map((h) => z.literal(h)), { error: `hz: allowed: ${HZ_VALUES.join(', ')}` }).default(250),
    cpus: z.int({ error: 'cpus: an integer in 1..8192' }).min(1, { error: 'cpus: allowed 1..8192' }).max(8192, { error: 'cpus: allowed 1..8192' }).default(4),
    files: z.int({ error: 'files: an integer >= 1' }).min(1, { error: 'files: must be >= 1' }).default(1),
    pages: z.int({ error: 'pages: an integer >= 1' }).min(1, { error: 'pages: must be >= 1' }).default(64),
    pagevecSize: z.int().min(1, { error: 'pagevecSize: allowed 1..31' }).max(31, { error: 'pagevecSize: allowed 1..31' }).optional(),
    seed: z.int({ error: 'seed: an integer' }).min(0).default(1),
    replication: z.int().min(0).default(0),
    horizonMs: posMs.default(3000),
    strategies: z.array(z.enum(STRATEGY_NAMES)).min(1).optional(),
    cpuClasses: z.array(obj({ cpus: cpuListSchema, class: z.enum(CPU_CLASSES) }, 'a cpuClasses entry')).default([]),
    costs: costsSchema.default({}),
    script: z.array(scriptOpSchema).default([]),
    workload: workloadSchema.default({ producers: [], pins: [], seals: [], drainAll: [], localDrain: [], cpuClass: [], lifecycles: [] }),
  },
  'the scenario',
);

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioParsed = z.output<typeof scenarioSchema>;
