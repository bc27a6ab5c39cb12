/**
 * Suite "workers" (issue 19): is the default worker count (`--workers auto`) ever more than 5 %
 * slower than the better of W = 1 and W = 2? Every preset as `drainlab run --preset P` runs it,
 * the bench's sweeps as `drainlab sweep` runs them, and two scenarios of the issue, each timed as
 * a whole CLI process (node start-up, probe, worker start, simulation, writing the record): what a
 * user waits for. The default is the command without `--workers`.
 *
 * Noise: each target runs R rounds; a round runs W=1, W=2 and the default back to back, in an
 * order that rotates from round to round, and the rounds go over all targets before the next
 * round starts, so a burst of other work on the host lands on neighbouring variants alike. "The
 * better of W=1 and W=2" is the one with the lower median; each round gives one paired ratio
 * (its time in that round / the default's time in that round), and the verdict reads the median
 * ratio's distribution-free interval (src/stats/quantile.ts medianRankCI): met when the whole
 * interval is >= 0.95, missed when the whole interval is below, else undecided: the run could not
 * resolve 5 % at that noise. R: `drainlab bench --repeats N` (default 5 full, 3 quick).
 *
 *   full:  every preset; sweeps: fadvise-storm x HZ x 8 with an 8x horizon (16 cells of ~1 s),
 *          with its own horizon (16 cells of ~0.2 s), debate-2017 x HZ x 2 (4 light cells);
 *          scenarios: fadvise-storm x8 (strategies spread), 1M pages x 64 CPUs (12 strategies)
 *   quick: the presets under 1M pages, the 4-cell sweep, 1M pages x 64 CPUs
 *   tiny (unit tests): fuse-selftest, 2 rounds
 * Records must be identical for every variant and round (a check): canonical cells for sweeps,
 * the record without provenance for runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootPath } from '../../src/io/paths.ts';
import { PRESETS, presetScenario } from '../../src/scenario/presets.ts';
import { canonicalLine } from '../../src/sweep/canonical.ts';
import { median, medianRankCI } from '../../src/stats/quantile.ts';
import { largeScenario, scalingSweepJson } from '../scenario-scaling.ts';
import { judgedInterval } from '../harness.ts';
import type { Suite, SuiteContext, SuiteResult } from '../types.ts';

/** The default must never lose more than this to the better of W = 1 and W = 2 (issue 19). */
export const AUTO_MAX_LOSS = 0.05;

type Variant = '1' | '2' | 'auto';
const VARIANTS: readonly Variant[] = ['1', '2', 'auto'];

interface Target {
  label: string;
  /** The drainlab arguments, without --workers and the output. */
  args: string[];
  kind: 'run' | 'sweep';
}

interface Timing {
  ms: number;
  /** The worker count the command used (provenance / the sweep's summary). */
  chose: number;
  /** sha256 of the canonical output. */
  hash: string;
}

const CLI = rootPath('bin', 'drainlab.js');

