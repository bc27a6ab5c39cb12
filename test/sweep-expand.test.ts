// Sweep expansion: geometric ("x2") and linear ranges, lists, the cartesian product in a fixed
// order, constraints in both forms (a safe expression language, never eval), replications with
// common random numbers, and validation errors that name the field.
import { describe, expect, it } from 'vitest';
import { Sweep, expandRange } from '../src/sweep/grid.ts';
import { evalExpr, parseExpr } from '../src/sweep/expr.ts';
import { UsageError } from '../src/errors.ts';

const sweep = (o: Record<string, unknown>) => Sweep.fromJson({ name: 't', base: 'fuse-selftest', strategies: ['v4.14'], ...o });
const pts = (s: Sweep) => [...s.points()].map((p) => p.params);

describe('ranges', () => {
  it('x2 doubles from `from` up to `to` inclusive', () => {
    expect(expandRange({ from: 2, to: 64, step: 'x2' }, 'p')).toEqual([2, 4, 8, 16, 32, 64]);
    expect(expandRange({ from: 3, to: 100, step: 'x2' }, 'p')).toEqual([3, 6, 12, 24, 48, 96]);
    expect(expandRange({ from: 1, to: 1000, step: 'x10' }, 'p')).toEqual([1, 10, 100, 1000]);
  });
  it('linear steps avoid float drift and include `to`', () => {
    expect(expandRange({ from: 100, to: 300, step: 100 }, 'p')).toEqual([100, 200, 300]);
    expect(expandRange({ from: 0.1, to: 0.5, step: 0.1 }, 'p')).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(expandRange({ from: 1, to: 10, step: 4 }, 'p')).toEqual([1, 5, 9]);
    expect(expandRange({ from: 5, to: 5, step: 1 }, 'p')).toEqual([5]);
  });
  it('refuses empty or unbounded ranges, naming the field', () => {
    expect(() => expandRange({ from: 9, to: 1, step: 1 }, 'params.cpus')).toThrow(/params\.cpus: from 9 is above to 1/);
    expect(() => expandRange({ from: 0, to: 8, step: 'x2' }, 'params.cpus')).toThrow(/params\.cpus\.from: got 0; a geometric range/);
    expect(() => expandRange({ from: 1, to: 8, step: 'x1' }, 'params.cpus')).toThrow(/params\.cpus\.step/);
    expect(() => expandRange({ from: 0, to: 1e9, step: 1 }, 'params.cpus')).toThrow(/at most 100000/);
  });
});

describe('grid', () => {
  it('is the cartesian product, first parameter slowest, replications innermost', () => {
    const s = sweep({ params: { cpus: { from: 2, to: 8, step: 'x2' }, hz: [250, 1000] }, replications: 2 });
    expect(pts(s)).toEqual([
      { cpus: 2, hz: 250 }, { cpus: 2, hz: 1000 }, { cpus: 4, hz: 250 }, { cpus: 4, hz: 1000 }, { cpus: 8, hz: 250 }, { cpus: 8, hz: 1000 },
    ]);
    expect(s.config.points).toBe(6);
    expect(s.config.cells).toBe(12);
    const cells = [...s.cells()];
    expect(cells.map((c) => [c.params.cpus, c.params.hz, c.replication])).toEqual(
      [2, 4, 8].flatMap((c) => [250, 1000].flatMap((h) => [0, 1].map((r) => [c, h, r]))),
    );
    expect(cells.map((c) => c.ordinal)).toEqual([...Array(12).keys()]);
    for (const c of cells) {
      expect(c.scenario.cpus).toBe(c.params.cpus);
      expect(c.scenario.hz).toBe(c.params.hz);
    }
  });

  it('gives replication r the seed base + r and replication r at every point (common random numbers)', () => {
    const s = sweep({ params: { cpus: [2, 4] }, replications: 3, seed: 40 });
    for (const c of s.cells()) {
      expect(c.scenario.seed).toBe(40 + c.replication);
      expect(c.scenario.replication).toBe(c.replication);
      expect(c.scenario.strategies).toEqual(['v4.14']);
    }
    // Without a sweep seed, the base scenario's seed is the base (fuse-selftest: 1).
    expect([...sweep({ replications: 2 }).cells()].map((c) => c.scenario.seed)).toEqual([1, 2]);
  });

  it('sets nested parameters by dotted path, into arrays too', () => {
    const s = Sweep.fromJson({
      name: 'n', base: { cpus: 4, pages: 8, cpuClasses: [{ cpus: '1', class: 'idle' }], workload: { producers: [{ cpus: '1-3', ratePerMs: 0.1 }] } },
      params: { 'workload.producers[0].ratePerMs': [0.1, 0.2], 'cpuClasses[0].class': ['busy', 'rt'] },
    });
    const cells = [...s.cells()];
    expect(cells.map((c) => [c.scenario.workload.producers[0]!.ratePerMs, c.scenario.cpuClasses[0]!.class])).toEqual([
      [0.1, 'busy'], [0.1, 'rt'], [0.2, 'busy'], [0.2, 'rt'],
    ]);
    expect(cells[0]!.params).toEqual({ 'workload.producers[0].ratePerMs': 0.1, 'cpuClasses[0].class': 'busy' });
  });

  it('sweeps presets with the "preset" parameter', () => {
    const s = sweep({ params: { preset: ['fuse-selftest', 'rt-spinner'] } });
    expect([...s.cells()].map((c) => c.scenario.name)).toEqual(['fuse-selftest', 'rt-spinner']);
  });
});

