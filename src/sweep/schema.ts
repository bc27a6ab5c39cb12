/**
 * The sweep file: a base scenario, a grid of parameters, constraints, replications. Checked with
 * zod; every message names the field and what is allowed (docs/cli.md: exit 2, nothing
 * written). The grid itself is expanded in grid.ts.
 *
 *   {
 *     "name": "cpus-vs-pages",
 *     "base": "fuse-selftest",                        // a preset name, or a scenario object
 *     "params": {
 *       "cpus":  { "from": 2, "to": 64, "step": "x2" },   // 2, 4, 8, 16, 32, 64
 *       "pages": [2, 64, 1024],                           // a list of values
 *       "hz":    { "from": 100, "to": 300, "step": 100 }  // 100, 200, 300 (linear)
 *     },
 *     "constraints": ["pages * files <= 1048576", { "param": "cpus", "op": "<=", "value": 32 }],
 *     "replications": 4,
 *     "strategies": ["v4.14", "no-drain"],
 *     "seed": 1
 *   }
 */
import { z } from 'zod';
import { allowedStrategyNames, isStrategyName, isStrategyPath } from '../scenario/strategy-names.ts';
import { PRESETS, isPreset } from '../scenario/presets.ts';

/** A JSON value a parameter can take (objects and arrays too: e.g. a whole workload generator). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const STEP_HINT = 'a number > 0 (linear: from, from+step, ... <= to) or "xK" with K > 1 (geometric: from, from*K, ... <= to), e.g. "x2"';

export const rangeSchema = z.strictObject(
  {
    from: z.number({ error: 'a number' }).describe('The first value.'),
    to: z.number({ error: 'a number' }).describe('The last value allowed (inclusive).'),
    step: z.union([z.number().positive(), z.string().regex(/^x(\d+(\.\d+)?)$/)], { error: STEP_HINT }).describe(`The step: ${STEP_HINT}.`),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s) ${iss.keys.join(', ')} in a range; allowed: from, to, step` : 'a list of values, or a range { "from", "to", "step" }') },
).describe('A range of numbers: from, then by step, while <= to.');
export type Range = z.infer<typeof rangeSchema>;

export const paramSpecSchema = z.union([
  z.array(jsonValue).min(1, { error: 'a list of at least one value' }).describe('The values, in order (any JSON: numbers, strings, whole objects).'),
  rangeSchema,
], {
  error: 'a list of values, or a range { "from": a, "to": b, "step": "x2" | number }',
}).describe('The values a parameter takes: a list, or a range.');

export const CONSTRAINT_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;

export const constraintSchema = z.union(
  [
    z.string().min(1).describe('An expression over parameter paths and numbers, e.g. "pages * files <= 1048576".'),
    z.strictObject({
      param: z.string().min(1).describe('A parameter path, e.g. "cpus" or "workload.producers[0].ratePerMs".'),
      op: z.enum(CONSTRAINT_OPS, { error: `allowed: ${CONSTRAINT_OPS.join(', ')}` }).describe('The comparison.'),
      value: z.union([z.string(), z.number(), z.boolean(), z.null()]).describe('The value the parameter is compared with.'),
    }).describe('A comparison of one parameter with a value.'),
  ],
  { error: `a constraint: an expression such as "pages * files <= 1048576", or { "param", "op": ${CONSTRAINT_OPS.join(' | ')}, "value" }` },
);
export type Constraint = z.infer<typeof constraintSchema>;

const presetNames = () => Object.keys(PRESETS);

export const sweepSchema = z.strictObject(
  {
    $schema: z.string().optional().describe('Ignored by drainlab: lets an editor find a JSON Schema.'),
    name: z.string({ error: 'a string' }).min(1, { error: 'must not be empty' })
      .describe('The sweep\'s name: the default output directory is out/sweeps/<name>.'),
    description: z.string().optional().describe('Free text.'),
    base: z.union(
      [
        z.string().refine((s) => isPreset(s), { error: (iss) => `unknown preset ${JSON.stringify(iss.input)}; allowed: ${presetNames().join(', ')}, or a scenario object` }),
        z.record(z.string(), z.unknown()),
      ],
      { error: `a preset name (${presetNames().join(', ')}) or a scenario object` },
    ).describe('The scenario every cell starts from: a preset name (drainlab presets) or a scenario object (docs/scenario-format.md).'),
    params: z.record(z.string(), paramSpecSchema).default({})
      .describe('The grid: dotted paths into the scenario (e.g. "cpus", "workload.producers[0].ratePerMs"; "preset" swaps the base) to the values each takes; the points are every combination.'),
    constraints: z.array(constraintSchema).default([]).describe('Grid points that break any constraint are left out.'),
    replications: z.int({ error: 'an integer in 1..1000000' }).min(1, { error: 'allowed: 1..1000000' }).max(1_000_000, { error: 'allowed: 1..1000000' }).default(1)
      .describe('Replications of every point (1 .. 1000000): replication r runs with seed = base seed + r and replication r. Default 1.'),
    strategies: z.array(z.string().refine((n) => isStrategyName(n) || isStrategyPath(n), { error: (iss) => `unknown strategy ${JSON.stringify(iss.input)}; allowed: ${allowedStrategyNames().join(', ')}, or a strategy file by relative path` }).describe('A strategy name, or a strategy file by path relative to the sweep file.')).min(1).optional()
      .describe("The strategies each cell runs. Default: the base scenario's."),
    seed: z.int({ error: 'an integer >= 0' }).min(0, { error: 'an integer >= 0' }).optional()
      .describe("The base seed; replication r adds r. Default: each point's scenario seed."),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field(s) ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} in the sweep; allowed: name, description, base, params, constraints, replications, strategies, seed`
        : undefined,
  },
);

export type SweepInput = z.input<typeof sweepSchema>;
export type SweepParsed = z.output<typeof sweepSchema>;
