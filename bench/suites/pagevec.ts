/**
 * Suite "pagevec": the per-CPU pagevec (docs/kernel-model.md A2) through Arena, at the kernel versions'
 * PAGEVEC_SIZE 14 and 31 (C1):
 *   add + drain    write() of 4096 new pages on one CPU: +1 ref, append, drain when full (A2
 *                  fill rule); the rate is pages added
 *   drain          lru_add_drain() (OP4) of a pagevec holding PAGEVEC_SIZE - 1 pages; 256 CPUs'
 *                  pagevecs per sample (one drain is too short to time alone)
 */
import { FreshPages } from '../data.ts';
import { runTasks, type TaskSpec } from '../harness.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';

const ADD_BATCH = 4096;
const DRAIN_CPUS = 256;

export const pagevecSuite: Suite = {
  name: 'pagevec',
  title: 'Pagevec add + drain (A2 fill rule, OP4 lru_add_drain)',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const specs: TaskSpec[] = [];
    for (const pvecSize of [14, 31]) {
      const variant = `PAGEVEC_SIZE ${pvecSize}`;
      const adds = new FreshPages(ctx.sizes.addArenaPages, 1, pvecSize);
      let lo = 0;
      specs.push({
        group: 'add + drain (write of new pages)',
        variant,
        size: pvecSize,
        per: ADD_BATCH,
        unit: 'page',
        beforeEach: () => {
          lo = adds.take(ADD_BATCH);
        },
        fn: () => adds.arena.write(0, 0, lo, lo + ADD_BATCH),
      });
      const held = pvecSize - 1;
      const drains = new FreshPages(DRAIN_CPUS * held * ctx.sizes.drainSamplesPerArena, DRAIN_CPUS, pvecSize);
      specs.push({
        group: 'lru_add_drain() of PAGEVEC_SIZE - 1 pages',
        variant,
        size: pvecSize,
        per: DRAIN_CPUS,
        unit: 'drain',
        beforeEach: () => {
          const first = drains.take(DRAIN_CPUS * held);
          for (let cpu = 0; cpu < DRAIN_CPUS; cpu++) drains.arena.write(cpu, 0, first + cpu * held, first + (cpu + 1) * held);
        },
        fn: () => {
          let n = 0;
          for (let cpu = 0; cpu < DRAIN_CPUS; cpu++) n += drains.arena.drainCpu(cpu);
          return n;
        },
      });
    }
    // The fill rule drains exactly when full, and a drain empties the pagevec.
    const probe = new FreshPages(64, 1, 14);
    probe.arena.write(0, 0, 0, 27);
    const left = probe.arena.pvecCount(0);
    out.checks.push({ suite: this.name, what: 'fill rule', ok: left === 13, detail: `27 adds at PAGEVEC_SIZE 14 leave ${left} pages (expected 13)` });
    const drained = probe.arena.drainCpu(0);
    out.checks.push({ suite: this.name, what: 'drain', ok: drained === 13 && probe.arena.pvecCount(0) === 0, detail: `lru_add_drain() moved ${drained} pages (expected 13) and left ${probe.arena.pvecCount(0)}` });
    out.tasks.push(...(await runTasks(ctx, specs)));
    return out;
  },
};
