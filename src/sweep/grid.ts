/**
 * From a sweep file to its cells. A cell is one grid point (one value per parameter, after the
 * constraints) and one replication; replication r runs with seed = base seed + r and
 * `replication: r` for every strategy and every point (common random numbers), so the
 * strategies of a cell, and the points of a replication, share their random streams.
 *
 * Points are enumerated lazily, in a fixed order (the first parameter varies slowest, like
 * nested loops in file order; replications innermost), so a sweep of any size is walked in
 * constant memory and the same order on every run.
 */
import { readJsonInput } from '../io/files.ts';
import { CELLS_ENV, GRID_ENV, MAX_PATH_INDEX, MAX_VALUES_PER_PARAM, maxGridPoints, maxSweepCells } from './limits.ts';
import { dirname } from 'node:path';
import { scenarioError } from '../scenario/issues.ts';
import { ScenarioError, UsageError } from '../errors.ts';
import { PRESETS, isPreset } from '../scenario/presets.ts';
import { resolveScenario, type Scenario } from '../scenario/resolve.ts';
import { scenarioSchema } from '../scenario/schema.ts';
import type { ParamValue } from '../metrics/cells.ts';
import { canonicalJson, cellIdOf, pointIdOf, sha256 } from './canonical.ts';
import { evalExpr, ExprError, parseExpr, type Expr, type Value } from './expr.ts';
import { STEP_HINT, sweepSchema, type Constraint, type JsonValue, type Range } from './schema.ts';
import pkg from '../../package.json' with { type: 'json' };

/** The lab version that goes into every cell id and sweep config. */
export const LAB_VERSION: string = pkg.version;

/** A sweep with every list expanded and every default filled: what sweep.json holds and the config hash covers. */
export interface ResolvedSweep {
  schema: 'drainlab/sweep@1';
  name: string;
  description: string;
  /** A preset name or a scenario object, as given. */
  base: string | Record<string, unknown>;
  /** The scenario input of every preset the sweep uses, as shipped, so a changed preset changes the config hash. */
  presets: Record<string, unknown>;
  /** Parameters in file order, each with its expanded values. */
  params: { path: string; values: JsonValue[] }[];
  constraints: Constraint[];
  replications: number;
  /** Strategies every cell runs; null: the base scenario's own (all strategies by default). */
  strategies: string[] | null;
  /** Base seed; null: each point's scenario seed. */
  seed: number | null;
  /** Grid points before and after the constraints, and cells (points x replications). */
  gridPoints: number;
  points: number;
  cells: number;
  /** Set for a sensitivity design (sweep/sensitivity.ts): the factors and the design's sizes. */
  design?: JsonValue;
}

/** One cell, ready to run. */
export interface CellSpec {
  cellId: string;
  pointId: string;
  /** Index of the grid point in enumeration order (before constraints). */
  pointIndex: number;
  /** Index of the cell among the sweep's cells (after constraints), in enumeration order: what sharding deals out. */
  ordinal: number;
  params: Record<string, ParamValue>;
  replication: number;
  scenario: Scenario;
}

export { MAX_VALUES_PER_PARAM } from './limits.ts';

const SCENARIO_FIELDS = Object.keys(scenarioSchema.shape);
/** Scenario defaults, for constraints that name a field neither the base nor a parameter sets. */
const DEFAULTS = scenarioSchema.parse({}) as unknown as Record<string, unknown>;

type Seg = string | number;

