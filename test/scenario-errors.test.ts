// Each line of a bad-input error names its field once ("cpus: allowed: 1..8192", not "cpus: cpus: ...").
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { Sweep } from '../src/sweep/grid.ts';

const badScenarios: unknown[] = [
  { cpus: 9000 }, { cpus: 'x' }, { files: 0 }, { pages: 0 }, { pagevecSize: 40 }, { seed: -1 }, { hz: 7 },
  { costs: { tagSetNs: 'a' } }, { costs: { tagSetNs: -1 } },
  { script: [{ op: 'drain', atMs: 0, cpu: -1 }] }, { script: [{ op: 'seal', atMs: 0, file: 'a' }] },
  { workload: { producers: [{ cpus: 'all', ratePerMs: 0 }] } },
  { workload: { producers: [{ cpus: 'all', ratePerMs: 1, pages: {} }] } },
  { workload: { pins: [{ cpus: 'all', ratePerMs: 1, duration: { dist: 'nope' } }] } },
  { workload: { lifecycles: [{ ratePerMs: 1, files: 3 }] } },
];
const badSweeps: unknown[] = [
  { name: '', base: 'x' },
  { name: 'a', base: 'fuse-selftest', replications: 0, seed: -2, strategies: ['nope'] },
  { name: 'a', base: 'fuse-selftest', constraints: [{ param: 'cpus', op: '=~', value: 1 }] },
];

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

/** A line `  a.b[0].c: c: ...` or `  a.b: a.b: ...` names its field twice. */
function twice(line: string): boolean {
  const m = /^ {2}(\S+): (.*)$/.exec(line);
  if (!m) return false;
  const last = m[1].replace(/\[\d+\]$/, '').split('.').pop()!;
  return m[2].startsWith(`${m[1]}:`) || m[2].startsWith(`${last}:`) || m[2].startsWith(`${last} `);
}

describe('error texts', () => {
  it('the duplicate-field detector itself fires on the old form', () => {
    expect(twice('  cpus: cpus: allowed 1..8192')).toBe(true);
    expect(twice('  workload.producers[0].ratePerMs: ratePerMs must be > 0')).toBe(true);
    expect(twice('  cpus: allowed: 1..8192')).toBe(false);
  });

  it('scenario errors name each field once, with what is allowed', () => {
    for (const raw of badScenarios) {
      const lines = message(() => resolveScenario(raw)).split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(twice(line), line).toBe(false);
    }
    expect(message(() => resolveScenario({ cpus: 9000 }))).toBe('invalid scenario (inline):\n  cpus: allowed: 1..8192');
  });

  it('sweep errors name each field once', () => {
    for (const raw of badSweeps) {
      for (const line of message(() => Sweep.fromJson(raw)).split('\n').slice(1)) expect(twice(line), line).toBe(false);
    }
  });
});
