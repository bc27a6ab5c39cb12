/**
 * From a scenario file (or a preset) to the fully resolved scenario: schema-checked, every default
 * filled in (kernel constants, costs, strategies), every CPU, file and page checked against the
 * machine, and the arena sized. Any problem is a UsageError naming the field and the allowed values.
 */
import { checkJsonDepth, readInputText } from '../io/files.ts';
import { dirname } from 'node:path';
import { scenarioSchema, type ScenarioParsed } from './schema.ts';
import { scenarioError } from './issues.ts';
import { parseCpuList, parsePages } from './lists.ts';
import { KERNEL_CONSTANTS, MGLRU_KERNELS } from '../kernel/versions.ts';
import { DEFAULT_COSTS, type Costs } from '../kernel/costs.ts';
import { STRATEGY_NAMES, isStrategyName, isStrategyPath } from './strategy-names.ts';
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
  s.strategies?.forEach((n, i) => {
    if (isStrategyPath(n) && !isStrategyName(n)) {
      throw new UsageError(`strategies[${i}]: ${JSON.stringify(n)} names a strategy file; such entries are loaded relative to the scenario file when it is read from a file (--scenario FILE); here, load it with --strategy-file and name the strategy`);
    }
  });
  const scenario: Scenario = {
    ...s,
    pagevecSize: s.pagevecSize ?? k.pagevecSize,
    strategies: s.strategies ?? [...STRATEGY_NAMES],
    costs,
  };
  checkRanges(scenario);
  checkReplay(scenario);
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
  s.workload.producers.forEach((g, i) => {
    if (g.rotate) checkRotating(s, i);
  });
  for (const [kind, gens] of Object.entries(s.workload)) {
    if (kind === 'lifecycles' || kind === 'replay' || !Array.isArray(gens)) continue;
    gens.forEach((g: object, i: number) => {
      const at = `workload.${kind}[${i}]`;
      parseCpuList(`${at}.cpus`, (g as { cpus: string }).cpus, s.cpus);
      const gen = g as { file?: number; pages?: number | string | number[] };
      if (gen.file !== undefined) file(`${at}.file`, gen.file);
      if (gen.pages !== undefined) parsePages(`${at}.pages`, gen.pages, s.pages);
    });
  }
}

/** A replay's CPUs are recorded CPUs (the scaling rule maps them onto the scenario's). */
function checkReplay(s: Scenario): void {
  const r = s.workload.replay;
  if (!r) return;
  const rec = (field: string, c: number) => {
    if (c >= r.recordedCpus) throw new UsageError(`${field}: got ${c}; allowed: 0..${r.recordedCpus - 1} (replay.recordedCpus)`);
  };
  if (r.pages.length > r.recordedCpus) throw new UsageError(`workload.replay.pages: ${r.pages.length} streams; allowed: at most ${r.recordedCpus} (replay.recordedCpus)`);
  r.drainAll.forEach((d, i) => rec(`workload.replay.drainAll[${i}].cpu`, d.cpu));
  r.seals.forEach((d, i) => {
    rec(`workload.replay.seals[${i}].cpu`, d.cpu);
    d.remoteCpus.forEach((c, k) => rec(`workload.replay.seals[${i}].remoteCpus[${k}]`, c));
    if (d.remoteCpus.length > s.pages) throw new UsageError(`workload.replay.seals[${i}].remoteCpus: ${d.remoteCpus.length} CPUs; allowed: at most ${s.pages} (pages: one page on each)`);
  });
}

/**
 * A rotating producer truncates pages of its file behind it (assembly/pagevec.ts opTruncate): fine
 * for a log that is only written and read, wrong for a file whose pages something else pins, maps
 * or seals (the truncated page's references would land on the fresh page in its slot).
 */
function checkRotating(s: Scenario, i: number): void {
  const at = `workload.producers[${i}].rotate`;
  const g = s.workload.producers[i];
  if (g.op !== 'write') throw new UsageError(`${at}: allowed only with op "write" (got op ${JSON.stringify(g.op)}): a rotating file is a log, written and read`);
  const f = g.file;
  const refuse = (what: string) => {
    throw new UsageError(`${at}: file ${f} rotates (its pages are truncated behind the writer), so ${what} may not use it; give the rotating log its own file`);
  };
  s.workload.producers.forEach((p, j) => {
    if (p.file === f && p.op === 'fault') refuse(`workload.producers[${j}] (op "fault" maps its pages)`);
  });
  s.workload.pins.forEach((p, j) => p.file === f && refuse(`workload.pins[${j}]`));
  s.workload.seals.forEach((p, j) => p.file === f && refuse(`workload.seals[${j}]`));
  s.workload.lifecycles.forEach((p, j) => parseCpuList(`workload.lifecycles[${j}].files`, p.files, s.files).includes(f) && refuse(`workload.lifecycles[${j}]`));
  s.script.forEach((o, j) => 'file' in o && o.file === f && refuse(`script[${j}]`));
}

/**
 * Reads a scenario file; an unreadable or non-JSON file is a UsageError. `strategyFile` turns an
 * entry of `strategies` that names a strategy file (relative to the scenario file) into the name
 * of the strategy it defines (the CLI passes the strategy loader).
 */
export function loadScenarioFile(path: string, calibration?: Partial<Costs>, strategyFile?: (entry: string, baseDir: string) => string, flag = '--scenario'): Scenario {
  const text = readInputText(path, flag);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = `not JSON (${(e as Error).message})`;
    throw new ScenarioError(`invalid scenario ${path}: ${message}`, path, [{ path: '(top level)', message }]);
  }
  checkJsonDepth(raw, `${flag} ${path}`);
  const list = (raw as { strategies?: unknown } | null)?.strategies;
  if (strategyFile && Array.isArray(list)) {
    (raw as { strategies: unknown[] }).strategies = list.map((e) => (typeof e === 'string' && isStrategyPath(e) ? strategyFile(e, dirname(path)) : e));
  }
  return resolveScenario(raw, path, calibration);
}