function once(t: Target, v: Variant, dir: string): Timing {
  const out = join(dir, `${v}-${t.kind === 'run' ? 'record.json' : 'sweep'}`);
  const args = [CLI, ...t.args, ...(v === 'auto' ? [] : ['--workers', v]), '--out', out, ...(t.kind === 'sweep' ? ['--quiet'] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`workers suite: drainlab ${t.args.join(' ')} (W=${v}) exited ${r.status ?? r.signal}: ${r.stderr.slice(-2000)}`);
  let hash: string;
  let chose: number;
  if (t.kind === 'run') {
    const rec = JSON.parse(readFileSync(out, 'utf8')) as { provenance?: { workers?: number } };
    chose = rec.provenance?.workers ?? 1;
    hash = createHash('sha256').update(JSON.stringify({ ...rec, provenance: undefined })).digest('hex');
  } else {
    chose = (JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { summary: { workers: number } }).summary.workers;
    const lines = readFileSync(join(out, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean).map(canonicalLine).sort();
    hash = createHash('sha256').update(lines.join('\n')).digest('hex');
  }
  rmSync(out, { recursive: true, force: true });
  return { ms, chose, hash };
}

function targets(ctx: SuiteContext, dir: string): Target[] {
  const tiny = ctx.time < 10;
  const file = (name: string, json: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(json));
    return p;
  };
  const out: Target[] = [];
  for (const name of Object.keys(PRESETS)) {
    if (tiny ? name !== 'fuse-selftest' : ctx.quick && presetScenario(name).pages >= 1 << 20) continue;
    out.push({ label: `preset ${name}`, args: ['run', '--preset', name], kind: 'run' });
  }
  if (tiny) return out;
  const sweeps = ctx.quick
    ? [{ json: scalingSweepJson(1, 2, 'debate-2017'), what: 'debate-2017 x HZ x 2 (4 cells)' }]
    : [
        { json: scalingSweepJson(), what: 'fadvise-storm x8 horizon x HZ x 8 (16 cells of ~1 s)' },
        { json: scalingSweepJson(1), what: 'fadvise-storm x HZ x 8 (16 cells of ~0.2 s)' },
        { json: scalingSweepJson(1, 2, 'debate-2017'), what: 'debate-2017 x HZ x 2 (4 cells)' },
      ];
  sweeps.forEach((s, i) => out.push({ label: `sweep ${s.what}`, args: ['sweep', '--file', file(`sweep-${i}.json`, s.json)], kind: 'sweep' }));
  const large = largeScenario(1 << 20, 64);
  out.push({ label: '1M pages x 64 CPUs, 12 strategies', args: ['run', '--scenario', file('large.json', { ...large, strategies: undefined })], kind: 'run' });
  if (!ctx.quick) {
    const fs = PRESETS['fadvise-storm']!.scenario;
    out.push({ label: 'fadvise-storm x8 horizon, 12 strategies', args: ['run', '--scenario', file('fadvise-x8.json', { ...fs, name: 'fadvise-storm x8', horizonMs: fs.horizonMs! * 8 })], kind: 'run' });
  }
  return out;
}

/** Rounds of the workers suite: `--repeats` when given, else 5 (full), 3 (quick), 2 (unit tests). */
export function workersRounds(ctx: SuiteContext): number {
  return ctx.repeats ?? (ctx.time < 10 ? 2 : ctx.quick ? 3 : 5);
}

export const workersSuite: Suite = {
  name: 'workers',
  title: 'The default worker count (auto) against the better of W=1 and W=2: whole CLI runs, interleaved rounds, median ratio with its interval',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { name: this.name, title: this.title, tasks: [], ratios: [], checks: [], skipped: [], notes: [] };
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-bench-workers-'));
    try {
      const list = targets(ctx, dir);
      const rounds = workersRounds(ctx);
      const times = list.map(() => new Map<Variant, Timing[]>(VARIANTS.map((v) => [v, []])));
      // A command that fails (exit != 0) is a failed check of its target, which then drops out.
      const broken = new Map<number, string>();
      for (let round = 0; round < rounds; round++) {
        ctx.log(`  round ${round + 1}/${rounds}: ${list.length} targets x W=1, W=2, default`);
        list.forEach((t, i) => {
          for (let k = 0; k < VARIANTS.length && !broken.has(i); k++) {
            const v = VARIANTS[(k + round + i) % VARIANTS.length]!;
            try {
              times[i]!.get(v)!.push(once(t, v, dir));
            } catch (e) {
              broken.set(i, (e as Error).message);
            }
          }
        });
      }
      const bar = 1 - AUTO_MAX_LOSS;
      let levels = 1;
      list.forEach((t, i) => {
        if (broken.has(i)) {
          out.checks.push({ suite: this.name, what: `every command ran: ${t.label}`, ok: false, detail: broken.get(i)! });
          return;
        }
        const m = times[i]!;
        const ms = (v: Variant) => m.get(v)!.map((x) => x.ms);
        const best: Variant = median(ms('1')) <= median(ms('2')) ? '1' : '2';
        const paired = ms(best).map((b, r) => b / ms('auto')[r]!);
        const ci = medianRankCI(paired);
        levels = Math.min(levels, ci.level);
        const chose = [...new Set(m.get('auto')!.map((x) => x.chose))].sort();
        const r = judgedInterval({ suite: this.name, label: `${t.label}: default (auto: W=${chose.join('/')}) vs W=${best}, median of ${rounds} rounds, ${(ci.level * 100).toFixed(1)} % interval`, value: ci.estimate, kind: 'speedup', target: { op: '>=', value: bar } }, [ci.lo, ci.hi]);
        out.ratios.push(r);
        const s = (v: Variant) => `${(median(ms(v)) / 1000).toFixed(2)} s`;
        out.notes.push(`${t.label}: medians W=1 ${s('1')}, W=2 ${s('2')}, default ${s('auto')} (W=${chose.join('/')}); W=${best} / default ${ci.estimate.toFixed(3)} [${ci.lo.toFixed(3)}, ${ci.hi.toFixed(3)}]: ${r.verdict}`);
        const hashes = new Set(VARIANTS.flatMap((v) => m.get(v)!.map((x) => x.hash)));
        out.checks.push({ suite: this.name, what: `records identical for W=1, W=2 and the default: ${t.label}`, ok: hashes.size === 1, detail: `${rounds} rounds` });
      });
      out.notes.push(
        `Each ratio is the median over ${rounds} rounds of (the better W's time / the default's time) in the same round; the interval is the median's distribution-free ${(levels * 100).toFixed(1)} %+ interval (order statistics). ` +
          'Undecided means the run could not resolve 5 % at this noise: run it again on a quiet host, with more --repeats.',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};
