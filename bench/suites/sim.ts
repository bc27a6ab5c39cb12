/**
 * Suites "seal" and "sim": the simulator end to end, through runScenario (src/sim/run.ts), which
 * is imported at run time so that the bench works before the simulator exists (the suites are
 * then skipped with a message).
 *   seal  one whole seal (v4.14) of a memfd of 1M pages (quick: 64K) with 10 pages pinned:
 *         arena set-up, the write()s, the seal's tag pass and wait loop, the record
 *   sim   simulated events per second on the "large" preset (or, until there is one, the
 *         preset with the most events), every strategy of the preset; quick mode runs the small
 *         "fuse-selftest" preset instead (a smoke test of the machinery, not a throughput figure)
 */
import type { RunRecord } from '../../src/metrics/record.ts';
import { fmtCount, runTasks } from '../harness.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';

type RunScenario = (scenario: unknown, opts?: { strategies?: string[]; workers?: number }) => Promise<RunRecord>;

interface Simulator {
  runScenario: RunScenario;
  presets: string[];
}

/** The simulator's entry points, or why they cannot be loaded yet. */
async function loadSimulator(): Promise<Simulator | string> {
  const runPath = '../../src/sim/run.ts';
  const presetsPath = '../../src/scenario/presets.ts';
  try {
    const run = (await import(runPath)) as { runScenario?: RunScenario };
    if (typeof run.runScenario !== 'function') return 'src/sim/run.ts has no runScenario export yet';
    let presets: string[] = [];
    try {
      const p = (await import(presetsPath)) as { presetNames?: () => string[] };
      presets = p.presetNames?.() ?? [];
    } catch {
      // No presets module: only the inline seal scenario runs.
    }
    return { runScenario: run.runScenario, presets };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND') return 'the simulator (src/sim/run.ts) is not there yet';
    return `src/sim/run.ts failed to load: ${err.message}`;
  }
}

function empty(s: Suite): SuiteResult {
  return { name: s.name, title: s.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
}

function skip(out: SuiteResult, ctx: SuiteContext, why: string): SuiteResult {
  out.skipped.push(why);
  ctx.log(`  skipped: ${why}`);
  return out;
}

/** A scenario with exactly one seal: CPU 1 writes the whole file, pins 10 pages for 5 ms, CPU 0 seals at 1 ms. */
export function oneSealScenario(pages: number): Record<string, unknown> {
  return {
    name: `bench-one-seal-${fmtCount(pages)}`,
    kernel: '4.14',
    cpus: 4,
    pages,
    seed: 1,
    horizonMs: 50,
    strategies: ['v4.14'],
    script: [
      { atMs: 0, cpu: 1, op: 'write', pages: `0-${pages - 1}` },
      { atMs: 0, cpu: 1, op: 'pin', pages: '100-109', forMs: 5 },
      { atMs: 1, cpu: 0, op: 'seal' },
    ],
  };
}

export const sealSuite: Suite = {
  name: 'seal',
  title: 'One whole seal through the simulator (runScenario)',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out = empty(this);
    const sim = await loadSimulator();
    if (typeof sim === 'string') return skip(out, ctx, sim);
    const pages = ctx.sizes.sealPages;
    const scenario = oneSealScenario(pages);
    let record: RunRecord;
    try {
      record = await sim.runScenario(scenario);
    } catch (e) {
      return skip(out, ctx, `runScenario refused the one-seal scenario: ${(e as Error).message}`);
    }
    const seals = record.runs.reduce((n, r) => n + r.seals.length, 0);
    out.checks.push({ suite: this.name, what: 'one seal', ok: seals === 1, detail: `${seals} seal record(s) (expected 1)` });
    out.tasks.push(
      ...(await runTasks(ctx, [
        { group: 'one seal', variant: `v4.14, ${fmtCount(pages)} pages, 10 pinned`, size: pages, per: 1, unit: 'seal', fn: () => sim.runScenario(scenario) },
      ])),
    );
    return out;
  },
};

export const simSuite: Suite = {
  name: 'sim',
  title: 'Simulation throughput on the large preset (events/s)',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out = empty(this);
    const sim = await loadSimulator();
    if (typeof sim === 'string') return skip(out, ctx, sim);
    if (sim.presets.length === 0) return skip(out, ctx, 'no presets yet (src/scenario/presets.ts)');
    let preset = 'huge-memfd'; // the large preset: 16M pages x 1024 CPUs
    if (ctx.sizes.simPreset === 'smoke') {
      preset = sim.presets.includes('fuse-selftest') ? 'fuse-selftest' : sim.presets[0];
      out.notes.push(`quick mode: the small "${preset}" preset, a smoke test (the throughput figure comes from a full run)`);
    } else if (!sim.presets.includes(preset)) {
      // Without it: the preset with the most simulated events.
      let best = -1;
      for (const p of sim.presets) {
        const events = eventsOf(await sim.runScenario(p));
        if (events > best) [best, preset] = [events, p];
      }
      out.notes.push(`no "huge-memfd" preset: measured "${preset}", the preset with the most events`);
      ctx.log(`  ${out.notes.at(-1)}`);
    }
    const events = eventsOf(await sim.runScenario(preset));
    out.tasks.push(
      ...(await runTasks(ctx, [
        { group: 'preset run', variant: preset, per: events, unit: 'event', fn: () => sim.runScenario(preset) },
      ])),
    );
    return out;
  },
};

/** Simulated events of a record, every strategy together. */
function eventsOf(r: RunRecord): number {
  return r.runs.reduce((n, run) => n + (run.summary.events ?? 0), 0);
}
