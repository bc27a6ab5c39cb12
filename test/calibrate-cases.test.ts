// Probe cases as scenarios: every recorded case becomes a valid docs/scenario-format.md scenario that
// replays what the probe did, with the seal at the measured position in its jiffy.
import { describe, expect, it } from 'vitest';
import { caseScenario, probeCases, type DrainCase, type RecheckCase } from '../src/calibrate/cases.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { fixtureText } from './support/calibrate-fixture.ts';

const run = parseProbeOutput(fixtureText());
const cases = probeCases(run);

describe('probe cases', () => {
  it('one case per measurement, ids unique', () => {
    expect(cases.length).toBe(run.walks.length + run.rechecks.length + run.drains.filter((d) => !d.interrupted).length);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('every scenario is valid for the simulator', () => {
    for (const c of cases) expect(() => resolveScenario(caseScenario(c, { hz: 250 }), c.id)).not.toThrow();
  });

  it('case a: pinned by the sealing CPU, released on the remote CPU, the seal at its phase', () => {
    const c: RecheckCase = { id: 'a/x', kind: 'recheck', pages: 4, latencyMs: 35, result: 'ok', startPhaseMs: 1.25, delayMs: 20, releaseMs: 20.03 };
    const s = caseScenario(c, { hz: 250 });
    expect(s).toMatchObject({ kernel: '6.18', hz: 250, cpus: 2, pages: 4, strategies: ['v4.16'] });
    const seal = s.script.find((o) => o.op === 'seal')!;
    expect(seal.atMs % 4).toBeCloseTo(1.25, 9);
    const unpin = s.script.find((o) => o.op === 'unpin')!;
    expect(unpin).toMatchObject({ cpu: 1, pages: '0-3' });
    expect(unpin.atMs - seal.atMs).toBeCloseTo(20.03, 6);
    expect(s.script.map((o) => o.op)).toEqual(['mmapShared', 'fault', 'pin', 'unmap', 'munmapShared', 'seal', 'unpin']);
  });

  it('case b rt: written on CPU 1, a CFS lead-in, SCHED_FIFO from the measured spin start until its cap', () => {
    const c: DrainCase = {
      id: 'b/rt/x', kind: 'drain', pages: 8, latencyMs: 600, result: 'ok', parked: true, startPhaseMs: 2,
      cpuClass: 'rt', spinBeforeMs: 350, cfsLeadMs: 325, spinMaxMs: 2500,
    };
    const s = caseScenario(c, { hz: 250, costs: { rtRuntimeNs: 950e6 } });
    const seal = s.script.find((o) => o.op === 'seal')!;
    const cls = s.script.filter((o) => o.op === 'cpuClass');
    expect(s.script[0]).toMatchObject({ op: 'write', cpu: 1, pages: '0-7' });
    expect(cls.map((o) => o.op === 'cpuClass' && o.class)).toEqual(['busy', 'rt', 'idle']);
    expect(seal.atMs - cls[1].atMs).toBeCloseTo(350, 6);
    expect(cls[1].atMs - cls[0].atMs).toBeCloseTo(325, 6);
    expect(cls[1]).toMatchObject({ forMs: 2500 });
    expect(s.costs).toEqual({ rtRuntimeNs: 950e6 });
    expect(() => resolveScenario(s)).not.toThrow();
  });

  it('drains whose pages were gone before the seal are marked unparked', () => {
    for (const c of cases.filter((x): x is DrainCase => x.kind === 'drain')) {
      if (c.cpusWithWork) expect(c.parked).toBe(c.cpusWithWork.includes(1));
      else expect(c.parked).toBe(c.latencyMs >= 0.025);
    }
  });
});
