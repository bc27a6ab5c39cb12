/**
 * Named scenarios shipped with the lab (CONTRACT section 1, "Presets"). Each description says
 * which question of the 2017 debate it asks. Usable wherever a scenario file is.
 */
import type { ScenarioInput } from './schema.ts';
import { resolveScenario, type Scenario } from './resolve.ts';
import type { Costs } from '../kernel/costs.ts';
import { UsageError } from '../errors.ts';

export interface Preset {
  /** The question the preset asks, in one line. */
  question: string;
  scenario: ScenarioInput;
}

export const PRESETS: Record<string, Preset> = {
  'debate-2017': {
    question: 'Does dropping lru_add_drain_all() from the pin wait (Michal) cause spurious EBUSY, and what does each fix cost? Pages parked in remote pagevecs, short direct-IO pins.',
    scenario: debate2017(),
  },
  'fuse-selftest': {
    question: 'kernel-model E1.1/E1.2: a 1 s FUSE direct-IO pin makes the first seal fail; must the second succeed, and does it without drain_all?',
    scenario: {
      name: 'fuse-selftest',
      description: 'tools/testing/selftests/memfd/fuse_test.c: a 2-page memfd is faulted and GUP-pinned by a reader on CPU 1 for 1 s; the sealer on CPU 0 unmaps at 200 ms and seals, then seals again at 1200 ms.',
      kernel: '4.14', hz: 1000, cpus: 4, pages: 2, seed: 1, horizonMs: 3000,
      script: [
        { atMs: 0, cpu: 1, op: 'fault', pages: '0-1' },
        { atMs: 0, cpu: 1, op: 'pin', pages: '0-1', forMs: 1000 },
        { atMs: 200, cpu: 0, op: 'unmap', pages: '0-1' },
        { atMs: 200, cpu: 0, op: 'seal' },
        { atMs: 1200, cpu: 0, op: 'seal' },
      ],
    },
  },
  'rt-spinner': {
    question: 'kernel-model E2.8: when the CPU holding the parked pages runs a SCHED_FIFO spinner, how long does each strategy hold the inode lock?',
    scenario: {
      name: 'rt-spinner',
      description: 'A SCHED_FIFO task on CPU 1 did one write() (its pages sit in its lru_add pagevec) and spins; CPU 0 seals at 100 ms. RT throttling (950 of 1000 ms) is all that lets the kworker in.',
      kernel: '4.14', hz: 250, cpus: 2, pages: 8, seed: 1, horizonMs: 3000,
      cpuClasses: [{ cpus: '1', class: 'rt' }],
      script: [
        { atMs: 0, cpu: 1, op: 'write', pages: '0-7' },
        { atMs: 100, cpu: 0, op: 'seal' },
      ],
    },
  },
};

/**
 * The 2017 thread's case as a memfd life cycle (the sealing users of the time: a producer fills a
 * fresh memfd and hands it to a consumer who seals it). 48 memfds of 32 pages on an 8-CPU 4.14
 * box: memfd i is written by CPU 1 + i mod 7 (6..25 new pages, so some stay in that CPU's
 * lru_add pagevec), every third one is also direct-IO pinned for 2..41 ms, and CPU 0 seals it
 * 10 ms after the write.
 */
function debate2017(): ScenarioInput {
  const script: NonNullable<ScenarioInput['script']> = [];
  for (let i = 0; i < 48; i++) {
    const t = 5 + i * 60;
    const cpu = 1 + (i % 7);
    const n = 6 + ((i * 7) % 20);
    script.push({ atMs: t, cpu, op: 'write', file: i, pages: `0-${n - 1}` });
    if (i % 3 === 0) script.push({ atMs: t + 1, cpu, op: 'pin', file: i, pages: '0-3', forMs: 2 + ((i * 13) % 40) });
    script.push({ atMs: t + 10, cpu: 0, op: 'seal', file: i });
  }
  return {
    name: 'debate-2017',
    description: 'An 8-CPU 4.14 box: 48 memfds, each written by one of CPUs 1-7 (its new pages park in that CPU\'s lru_add pagevec), some briefly direct-IO pinned, each sealed by CPU 0 10 ms later.',
    kernel: '4.14', hz: 250, cpus: 8, files: 48, pages: 32, seed: 2017, horizonMs: 3500, script,
  };
}

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function presetScenario(name: string, calibration?: Partial<Costs>): Scenario {
  const p = PRESETS[name];
  if (!p) throw new UsageError(`--preset: unknown preset ${JSON.stringify(name)}; allowed: ${presetNames().join(', ')}`);
  return resolveScenario(p.scenario, `preset ${name}`, calibration);
}
