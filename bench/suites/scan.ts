/**
 * Suite "scan": the seal path's two per-page passes on one file of 64K / 1M / 16M pages (quick:
 * 64K, 256K), ~1 % of the pages pinned (bench/data.ts). Variants, all on the same pages:
 *   WASM SIMD, WASM scalar   Arena.tagPass / Arena.recheck (assembly/scan.ts)
 *   TS reference             ReferenceModel.tagPass / recheck (src/reference/model.ts)
 *   C -O2/-O3 plain, SSE2    bench/native/scan.c in a child process (skipped without cc)
 * Every tag-pass sample starts from an untagged file (as a seal's does; the reset is not timed).
 * The re-checks run with nothing released (the steady state of a wait loop whose pins are held),
 * so every sample does the same work.
 */
import { arenaFor, population, referenceFor, DEFAULT_SEED } from '../data.ts';
import { buildNative, runNative, type NativeVariant } from '../native.ts';
import { fmtCount, fmtMs, latencyOf, runTasks, speedup, taskResult } from '../harness.ts';
import type { Check, Ratio, Suite, SuiteContext, SuiteResult, TaskResult } from '../types.ts';

/**
 * bench/README.md targets: at 1M pages against the TS reference and gcc -O3; and the SIMD tag
 * pass against the same loop in SSE2 intrinsics (gcc -O3) on files up to 256K pages (64K and
 * 256K, the sizes issue 19 names: there the pass is compute-bound, not memory-bound).
 */
export const SCAN_TARGETS = { vsReference: 5, vsGccO3: 0.9, atPages: 1 << 20, vsSse2: 0.85, sse2UpToPages: 1 << 18 };

