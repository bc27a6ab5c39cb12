// bench verdicts that respect noise: a ratio is met only when its whole CI clears the bar (a CI
// that straddles it is undecided, never "met" or "passed"), and a run on a busy host is flagged.
import { describe, expect, it } from 'vitest';
import { judged, speedup, taskResult, latencyOf } from '../bench/harness.ts';
import { suiteMarkdown, reportMarkdown, verdictText } from '../bench/markdown.ts';
import { hostVerdict, parseLoadavg, parseProcStat } from '../src/io/host-load.ts';
import type { BenchReport, SuiteResult } from '../bench/types.ts';

const task = (variant: string, samples: number[]) => taskResult({ group: 'g', variant, per: 1, unit: 'page' }, latencyOf(samples));

describe('ratio verdicts', () => {
  it('met, missed, or undecided when the CI straddles the bar (both directions of bar)', () => {
    const r = (value: number, rel: number, op: '>=' | '<=', bar: number) => judged({ suite: 's', label: 'x', value, kind: op === '>=' ? 'speedup' : 'share', target: { op, value: bar } }, rel);
    expect(r(2, 0.1, '>=', 1.5)).toMatchObject({ verdict: 'met', met: true });
    expect(r(1, 0.1, '>=', 1.5)).toMatchObject({ verdict: 'missed', met: false });
    expect(r(1.6, 0.2, '>=', 1.5)).toMatchObject({ verdict: 'undecided', met: false }); // CI [1.33, 1.92]
    expect(r(0.005, 0.1, '<=', 0.01)).toMatchObject({ verdict: 'met' });
    expect(r(0.02, 0.1, '<=', 0.01)).toMatchObject({ verdict: 'missed' });
    expect(r(0.0095, 0.2, '<=', 0.01)).toMatchObject({ verdict: 'undecided' });
    const ci = r(1.6, 0.2, '>=', 1.5).ci!;
    expect(ci[0]).toBeCloseTo(1.6 / 1.2, 10);
    expect(ci[1]).toBeCloseTo(1.92, 10);
  });

  it('a speed-up from noisy samples (±100 %+) is undecided, and the markdown never says met or passed for it', () => {
    const fast = task('fast', [1, 3, 1, 0.2, 5, 1]);
    const slow = task('slow', [2, 2.1, 1.9, 2, 2.2, 1.8]);
    const r = speedup('s', fast, slow, 1.5);
    expect(fast.latency.rme).toBeGreaterThan(50);
    expect(r.value).toBeGreaterThanOrEqual(1.5); // the medians alone would have "met" the bar
    expect(r.verdict).toBe('undecided');
    expect(verdictText(r)).toBe('undecided: the CI straddles the bar');
    const suite: SuiteResult = { name: 's', title: 't', tasks: [fast, slow], ratios: [r], checks: [{ suite: 's', what: 'agree', ok: true, detail: '' }], skipped: [], notes: [] };
    const md = suiteMarkdown(suite);
    expect(md).toMatch(/undecided: the CI straddles the bar/);
    expect(md).not.toMatch(/\| met/);
    expect(md).toMatch(/All 1 correctness checks passed \(the implementations agree\); the speed bars are judged in the table above\./);
    expect(md).not.toMatch(/All 1 checks passed\./);
  });
});

describe('host load', () => {
  it('parses /proc/stat and /proc/loadavg', () => {
    expect(parseProcStat('cpu  100 5 50 800 20 3 2 20 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n')).toEqual({ busy: 160, idle: 820, steal: 20, total: 1000 });
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
    expect(parseLoadavg('19.61 10.15 4.99 3/412 12345\n')).toBe(19.61);
  });

  it('flags a busy or stolen host, and not a quiet one', () => {
    const quiet = hostVerdict({ cpus: 2, loadBefore: 0.3, loadDuringMax: 1.2, busyShare: 0.55, stealShare: 0.001, selfCpus: 1 });
    expect(quiet).toMatchObject({ noisy: false, why: [], othersCpus: 0.1 });
    const busy = hostVerdict({ cpus: 2, loadBefore: 19.6, loadDuringMax: 21, busyShare: 1, stealShare: 0.08, selfCpus: 0.6 });
    expect(busy.noisy).toBe(true);
    expect(busy.why).toEqual(['other processes used 1.40 of 2 CPUs during the run', '8.0 % of CPU time stolen by the hypervisor']);
  });

  it('judges by the load average before only where the others cannot be measured', () => {
    // The previous bench run of a series left the load average at 1.9; nobody else ran during this one.
    const afterOwnRun = hostVerdict({ cpus: 2, loadBefore: 1.9, loadDuringMax: 1.9, busyShare: 0.55, stealShare: 0, selfCpus: 1 });
    expect(afterOwnRun).toMatchObject({ noisy: false, why: [], loadBefore: 1.9 });
    const blind = hostVerdict({ cpus: 2, loadBefore: 1.9, loadDuringMax: 1.9, busyShare: null, stealShare: null, selfCpus: 1 });
    expect(blind.why).toEqual(['load average 1.90 before the run, on 2 CPUs']);
  });

  it('the report says a run is noisy, above everything else', () => {
    const report = {
      schema: 'drainlab/bench@1',
      provenance: { drainlab: '0', gitCommit: 'abc', wasmSha256: 'f'.repeat(64), node: 'v20', v8: '11', host: { cpus: 2, model: 'm', lscpuModel: null }, cc: null, startedAt: '2026-12-02T00:00:00Z', wallMs: 1000 },
      hostLoad: hostVerdict({ cpus: 2, loadBefore: 19.6, loadDuringMax: 21, busyShare: 1, stealShare: 0, selfCpus: 0.6 }),
      options: { mode: 'quick', quick: true, suites: [] },
      suites: [],
    } satisfies BenchReport;
    const md = reportMarkdown(report);
    expect(md).toMatch(/Host load: load average 19\.6 before, up to 21 during \(this run included\); other processes 1\.4 of 2 CPUs; steal 0 %\./);
    expect(md).toMatch(/\*\*Noisy run\*\*: other processes used 1\.40 of 2 CPUs during the run\./);
  });
});