/** `workload.producers[0].ratePerMs` -> ['workload', 'producers', 0, 'ratePerMs']. */
export function parsePath(path: string, field: string): Seg[] {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(path)) {
    throw new UsageError(`${field}: ${JSON.stringify(path)} is not a dotted path; write e.g. cpus, workload.producers[0].ratePerMs, cpuClasses[0].class`);
  }
  const segs: Seg[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) {
    if (m[1] !== undefined) segs.push(m[1]);
    else {
      const i = Number(m[2]);
      if (!(i <= MAX_PATH_INDEX)) throw new UsageError(`${field}: ${JSON.stringify(path)}: list index ${m[2]}; allowed: 0..${MAX_PATH_INDEX}`);
      segs.push(i);
    }
  }
  if (segs.some((x) => typeof x === 'string' && x in Object.prototype)) throw new UsageError(`${field}: ${JSON.stringify(path)}: inherited names (__proto__, constructor, toString ...) are not scenario fields`);
  const top = segs[0] as string;
  if (top !== 'preset' && !SCENARIO_FIELDS.includes(top)) {
    throw new UsageError(`${field}: unknown scenario field ${JSON.stringify(top)}; allowed: preset, ${SCENARIO_FIELDS.filter((f) => f !== '$schema').join(', ')} (then .field or [index] into them)`);
  }
  if (top === 'preset' && segs.length > 1) throw new UsageError(`${field}: "preset" takes preset names and has no sub-fields`);
  return segs;
}

