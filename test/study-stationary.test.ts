// The default study's CPU-scaling cells keep their load for the whole horizon (issue 13, build 1):
// at 1024 CPUs, the CPUs a v4.14 seal interrupts are the same in the first and the last third of
// the measured span, within 20 % (three replications, as the study runs them). The same scenario
// with its log filled once instead of rotating is the negative control: the machine goes quiet
// and the run says so.
import { describe, expect, it } from 'vitest';
import { studySweeps } from '../src/study/study.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { runResolved } from '../src/sim/run.ts';
import type { RunRecord } from '../src/metrics/record.ts';
import { readFileSync } from 'node:fs';

const base = studySweeps(false).find((p) => p.part === 'cpu-scaling')!.sweep as { base: Record<string, any>; params: { cpus: { to: number } } };

/** CPUs interrupted per seal in the first and the last third of [warmUpMs, horizonMs], pooled over the records. */
function thirds(records: RunRecord[]): { first: number; last: number; seals: [number, number] } {
  const acc = [[0, 0], [0, 0]];
  for (const r of records) {
    const s = r.scenario as { horizonMs: number; load?: { warmUpMs: number } };
    const from = s.load?.warmUpMs ?? 0;
    const third = (s.horizonMs - from) / 3;
    for (const x of r.runs[0].seals) {
      const k = x.startMs < from + third ? 0 : x.startMs >= s.horizonMs - third ? 1 : -1;
      if (k >= 0) {
        acc[k][0]++;
        acc[k][1] += x.cpusInterrupted;
      }
    }
  }
  return { first: acc[0][1] / acc[0][0], last: acc[1][1] / acc[1][0], seals: [acc[0][0], acc[1][0]] };
}

const run = (scenario: Record<string, unknown>, replication: number) =>
  runResolved(resolveScenario({ ...scenario, cpus: 1024, strategies: ['v4.14'], seed: base.base.seed + replication, replication }));

describe('default study: stationary load at 1024 CPUs', () => {
  it('the CPU-scaling sweep reaches 1024 CPUs and states its load stationary, with a warm-up', () => {
    expect(base.params.cpus.to).toBe(1024);
    expect(base.base.load).toMatchObject({ stationary: true });
    expect(base.base.load.warmUpMs).toBeGreaterThan(0);
  });

  it('examples/handoffs.json (the README\'s tune example) is this scenario at 8 CPUs', () => {
    const { $schema, ...file } = JSON.parse(readFileSync(new URL('../examples/handoffs.json', import.meta.url), 'utf8'));
    expect($schema).toBe('../schema/scenario.schema.json');
    expect(file).toEqual({ ...base.base, cpus: 8 });
  });

  it('CPUs interrupted per seal: first and last third within 20 %, and no load warning', () => {
    const records = [0, 1, 2].map((r) => run(base.base, r));
    const t = thirds(records);
    expect(t.seals[0]).toBeGreaterThan(20);
    expect(t.seals[1]).toBeGreaterThan(20);
    expect(t.first).toBeGreaterThan(300); // a loaded machine: half the CPUs have pages parked between seals 50 ms apart
    expect(Math.abs(t.last / t.first - 1)).toBeLessThanOrEqual(0.2);
    for (const r of records) {
      expect(r.warnings).toBeUndefined();
      expect(r.runs[0].load?.stationary).toBe(true);
    }
  });

  it('negative control: the log filled once, the load dies and the run warns', () => {
    const finite = { ...base.base, workload: { ...base.base.workload, producers: base.base.workload.producers.map((p: object) => ({ ...p, rotate: false })) } };
    const r = run(finite, 0);
    const t = thirds([r]);
    expect(t.last / t.first).toBeLessThan(0.2);
    expect(r.warnings?.[0]).toMatch(/^load not stationary: pages entering pagevecs per CPU fell from/);
  });
});
