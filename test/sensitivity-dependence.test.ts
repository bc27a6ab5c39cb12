// What a verdict "depends mostly on" is said only where the Sobol intervals support it: a leader
// whose ST interval is above 50 % and clear of every other factor's; "too noisy" when the leader's
// interval is wide; "no single assumption" when intervals overlap or a factor left out of the
// Sobol phase also moved the output; Morris ranks only, with no claim, where there are no
// indices. And the report's findings carry these sentences for the outputs they cite.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetScenario } from '../src/scenario/presets.ts';
import { runResolved } from '../src/sim/run.ts';
import { reportCommand } from '../src/report/command.ts';
import { dependence, dependenceSentences, dependenceText, finding, groupedFindings, type Factor, type OutputResult, type SensitivityResult } from '../src/sweep/sensitivity.ts';
import { withDependence } from '../src/report/sensitivity.ts';
import type { Finding, FindingStat } from '../src/report/findings-types.ts';

const factors: Factor[] = [
  { name: 'a', path: 'costs.a', min: 0, max: 1, about: 'the first' },
  { name: 'b', path: 'costs.b', min: 0, max: 1, about: 'the second' },
  { name: 'c', path: 'costs.c', min: 0, max: 1, about: 'the third' },
];
const ix = (value: number, lo: number, hi: number) => ({ value, lo, hi });
const out = (sobol: OutputResult['sobol'], muStar: Record<string, number> = { a: 1, b: 0.5, c: 0 }): OutputResult => ({
  strategy: 'no-drain', metric: 'spuriousEbusy', min: 0, max: 3,
  morris: Object.entries(muStar).map(([factor, m]) => ({ factor, muStar: m, mu: m, sigma: 0 })).sort((x, y) => y.muStar - x.muStar),
  sobol, finding: '',
});

