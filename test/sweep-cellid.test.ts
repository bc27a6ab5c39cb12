// Cell ids: a sha256 of the canonical resolved scenario + replication + strategies + lab version.
// The same cell gets the same id however the sweep file is written (key order, a list vs a range,
// a preset name vs the same scenario inline), and any change to what the cell simulates changes it.
import { describe, expect, it } from 'vitest';
import { Sweep } from '../src/sweep/grid.ts';
import { canonicalJson, canonicalLine, cellIdOf } from '../src/sweep/canonical.ts';
import { PRESETS } from '../src/scenario/presets.ts';

const ids = (o: Record<string, unknown>) => [...Sweep.fromJson({ name: 't', base: 'fuse-selftest', ...o }).cells()].map((c) => c.cellId);

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('strips only provenance from a sweep line', () => {
    const line = JSON.stringify({ cellId: 'x', params: {}, replication: 0, record: { schema: 's', scenario: {}, provenance: { wallMs: 3 }, runs: [] } });
    expect(canonicalLine(line)).toBe('{"cellId":"x","params":{},"replication":0,"record":{"schema":"s","scenario":{},"runs":[]}}');
  });
});

describe('cellId', () => {
  const base = ids({ params: { cpus: [2, 4] }, replications: 2, strategies: ['v4.14', 'no-drain'] });

  it('is 64 hex digits, unique per cell', () => {
    expect(base).toHaveLength(4);
    for (const id of base) expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(base).size).toBe(4);
  });

  it('is stable: again, from a range, with reordered keys, or with the preset written inline', () => {
    expect(ids({ params: { cpus: [2, 4] }, replications: 2, strategies: ['v4.14', 'no-drain'] })).toEqual(base);
    expect(ids({ strategies: ['v4.14', 'no-drain'], replications: 2, params: { cpus: { from: 2, to: 4, step: 'x2' } } })).toEqual(base);
    const inline = JSON.parse(JSON.stringify(PRESETS['fuse-selftest']!.scenario)) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(inline).reverse());
    expect(ids({ base: reordered, params: { cpus: [2, 4] }, replications: 2, strategies: ['v4.14', 'no-drain'] })).toEqual(base);
  });

  it('does not depend on the sweep name, constraints that keep the cell, or other points', () => {
    expect(ids({ params: { cpus: [4] }, replications: 2, strategies: ['v4.14', 'no-drain'] })).toEqual(base.slice(2));
    expect(Sweep.fromJson({ name: 'other', base: 'fuse-selftest', params: { cpus: [2, 4, 8] }, constraints: ['cpus < 8'], replications: 2, strategies: ['v4.14', 'no-drain'] }).config.cells).toBe(4);
    expect([...Sweep.fromJson({ name: 'other', base: 'fuse-selftest', params: { cpus: [2, 4, 8] }, constraints: ['cpus < 8'], replications: 2, strategies: ['v4.14', 'no-drain'] }).cells()].map((c) => c.cellId)).toEqual(base);
  });

  it('changes with the seed, the strategies, a parameter, and the lab version', () => {
    expect(ids({ params: { cpus: [2, 4] }, replications: 2, strategies: ['v4.14', 'no-drain'], seed: 7 })).not.toContain(base[0]);
    expect(ids({ params: { cpus: [2, 4] }, replications: 2, strategies: ['no-drain', 'v4.14'] })).not.toContain(base[0]);
    expect(ids({ params: { cpus: [2, 4] }, replications: 2, strategies: ['v4.14'] })).not.toContain(base[0]);
    expect(ids({ params: { cpus: [3, 5] }, replications: 2, strategies: ['v4.14', 'no-drain'] }).some((id) => base.includes(id))).toBe(false);
    const c = [...Sweep.fromJson({ name: 't', base: 'fuse-selftest', params: { cpus: [2] } }).cells()][0]!;
    expect(cellIdOf(c.scenario, 0, '0.0.0-other')).not.toBe(c.cellId);
  });

  it('gives the replications of a point one pointId', () => {
    const cells = [...Sweep.fromJson({ name: 't', base: 'fuse-selftest', params: { cpus: [2, 4] }, replications: 3 }).cells()];
    expect(new Set(cells.map((c) => c.pointId)).size).toBe(2);
    expect(new Set(cells.filter((c) => c.params.cpus === 2).map((c) => c.pointId)).size).toBe(1);
  });
});
