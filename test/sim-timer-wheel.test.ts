// OP2.2b sleeps on the timer wheel (kernel/time/timer.c calc_index): a level-0 sleep of j jiffies
// ends at the (j+1)-th tick; sleeps of >= 63 jiffies round up to 8-jiffy buckets.
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/sim/machine.ts';
import { resolveScenario } from '../src/scenario/resolve.ts';
import { Arena } from '../src/wasm/core.ts';
import { planArena } from '../src/wasm/layout.ts';
import { STRATEGY_NAMES } from '../src/scenario/strategy-names.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';

function machineAt(hz: 100 | 250 | 300 | 1000, nowNs: number): Machine {
  const s = resolveScenario({ hz, cpus: 1, pages: 1, costs: { timerSlackNs: 0 } });
  const m = new Machine(s, Arena.create(planArena(1, 1, 1, 14)));
  m.engine.at(nowNs, () => {});
  m.engine.run(nowNs);
  return m;
}

describe('timer wheel', () => {
  it('HZ=250: 2 jiffies from mid-tick end at the 3rd tick boundary', () => {
    expect(machineAt(250, 10_000_000).timerWakeAt(2) / 1e6).toBe(20); // jiffy 2 -> expires 4 -> bucket 5
  });
  it('HZ=1000: 80 jiffies are level 1, rounded up to a multiple of 8', () => {
    expect(machineAt(1000, 83_000_000).timerWakeAt(80) / 1e6).toBe(168); // 163 -> (163 >> 3) + 1 = 21 -> 168
    expect(machineAt(1000, 83_000_000).timerWakeAt(40) / 1e6).toBe(124); // level 0: 123 + 1
  });
});

describe('strategy registry', () => {
  it('names.ts lists exactly the registered strategies', () => {
    expect([...STRATEGIES.keys()]).toEqual([...STRATEGY_NAMES]);
  });
});