describe('dependence', () => {
  it('claims a dominant factor only with its interval above 50 % and clear of the others', () => {
    const clear = out([{ factor: 'a', s1: ix(0.7, 0.6, 0.8), st: ix(0.8, 0.62, 0.95) }, { factor: 'b', s1: ix(0.1, 0, 0.2), st: ix(0.2, 0.05, 0.4) }]);
    expect(dependence(clear).kind).toBe('dominant');
    expect(finding(clear, factors)).toBe('spuriousEbusy of no-drain depends mostly on a (the first): ST 80 % [62 %, 95 %], S1 70 %, then on b (the second, ST 20 % [5 %, 40 %]).');
    // The same leader, its interval reaching below 50 %: no claim of "mostly".
    const low = out([{ factor: 'a', s1: ix(0.5, 0.4, 0.6), st: ix(0.6, 0.45, 0.75) }, { factor: 'b', s1: ix(0.1, 0, 0.2), st: ix(0.2, 0.05, 0.3) }]);
    expect(dependence(low).kind).toBe('shared');
    expect(dependenceText(dependence(low), factors)).toMatch(/^depends on no single assumption: a \(the first, ST 60 % \[45 %, 75 %\]\) leads, below 50 % or not clear of the rest$/);
    // Overlapping intervals: both named.
    const tie = out([{ factor: 'a', s1: ix(0.5, 0.4, 0.6), st: ix(0.6, 0.52, 0.7) }, { factor: 'b', s1: ix(0.4, 0.3, 0.5), st: ix(0.5, 0.4, 0.6) }]);
    expect(dependenceText(dependence(tie), factors)).toMatch(/no single assumption: a .* and b .* overlap$/);
  });

  it('says "too noisy" when the leader\'s interval is wide, and names what screening alone can say', () => {
    const wide = out([{ factor: 'a', s1: ix(0.5, 0, 1), st: ix(0.6, 0.1, 1.2) }, { factor: 'b', s1: ix(0, 0, 0.1), st: ix(0.05, 0, 0.1) }]);
    expect(dependence(wide).kind).toBe('noisy');
    expect(finding(wide, factors, 8)).toMatch(/is too noisy to say .* a \(the first\), has ST 60 % \[10 %, 120 %\] at N = 8/);
    const none = out(null);
    expect(dependence(none)).toMatchObject({ kind: 'screening', top: { factor: 'a' }, next: { factor: 'b' } });
    expect(finding(none, factors)).not.toMatch(/mostly/);
    expect(finding({ ...none, max: 0 }, factors)).toBe('spuriousEbusy of no-drain depends on none of the factors (0 at every point).');
  });

  it('does not claim dominance while a factor left out of the Sobol phase moved the output', () => {
    const sobol = [{ factor: 'a', s1: ix(0.8, 0.7, 0.9), st: ix(0.9, 0.8, 1) }];
    expect(dependence(out(sobol, { a: 1, b: 0.05, c: 0 })).kind).toBe('dominant');
    const d = dependence(out(sobol, { a: 1, b: 0.5, c: 0 }));
    expect(d).toMatchObject({ kind: 'shared', unanalysed: [{ factor: 'b' }] });
    expect(dependenceText(d, factors)).toMatch(/b, left out of the Sobol phase, also moved it in screening$/);
  });

  it('the report\'s findings cite the outputs of their scenario, strategies and quantity', () => {
    const dominant = out([{ factor: 'a', s1: ix(0.7, 0.6, 0.8), st: ix(0.8, 0.62, 0.95) }], { a: 1, b: 0.05, c: 0 });
    const r = { scenario: 'debate-2017', factors, design: { trajectories: 2, levels: 4, samples: 64, seed: 1, morrisRuns: 8, sobolRuns: 192 }, outputs: [dominant, { ...dominant, strategy: 'v4.14', max: 0 }, { ...dominant, metric: 'latencyMs.p99' }] } as unknown as SensitivityResult;
    const stat = (scenario: string, metric: string): FindingStat => ({ scenario, where: '', metric, strategy: 'no-drain', baseline: 'v4.14', estimate: 1, lo: 0, hi: 2, pairs: 3, verdict: 'worse', candidateMedian: 1, baselineMedian: 0 }) as FindingStat;
    const f = (stats: FindingStat[]): Finding => ({ id: 'x', question: 'q', askedBy: 'me', answer: 'yes', points: [], stats, charts: [], scenarios: [], level: 0.95 });
    const [hit, other, elsewhere] = withDependence([f([stat('debate-2017', 'spuriousRate')]), f([stat('debate-2017', 'drainCpuMs')]), f([stat('idle-many-cpus', 'spuriousRate')])], r);
    expect(hit!.dependsOn).toEqual([
      'In debate-2017, spurious EBUSY of no-drain depends mostly on a (the first): ST 80 % [62 %, 95 %], S1 70 %.',
      'In debate-2017, spurious EBUSY of v4.14 depends on none of the factors (0 at every point).',
    ]);
    expect(other!.dependsOn).toBeUndefined();
    expect(elsewhere!.dependsOn).toBeUndefined();
  });

  it('outputs that rest on the same factor, or on none, share one sentence', () => {
    const dom = (strategy: string, metric: string, st: number) => ({ ...out([{ factor: 'a', s1: ix(st, st - 0.1, st + 0.1), st: ix(st, st - 0.15, st + 0.1) }], { a: 1, b: 0.05, c: 0 }), strategy, metric });
    const flat = (strategy: string, metric: string) => ({ ...out(null), strategy, metric, max: 0 });
    const outs = [flat('v4.14', 'spuriousEbusy'), dom('no-drain', 'spuriousEbusy', 0.8), dom('v4.14', 'cpusPerSeal', 0.7), dom('drain-unlocked', 'cpusPerSeal', 0.7), flat('drain-unlocked', 'spuriousEbusy'), flat('no-drain', 'cpusPerSeal')];
    expect(dependenceSentences(outs, factors, (m) => m, 'In S, ')).toEqual([
      'In S, spuriousEbusy of v4.14 and drain-unlocked (0 at every point) and cpusPerSeal of no-drain (0 at every point) depend on none of the factors.',
      'In S, spuriousEbusy of no-drain (ST 80 % [65 %, 90 %]) and cpusPerSeal of v4.14 and drain-unlocked (ST 70 % [55 %, 80 %] each) depend mostly on a (the first).',
    ]);
    // One output alone keeps its own sentence.
    expect(dependenceSentences([outs[1]!], factors, (m) => m, 'In S, ')).toEqual(['In S, spuriousEbusy of no-drain depends mostly on a (the first): ST 80 % [65 %, 90 %], S1 80 %.']);
  });

  it('the terminal names strategies with the very same finding together, and drops nothing else', () => {
    const o = (strategy: string, metric: string, tail: string): OutputResult => ({ ...out(null), strategy, metric, finding: `${metric} of ${strategy} ${tail}` });
    const outs = [o('v4.14', 'm', 'depends on none of the factors (0 at every point).'), o('v4.16', 'm', 'depends on none of the factors (0 at every point).'), o('no-drain', 'm', 'depends mostly on a (the first): ST 80 %.'), o('targeted', 'm', 'depends on none of the factors (0 at every point).'), o('v4.14', 'p99', 'is too noisy to say.'), o('v4.16', 'p99', 'is too noisy to say.'), { ...out(null), finding: 'something else' }];
    expect(groupedFindings(outs)).toEqual([
      'm of v4.14, v4.16 and targeted depend on none of the factors (0 at every point).',
      'm of no-drain depends mostly on a (the first): ST 80 %.',
      'p99 of v4.14 and v4.16 are too noisy to say.',
      'something else',
    ]);
  });

  it('drainlab report --sensitivity shows them under the findings they concern (HTML and JSON)', async () => {
    // Cost: one fuse-selftest run (2 strategies) and two reports, well under a second.
    const dir = mkdtempSync(join(tmpdir(), 'drainlab-depends-'));
    writeFileSync(join(dir, 'run.json'), JSON.stringify(runResolved(presetScenario('fuse-selftest'), { strategies: ['v4.14', 'no-drain'] })));
    const moved = out([{ factor: 'a', s1: ix(0.7, 0.6, 0.8), st: ix(0.8, 0.62, 0.95) }], { a: 1, b: 0.05, c: 0 });
    const sens = { schema: 'drainlab/sensitivity@1', scenario: 'fuse-selftest', factors, design: { trajectories: 2, levels: 4, samples: 64, seed: 1, morrisRuns: 8, sobolRuns: 192 }, survivors: ['a'], ranking: [], outputs: [{ ...moved, finding: finding(moved, factors) }] };
    writeFileSync(join(dir, 'sensitivity.json'), JSON.stringify(sens));
    const log = () => {};
    expect(await reportCommand({ inputs: [join(dir, 'run.json')], out: join(dir, 'r.json'), sensitivity: join(dir, 'sensitivity.json'), log })).toBe(0);
    const data = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { findings: Finding[] };
    const michal = data.findings.find((f) => f.id === 'michal')!;
    expect(michal.dependsOn).toEqual(['In fuse-selftest, spurious EBUSY of no-drain depends mostly on a (the first): ST 80 % [62 %, 95 %], S1 70 %.']);
    expect(await reportCommand({ inputs: [join(dir, 'run.json')], out: join(dir, 'r.html'), sensitivity: join(dir, 'sensitivity.json'), log })).toBe(0);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('<p class="depends"><a href="#sensitivity">What it rests on</a>: In fuse-selftest, spurious EBUSY of no-drain depends mostly on a (the first)');
    // Without --sensitivity, no such sentence.
    expect(await reportCommand({ inputs: [join(dir, 'run.json')], out: join(dir, 'plain.json'), log })).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8')).findings.some((f: Finding) => f.dependsOn)).toBe(false);
  });
});
