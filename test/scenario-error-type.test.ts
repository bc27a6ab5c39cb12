// A schema failure is a ScenarioError carrying its issues as data: callers tell it apart by type.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { ScenarioError, UsageError } from '../src/errors.ts';
import { Sweep } from '../src/sweep/grid.ts';

describe('ScenarioError', () => {
  it('carries each bad field with its message, and is a UsageError (exit 2)', () => {
    let err: unknown;
    try {
      resolveScenario({ cpus: 0, hz: 333 }, 'inline');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err).toBeInstanceOf(UsageError);
    const issues = (err as ScenarioError).issues.map((i) => i.path).sort();
    expect(issues).toEqual(['cpus', 'hz']);
    expect((err as ScenarioError).source).toBe('inline');
  });
  it('a range error outside the schema stays a plain UsageError, and a sweep names the cell for it', () => {
    const s = Sweep.fromJson({ name: 'x', base: { cpus: 2, script: [{ atMs: 0, cpu: 1, op: 'seal' }] }, params: { cpus: [1] }, replications: 1 });
    expect(() => [...s.cells()]).toThrow(/the cell \{"cpus":1\}: script\[0\]\.cpu/);
  });
});
