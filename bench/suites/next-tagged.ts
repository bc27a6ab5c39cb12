/**
 * Suite "next-tagged": 100 pinned pages in a 16M-page file (quick: 1M). Visiting the tagged pages
 * through the tag hierarchy (Arena.tagNext, and the re-check that uses it) must cost a tiny part
 * of a full tag pass over the file: the target is <= 1 % (bench/README.md).
 */
import { Arena } from '../../src/wasm/core.ts';
import { planArena } from '../../src/wasm/layout.ts';
import { xorshift32, DEFAULT_SEED } from '../data.ts';
import { fmtCount, runTasks, share } from '../harness.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';

export const NEXT_TAGGED = { tags: 100, maxShare: 0.01 };

/** `n` distinct pages of [0, pages), drawn from the xorshift32 stream, ascending. */
export function spreadPages(pages: number, n: number, seed = DEFAULT_SEED): number[] {
  const next = xorshift32(seed);
  const set = new Set<number>();
  while (set.size < n) set.add(next() % pages);
  return [...set].sort((a, b) => a - b);
}

export const nextTaggedSuite: Suite = {
  name: 'next-tagged',
  title: `Next-tagged iteration: ${NEXT_TAGGED.tags} tags vs a full tag pass`,
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const pages = ctx.sizes.nextTaggedPages;
    const size = fmtCount(pages);
    ctx.log(` ${size} pages, ${NEXT_TAGGED.tags} of them pinned`);
    const arena = Arena.create(planArena(1, pages, 1, 14));
    arena.write(0, 0, 0, pages);
    arena.drainCpu(0);
    const pinned = spreadPages(pages, NEXT_TAGGED.tags);
    for (const p of pinned) arena.pin(0, 0, p, p + 1);

    const walk = () => {
      let n = 0;
      for (let p = arena.tagNext(0, 0); p >= 0; p = arena.tagNext(0, p + 1)) n++;
      return n;
    };
    const tagAll = () => {
      arena.resetTags(0);
      arena.tagPass(0, 0, pages, true);
    };
    tagAll();
    const seen: number[] = [];
    for (let p = arena.tagNext(0, 0); p >= 0; p = arena.tagNext(0, p + 1)) seen.push(p);
    out.checks.push({
      suite: this.name,
      what: `tagNext walk ${size}`,
      ok: seen.length === pinned.length && seen.every((p, i) => p === pinned[i]),
      detail: `${seen.length} tagged pages visited (expected the ${pinned.length} pinned ones)`,
    });
    out.checks.push({
      suite: this.name,
      what: `re-check ${size}`,
      ok: arena.recheck(0, false) === pinned.length,
      detail: `still pinned after a re-check (expected ${pinned.length})`,
    });

    const group = `${NEXT_TAGGED.tags} tags in ${size}`;
    const common = { group, size: pages };
    const [full, next, recheck] = await runTasks(ctx, [
      { ...common, variant: 'full tag pass (WASM SIMD)', per: pages, unit: 'page', beforeEach: () => arena.resetTags(0), fn: () => arena.tagPass(0, 0, pages, true) },
      { ...common, variant: 'tagNext walk', per: NEXT_TAGGED.tags, unit: 'tag', beforeAll: tagAll, fn: walk },
      { ...common, variant: 're-check (WASM)', per: NEXT_TAGGED.tags, unit: 'tag', beforeAll: tagAll, fn: () => arena.recheck(0, false) },
    ]);
    out.tasks.push(full, next, recheck);
    out.ratios.push(
      share(this.name, `${group}: tagNext walk / full tag pass`, next, full, NEXT_TAGGED.maxShare),
      share(this.name, `${group}: re-check / full tag pass`, recheck, full, NEXT_TAGGED.maxShare),
    );
    return out;
  },
};