export const scanSuite: Suite = {
  name: 'scan',
  title: 'Tag pass (OP3.2) and re-check (OP2.2c), ~1 % of pages pinned',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const nativeBuild = buildNative();
    if (nativeBuild.skipped) {
      out.skipped.push(nativeBuild.skipped);
      ctx.log(`  skipped: ${nativeBuild.skipped}`);
    }
    for (const pages of ctx.sizes.scanPages) {
      const size = fmtCount(pages);
      ctx.log(` ${size} pages: building the population (WASM arena and TS reference model)`);
      const pop = population(pages, DEFAULT_SEED);
      const arena = arenaFor(pop);
      const ref = referenceFor(pop);
      // Every count must be the population's pinned pages; a repeated check is kept only if it fails.
      const record = (c: Check, again = false) => {
        if (!again || !c.ok) out.checks.push(c);
      };
      const check = (what: string, got: number, again = false) =>
        record({ suite: this.name, what: `${what} ${size}`, ok: got === pop.pinned, detail: `${got} (expected ${pop.pinned})` }, again);
      arena.resetTags(0);
      check('WASM scalar tag pass', arena.tagPass(0, 0, pages, false));
      check('WASM scalar re-check', arena.recheck(0, false, 0, pages, false));
      arena.resetTags(0);
      check('WASM SIMD tag pass', arena.tagPass(0, 0, pages, true));
      check('WASM SIMD re-check', arena.recheck(0, false, 0, pages, true));
      check('TS reference tag pass', ref.tagPass(0, 0, pages));
      check('TS reference re-check', ref.recheck(0, false, 0, pages));

      const pass = `tag pass ${size}`;
      const re = `re-check ${size}`;
      const common = { size: pages, per: pages, unit: 'page' };
      const untag = () => arena.resetTags(0);
      const tagAll = () => {
        arena.resetTags(0);
        arena.tagPass(0, 0, pages, true);
      };
      const refTagAll = () => {
        ref.tagged[0].clear();
        ref.tagPass(0, 0, pages);
      };
      // The native build runs its share after each round of the WASM and TS tasks (interleaved).
      const native: { variant: string; tagPass: number[]; recheck: number[] }[] = [];
      const nativeRound = (round: number) => {
        const again = round > 0;
        for (const b of nativeBuild.builds) {
          const run = runNative(b, pages, DEFAULT_SEED, ctx.time / ctx.rounds, ctx.warmupTime / ctx.rounds, Math.ceil(ctx.iterations / ctx.rounds));
          record({
            suite: this.name,
            what: `C -${b.opt} population ${size}`,
            ok: run.pinned === pop.pinned,
            detail: `scan.c generated ${run.pinned} pinned pages, bench/data.ts ${pop.pinned}`,
          }, again);
          for (const [key, label] of [['plain', 'plain'], ['sse2', 'SSE2']] as const) {
            const v: NativeVariant = run.variants[key];
            const variant = `C -${b.opt} ${label}`;
            check(`${variant} tag pass`, v.tagged, again);
            check(`${variant} re-check`, v.stillPinned, again);
            let acc = native.find((n) => n.variant === variant);
            if (!acc) native.push((acc = { variant, tagPass: [], recheck: [] }));
            for (const x of v.tagPass) acc.tagPass.push(x);
            for (const x of v.recheck) acc.recheck.push(x);
          }
        }
      };
      const tasks = await runTasks(
        ctx,
        [
          { ...common, group: pass, variant: 'WASM SIMD', beforeEach: untag, fn: () => arena.tagPass(0, 0, pages, true) },
          { ...common, group: pass, variant: 'WASM scalar', beforeEach: untag, fn: () => arena.tagPass(0, 0, pages, false) },
          { ...common, group: pass, variant: 'TS reference', beforeEach: () => ref.tagged[0].clear(), fn: () => ref.tagPass(0, 0, pages) },
          { ...common, group: re, variant: 'WASM SIMD', beforeAll: tagAll, fn: () => arena.recheck(0, false, 0, pages, true) },
          { ...common, group: re, variant: 'WASM scalar', beforeAll: tagAll, fn: () => arena.recheck(0, false, 0, pages, false) },
          { ...common, group: re, variant: 'TS reference', beforeAll: refTagAll, fn: () => ref.recheck(0, false, 0, pages) },
        ],
        // The TS reference takes ~0.1 s per 16M-page pass: a few samples beyond the time budget.
        { iterations: pages >= 1 << 24 ? Math.min(ctx.iterations, 5) : ctx.iterations, afterRound: nativeRound },
      );
      for (const n of native) {
        for (const [group, samples] of [[pass, n.tagPass], [re, n.recheck]] as const) {
          const t = taskResult({ ...common, group, variant: n.variant }, latencyOf(samples));
          ctx.log(`  ${t.name}: ${fmtMs(t.latency.p50)} (±${t.latency.rme.toFixed(1)} %, ${t.samples} samples)`);
          tasks.push(t);
        }
      }
      out.tasks.push(...tasks);
      out.ratios.push(...scanRatios(this.name, tasks, pages));
    }
    return out;
  },
};

/**
 * The side-by-side ratios of one size; the bars apply at SCAN_TARGETS.atPages to the variant the
 * simulator runs (Arena.tagPass: SIMD; Arena.recheck: scalar, measured the faster of the two).
 */
export function scanRatios(suite: string, tasks: TaskResult[], pages: number): Ratio[] {
  const ratios: Ratio[] = [];
  const barred = pages === SCAN_TARGETS.atPages;
  for (const op of ['tag pass', 're-check']) {
    const group = `${op} ${fmtCount(pages)}`;
    const find = (variant: string) => tasks.find((t) => t.group === group && t.variant === variant);
    const [simd, scalar] = [find('WASM SIMD'), find('WASM scalar')];
    const used = op === 'tag pass' ? simd : scalar;
    const add = (a: TaskResult | undefined, b: TaskResult | undefined, target?: number, anySize = false) => {
      if (a && b) ratios.push(speedup(suite, a, b, barred || anySize ? target : undefined));
    };
    add(simd, scalar);
    add(used, find('TS reference'), SCAN_TARGETS.vsReference);
    add(used, find('C -O3 plain'), SCAN_TARGETS.vsGccO3);
    add(used, find('C -O3 SSE2'), op === 'tag pass' && pages <= SCAN_TARGETS.sse2UpToPages ? SCAN_TARGETS.vsSse2 : undefined, true);
    add(used, find('C -O2 plain'));
    if (used !== scalar) add(scalar, find('C -O2 plain'));
  }
  return ratios;
}