function getPath(o: unknown, segs: readonly Seg[]): unknown {
  let cur = o;
  for (const s of segs) {
    // Own properties only: a path must never reach a prototype (constructor, __proto__ ...).
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** Sets a value at a path, creating missing objects and arrays on the way (the scenario schema then judges the result). */
function setPath(o: Record<string, unknown>, segs: readonly Seg[], value: unknown, field: string): void {
  let cur: Record<string | number, unknown> = o;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    let next = cur[s];
    if (next === undefined || next === null) {
      next = typeof segs[i + 1] === 'number' ? [] : {};
      cur[s] = next;
    }
    if (typeof next !== 'object') throw new UsageError(`${field}: cannot set a field inside ${JSON.stringify(next)} (at ${segs.slice(0, i + 1).join('.')})`);
    cur = next as Record<string | number, unknown>;
  }
  cur[segs[segs.length - 1]!] = value;
}

const round = (v: number) => Number(v.toPrecision(12));

/** Expands a range: linear (`step` a number) or geometric (`step` "xK"). */
export function expandRange(r: Range, field: string): number[] {
  if (r.to < r.from) throw new UsageError(`${field}: from ${r.from} is above to ${r.to}; allowed: from <= to`);
  const out: number[] = [];
  if (typeof r.step === 'number') {
    const n = Math.floor((r.to - r.from) / r.step + 1e-9) + 1;
    if (n > MAX_VALUES_PER_PARAM) throw new UsageError(`${field}: ${n} values; allowed: at most ${MAX_VALUES_PER_PARAM} per parameter`);
    for (let i = 0; i < n; i++) out.push(round(r.from + i * r.step));
    return out;
  }
  const k = Number(r.step.slice(1));
  if (!(k > 1)) throw new UsageError(`${field}.step: got ${JSON.stringify(r.step)}; allowed: ${STEP_HINT}`);
  if (!(r.from > 0)) throw new UsageError(`${field}.from: got ${r.from}; a geometric range ("${r.step}") needs from > 0`);
  for (let v = r.from; v <= r.to * (1 + 1e-12); v *= k) {
    out.push(round(v));
    if (out.length > MAX_VALUES_PER_PARAM) throw new UsageError(`${field}: more than ${MAX_VALUES_PER_PARAM} values per parameter`);
  }
  return out;
}

/** A compiled sweep: the resolved config plus what enumerating it needs. */
export class Sweep {
  readonly config: ResolvedSweep;
  readonly configHash: string;
  private readonly paths: Seg[][];
  private readonly checks: { expr: Expr; field: string }[];

  private constructor(config: ResolvedSweep, paths: Seg[][], checks: { expr: Expr; field: string }[]) {
    this.config = config;
    this.paths = paths;
    this.checks = checks;
    this.configHash = sha256(canonicalJson(config));
  }

  /** Validates and expands a sweep file's JSON. Throws UsageError naming the field. */
  static fromJson(raw: unknown, source = '(inline)'): Sweep {
    const parsed = sweepSchema.safeParse(raw);
    if (!parsed.success) throw scenarioError(parsed.error.issues, 'sweep', source);
    const s = parsed.data;
    const params: ResolvedSweep['params'] = [];
    const paths: Seg[][] = [];
    for (const [path, spec] of Object.entries(s.params)) {
      const field = `params.${path}`;
      paths.push(parsePath(path, field));
      const values = Array.isArray(spec) ? spec : expandRange(spec, field);
      if (path === 'preset') {
        for (const v of values) if (!isPreset(v)) throw new UsageError(`${field}: unknown preset ${JSON.stringify(v)}; allowed: ${Object.keys(PRESETS).join(', ')}`);
      }
      params.push({ path, values });
    }
    const checks = s.constraints.map((c, i) => {
      const field = `constraints[${i}]`;
      if (typeof c !== 'string') {
        parsePath(c.param, `${field}.param`);
        return { expr: { t: 'bin', op: c.op, a: { t: 'name', name: c.param }, b: { t: 'lit', v: c.value } } as Expr, field };
      }
      try {
        return { expr: parseExpr(c), field };
      } catch (e) {
        if (e instanceof ExprError) throw new UsageError(`${field}: ${c.length > 120 ? `${JSON.stringify(c.slice(0, 120))}...` : JSON.stringify(c)}: ${e.message}`);
        throw e;
      }
    });
    const presetNames = new Set<string>();
    if (typeof s.base === 'string') presetNames.add(s.base);
    for (const p of params) if (p.path === 'preset') for (const v of p.values) presetNames.add(v as string);
    const gridPoints = params.reduce((n, p) => n * p.values.length, 1);
    const maxPoints = maxGridPoints();
    if (gridPoints > maxPoints) throw new UsageError(`params: ${gridPoints} grid points; the limit is ${maxPoints} (each point is visited to apply the constraints; raise it deliberately with ${GRID_ENV}=N)`);
    const config: ResolvedSweep = {
      schema: 'drainlab/sweep@1',
      name: s.name,
      description: s.description ?? '',
      base: s.base as ResolvedSweep['base'],
      presets: Object.fromEntries([...presetNames].sort().map((n) => [n, PRESETS[n]!.scenario])),
      params,
      constraints: s.constraints,
      replications: s.replications,
      strategies: s.strategies ?? null,
      seed: s.seed ?? null,
      gridPoints,
      points: 0,
      cells: 0,
    };
    const sweep = new Sweep(config, paths, checks);
    // Count the points that pass the constraints (and check every constraint on every point).
    let points = 0;
    for (const _ of sweep.points(false)) points++;
    const maxCells = maxSweepCells();
    if (points * s.replications > maxCells) {
      throw new UsageError(`the sweep has ${points} points x ${s.replications} replications = ${points * s.replications} cells; the limit is ${maxCells} (raise it deliberately with ${CELLS_ENV}=N)`);
    }
    const full: ResolvedSweep = { ...config, points, cells: points * s.replications };
    return new Sweep(full, paths, checks);
  }

  /** The base scenario input of a point (before its parameters are applied). */
  private baseFor(combo: JsonValue[]): Record<string, unknown> {
    const pi = this.config.params.findIndex((p) => p.path === 'preset');
    const base = pi >= 0 ? (combo[pi] as string) : this.config.base;
    return structuredClone(typeof base === 'string' ? (PRESETS[base]!.scenario as Record<string, unknown>) : base);
  }

  /** Grid points that pass the constraints, in enumeration order, with their scenario input. */
  *points(withInput = true): Generator<{ index: number; params: Record<string, ParamValue>; input: Record<string, unknown> }> {
    const ps = this.config.params;
    const n = this.config.gridPoints;
    const combo: JsonValue[] = new Array(ps.length);
    for (let index = 0; index < n; index++) {
      let rest = index;
      for (let j = ps.length - 1; j >= 0; j--) {
        const len = ps[j]!.values.length;
        combo[j] = ps[j]!.values[rest % len]!;
        rest = Math.floor(rest / len);
      }
      const params: Record<string, ParamValue> = {};
      ps.forEach((p, j) => {
        params[p.path] = combo[j] as ParamValue;
      });
      // The scenario input is built only when a constraint looks past the parameters, or for the caller.
      let input: Record<string, unknown> | undefined;
      const build = () => {
        if (input) return input;
        const inp = this.baseFor(combo);
        ps.forEach((p, j) => {
          if (p.path !== 'preset') setPath(inp, this.paths[j]!, structuredClone(combo[j]), `params.${p.path}`);
        });
        return (input = inp);
      };
      if (this.checks.every((c) => this.holds(c, params, build))) yield { index, params, input: withInput ? build() : (undefined as unknown as Record<string, unknown>) };
    }
  }

  private holds(c: { expr: Expr; field: string }, params: Record<string, ParamValue>, input: () => Record<string, unknown>): boolean {
    const lookup = (name: string): Value => {
      let v: unknown = Object.hasOwn(params, name) ? params[name] : undefined;
      if (v === undefined) {
        const segs = parsePath(name, c.field);
        v = segs[0] === 'preset' ? (typeof this.config.base === 'string' ? this.config.base : null) : getPath(input(), segs);
        if (v === undefined) v = getPath(DEFAULTS, segs);
      }
      if (v === undefined) throw new ExprError(`unknown name ${JSON.stringify(name)} (neither a parameter nor a field of the scenario)`);
      if (v !== null && typeof v === 'object') throw new ExprError(`${name} is an object or a list; constraints compare numbers, strings and booleans`);
      return v as Value;
    };
    try {
      const r = evalExpr(c.expr, lookup);
      if (typeof r !== 'boolean') throw new ExprError(`must be true or false, got ${JSON.stringify(r)}`);
      return r;
    } catch (e) {
      if (e instanceof ExprError) throw new UsageError(`${c.field}: ${e.message} (at ${JSON.stringify(params)})`);
      throw e;
    }
  }

  /**
   * Every cell of the sweep, resolved, with its ids. A point whose scenario does not resolve is a
   * UsageError naming the point (a constraint can leave it out).
   */
  *cells(): Generator<CellSpec> {
    const { replications } = this.config;
    let ordinal = 0;
    for (const p of this.points()) {
      if (this.config.strategies) p.input.strategies = [...this.config.strategies];
      const where = Object.keys(p.params).length ? `the cell ${JSON.stringify(p.params)}` : 'the base scenario';
      let s: Scenario;
      try {
        s = resolveScenario(p.input, `(sweep ${this.config.name}, ${where})`);
      } catch (e) {
        if (e instanceof UsageError && !(e instanceof ScenarioError)) throw new UsageError(`${where}: ${e.message}`);
        throw e;
      }
      const seed0 = this.config.seed ?? s.seed;
      const point: Scenario = { ...s, seed: seed0, replication: 0 };
      const pointId = pointIdOf(point, LAB_VERSION);
      for (let r = 0; r < replications; r++) {
        const scenario: Scenario = { ...s, seed: seed0 + r, replication: r };
        yield { cellId: cellIdOf(scenario, r, LAB_VERSION), pointId, pointIndex: p.index, ordinal: ordinal++, params: p.params, replication: r, scenario };
      }
    }
  }
}

/**
 * Reads and compiles a sweep file; an unreadable or non-JSON file is a UsageError. `edit` may
 * change the parsed JSON first (the CLI loads strategy files the sweep names, relative to it).
 */
export function loadSweepFile(path: string, edit?: (raw: unknown, baseDir: string) => void): Sweep {
  const raw = readJsonInput(path, '--file');
  edit?.(raw, dirname(path));
  return Sweep.fromJson(raw, path);
}