describe('constraints', () => {
  it('filters points with expressions over parameters and scenario fields (defaults too)', () => {
    const s = sweep({ params: { cpus: [2, 4, 8], pages: [2, 64, 1024] }, constraints: ['cpus * pages <= 1024 && files == 1'] });
    expect(pts(s)).toEqual([
      { cpus: 2, pages: 2 }, { cpus: 2, pages: 64 }, { cpus: 4, pages: 2 }, { cpus: 4, pages: 64 }, { cpus: 8, pages: 2 }, { cpus: 8, pages: 64 },
    ]);
  });
  it('accepts the object form and word operators', () => {
    const s = sweep({ params: { cpus: [2, 4, 8], hz: [100, 1000] }, constraints: [{ param: 'cpus', op: '!=', value: 4 }, 'not (hz == 100 and cpus > 2)'] });
    expect(pts(s)).toEqual([{ cpus: 2, hz: 100 }, { cpus: 2, hz: 1000 }, { cpus: 8, hz: 1000 }]);
  });
  it('compares strings', () => {
    const s = sweep({ params: { kernel: ['4.14', '6.18'], cpus: [2, 4] }, constraints: ["kernel != '4.14' || cpus == 2"] });
    expect(pts(s)).toEqual([{ kernel: '4.14', cpus: 2 }, { kernel: '6.18', cpus: 2 }, { kernel: '6.18', cpus: 4 }]);
  });
  it('is a small language, not JavaScript: no calls, no property tricks, no assignment', () => {
    for (const bad of ['process.exit(1)', 'cpus = 3', '`x`', 'cpus; 1', 'a ? b : c', 'cpus[0](1)']) {
      expect(() => parseExpr(bad), bad).toThrow();
    }
    // Names resolve to own fields of the scenario only, never to a prototype's.
    for (const bad of ['workload.constructor == null', 'costs.__proto__ == null', 'toString == null', 'this.constructor == null']) {
      expect(() => sweep({ params: { cpus: [2] }, constraints: [bad] }), bad).toThrow(/constraints\[0\]/);
    }
    expect(evalExpr(parseExpr('-(2 + 3) * 4 % 7 == -6'), () => 0)).toBe(true);
    expect(evalExpr(parseExpr('1 < 2 and 2 < 3'), () => 0)).toBe(true);
    expect(() => evalExpr(parseExpr('"a" < 2'), () => 0)).toThrow(/needs numbers/);
  });
  it('reports a bad constraint with its index', () => {
    expect(() => sweep({ params: { cpus: [2] }, constraints: ['cpus <<= 2'] })).toThrow(/constraints\[0\]/);
    expect(() => sweep({ params: { cpus: [2] }, constraints: ['cpus + 1'] })).toThrow(/constraints\[0\]: must be true or false/);
    expect(() => sweep({ params: { cpus: [2] }, constraints: ['nosuch > 1'] })).toThrow(/constraints\[0\]: unknown scenario field "nosuch"/);
  });
});

describe('validation', () => {
  const err = (o: unknown): string => {
    try {
      Sweep.fromJson(o, 'x.json');
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('names the field and the allowed values', () => {
    expect(err({ base: 'fuse-selftest' })).toMatch(/name/);
    expect(err({ name: 'x', base: 'nope' })).toMatch(/base: unknown preset "nope"; allowed: .*fuse-selftest/);
    expect(err({ name: 'x', base: 'fuse-selftest', params: { cpus: { from: 1, to: 4, step: 'double' } } })).toMatch(/params\.cpus.*step/);
    expect(err({ name: 'x', base: 'fuse-selftest', params: { nosuch: [1] } })).toMatch(/params\.nosuch: unknown scenario field "nosuch"; allowed: preset, name, description, kernel/);
    expect(err({ name: 'x', base: 'fuse-selftest', replications: 0 })).toMatch(/replications: allowed: 1\.\.1000000/);
    expect(err({ name: 'x', base: 'fuse-selftest', strategies: ['v9'] })).toMatch(/strategies.*allowed: v4\.14, no-drain/);
    expect(err({ name: 'x', base: 'fuse-selftest', bogus: 1 })).toMatch(/unknown field\(s\) "bogus" in the sweep; allowed: name/);
    expect(err({ name: 'x', base: 'fuse-selftest', params: { preset: ['nope'] } })).toMatch(/params\.preset: unknown preset "nope"/);
  });
  it('names the cell whose scenario does not resolve', () => {
    // fuse-selftest uses CPU 1, so 1 CPU is not enough.
    const s = sweep({ params: { cpus: [1, 2] } });
    expect(() => [...s.cells()]).toThrow(/the cell \{"cpus":1\}: script\[\d\]\.cpu: got 1; allowed: 0\.\.0/);
    expect(() => [...sweep({ params: { hz: [123] } }).cells()]).toThrow(/invalid scenario \(sweep t, the cell \{"hz":123\}\)/);
  });
});
