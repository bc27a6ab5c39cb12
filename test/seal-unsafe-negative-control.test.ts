// `unsafe` is 0 for every real strategy, and a broken strategy makes it fire (it is not dead code).
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { presetNames, presetScenario } from '../src/scenario/presets.ts';
import { runResolved, simulate } from '../src/sim/run.ts';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { broken } from './support/broken-strategy.ts';

const pinned = resolveScenario({
  cpus: 2, pages: 4, hz: 1000,
  script: [
    { atMs: 0, cpu: 1, op: 'pin', pages: '0-1', forMs: 500 },
    { atMs: 10, cpu: 0, op: 'seal' },
  ],
});

describe('unsafe counter', () => {
  it('fires for a strategy that skips the wait for pins', () => {
    const run = simulate(pinned, broken, Arena.create(planArena(1, 4, 2, 14)));
    expect(run.strategy).toBe(broken.name);
    expect(run.seals[0].result).toBe('ok');
    expect(run.seals[0].unsafe).toBe(true);
    expect(run.summary.unsafe).toBe(1);
  });

  it('stays 0 for every strategy on every preset', () => {
    for (const name of presetNames()) {
      const s = presetScenario(name);
      for (const run of runResolved(s, { strategies: [...STRATEGIES.keys()] }).runs) {
        expect({ preset: name, strategy: run.strategy, unsafe: run.summary.unsafe }).toEqual({ preset: name, strategy: run.strategy, unsafe: 0 });
      }
    }
  });
});
