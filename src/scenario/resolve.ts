/**
 * From a scenario file (or a preset) to the fully resolved scenario: schema-checked, every default
 * filled in (kernel constants, costs, strategies), every CPU, file and page checked against the
 * machine, and the arena sized. Any problem is a UsageError naming the field and the allowed values.
 */
import { checkJsonDepth, readInputText } from '../io/files.ts';
import { scenarioSchema, type ScenarioParsed } from './schema.ts';
import { scenarioError } from './issues.ts';
import { parseCpuList, parsePages } from './lists.ts';
import { KERNEL_CONSTANTS, MGLRU_KERNELS } from '../kernel/versions.ts';
import { DEFAULT_COSTS, type Costs } from '../kernel/costs.ts';
import { STRATEGY_NAMES } from './strategy-names.ts';
import { checkWork } from './limits.ts';
import { planArena } from '../wasm/layout.ts';
import { ScenarioError, UsageError } from '../errors.ts';

/** A type alias (not an interface) so that it is assignable to the record's Record<string, unknown>. */
export type Scenario = Omit<ScenarioParsed, 'costs' | 'pagevecSize' | 'strategies'> & {
  pagevecSize: number;
  strategies: string[];
  /** Every cost, ns: defaults, then calibration, then the scenario's own overrides. */
  costs: Costs;
};

/** Validates raw JSON and resolves it. `calibration` costs sit between the defaults and the scenario's. */
export function resolveScenario(raw: unknown, source = '(inline)', calibration: Partial<Costs> = {}): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw scenarioError(parsed.error.issues, 'scenario', source);
  const s = parsed.data;
  const k = KERNEL_CONSTANTS[s.kernel];
  const costs: Costs = { ...DEFAULT_COSTS, ...calibration, ...stripUndefined(s.costs) };
  if (costs.kworkerBusyMaxNs === 0) costs.kworkerBusyMaxNs = 1e9 / s.hz; // "busy: within one tick"
  const scenario: Scenario = {
    ...s,
    pagevecSize: s.pagevecSize ?? k.pagevecSize,
    strategies: s.strategies ?? [...STRATEGY_NAMES],
    costs,
  };
  checkRanges(scenario);
  checkWork(scenario, source);
  planArena(scenario.files, scenario.pages, scenario.cpus, scenario.pagevecSize); // refuses what cannot fit
  return scenario;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkRanges(s: Scenario): void {
  if (s.mglru && !MGLRU_KERNELS.includes(s.kernel)) {
    throw new UsageError(`mglru: true needs a kernel with the multi-gen LRU; allowed kernels: ${MGLRU_KERNELS.join(', ')} (got ${s.kernel})`);
  }
  const cpu = (field: string, c: number) => {
    if (c >= s.cpus) throw new UsageError(`${field}: got ${c}; allowed: 0..${s.cpus - 1} (the scenario has ${s.cpus} CPUs)`);
  };
  const file = (field: string, f: number) => {
    if (f >= s.files) throw new UsageError(`${field}: got ${f}; allowed: 0..${s.files - 1} (the scenario has ${s.files} files)`);
  };
  s.cpuClasses.forEach((c, i) => parseCpuList(`cpuClasses[${i}].cpus`, c.cpus, s.cpus));
  s.script.forEach((o, i) => {
    cpu(`script[${i}].cpu`, o.cpu);
    if ('file' in o) file(`script[${i}].file`, o.file);
    if ('pages' in o) parsePages(`script[${i}].pages`, o.pages, s.pages);
    if (o.atMs > s.horizonMs) throw new UsageError(`script[${i}].atMs: got ${o.atMs}; allowed: 0..${s.horizonMs} (horizonMs)`);
  });
  s.workload.lifecycles.forEach((g, i) => {
    const at = `workload.lifecycles[${i}]`;
    parseCpuList(`${at}.sealCpus`, g.sealCpus, s.cpus);
    parseCpuList(`${at}.writerCpus`, g.writerCpus, s.cpus);
    parseCpuList(`${at}.files`, g.files, s.files);
    if (g.writePages > s.pages) throw new UsageError(`${at}.writePages: got ${g.writePages}; allowed: 1..${s.pages} (pages)`);
    if (g.pinPages > g.writePages) throw new UsageError(`${at}.pinPages: got ${g.pinPages}; allowed: 0..${g.writePages} (writePages)`);
    if (g.pinPages > 0 && !g.pinDuration) throw new UsageError(`${at}.pinDuration: required when pinPages > 0`);
  });
  for (const [kind, gens] of Object.entries(s.workload)) {
    if (kind === 'lifecycles') continue;
    gens.forEach((g, i) => {
      const at = `workload.${kind}[${i}]`;
      parseCpuList(`${at}.cpus`, (g as { cpus: string }).cpus, s.cpus);
      const gen = g as { file?: number; pages?: number | string | number[] };
      if (gen.file !== undefined) file(`${at}.file`, gen.file);
      if (gen.pages !== undefined) parsePages(`${at}.pages`, gen.pages, s.pages);
    });
  }
}

/** Reads a scenario file; an unreadable or non-JSON file is a UsageError. */
export function loadScenarioFile(path: string, calibration?: Partial<Costs>, flag = '--scenario'): Scenario {
  const text = readInputText(path, flag);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = `not JSON (${(e as Error).message})`;
    throw new ScenarioError(`invalid scenario ${path}: ${message}`, path, [{ path: '(top level)', message }]);
  }
  checkJsonDepth(raw, `${flag} ${path}`);
  return resolveScenario(raw, path, calibration);
}
