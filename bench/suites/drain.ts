/**
 * Suite "drain": the work of one lru_add_drain_all() over C CPUs (1 .. 4096) as the model does it
 * (OP5.4: look at every CPU's pagevec counts, drain the non-empty ones; A2 drain rule):
 *   all CPUs hold pages   every CPU's lru_add pagevec holds 13 pages (PAGEVEC_SIZE 14)
 *   one CPU holds pages   only the last CPU has any: the cost of looking at the others
 * The pagevecs are filled with new pages before each sample (not timed). Below 256 CPUs a sample
 * is 256 / C drain_all calls, each over its own C CPUs of a 256-CPU arena, so that it lasts long
 * enough to time; the rate is drain_all calls.
 */
import { FreshPages } from '../data.ts';
import { fmtCount, runTasks, type TaskSpec } from '../harness.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';

const HELD = 13;
const MIN_CPUS_PER_SAMPLE = 256;

/** OP5.4 as the model runs it over CPUs [first, first + cpus): each count, a drain where non-zero. */
function drainAll(fresh: FreshPages, first: number, cpus: number): number {
  const a = fresh.arena;
  let n = 0;
  for (let cpu = first; cpu < first + cpus; cpu++) if (a.pvecCount(cpu) !== 0) n += a.drainCpu(cpu);
  return n;
}

export const drainSuite: Suite = {
  name: 'drain',
  title: 'lru_add_drain_all() work over C CPUs (OP5.4)',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const specs: TaskSpec[] = [];
    for (const cpus of ctx.sizes.drainCpus) {
      const reps = Math.max(1, Math.floor(MIN_CPUS_PER_SAMPLE / cpus));
      const all = cpus * reps;
      // Room for a number of samples per arena; a new one is made (untimed) when it is used up.
      const fresh = new FreshPages(all * HELD * ctx.sizes.drainSamplesPerArena, all, 14);
      const fillAll = () => {
        const first = fresh.take(all * HELD);
        for (let cpu = 0; cpu < all; cpu++) fresh.arena.write(cpu, 0, first + cpu * HELD, first + (cpu + 1) * HELD);
      };
      const fillLast = () => {
        const first = fresh.take(reps * HELD);
        for (let r = 0; r < reps; r++) fresh.arena.write((r + 1) * cpus - 1, 0, first + r * HELD, first + (r + 1) * HELD);
      };
      const sample = () => {
        let n = 0;
        for (let r = 0; r < reps; r++) n += drainAll(fresh, r * cpus, cpus);
        return n;
      };
      fillAll();
      const drained = sample();
      out.checks.push({ suite: this.name, what: `drain_all ${cpus} CPUs`, ok: drained === all * HELD, detail: `${drained} pages drained (expected ${all * HELD})` });
      const variant = `${fmtCount(cpus)} CPU${cpus > 1 ? 's' : ''}`;
      const common = { variant, size: cpus, per: reps, unit: 'drain_all', fn: sample };
      specs.push({ ...common, group: 'all CPUs hold pages', beforeEach: fillAll });
      specs.push({ ...common, group: 'one CPU holds pages', beforeEach: fillLast });
    }
    out.tasks.push(...(await runTasks(ctx, specs)));
    return out;
  },
};
