/**
 * Named scenarios shipped with the lab (docs/scenario-format.md). Each description says
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
    question: 'docs/kernel-model.md E1.1/E1.2: a 1 s FUSE direct-IO pin makes the first seal fail; must the second succeed, and does it without drain_all?',
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
    question: 'docs/kernel-model.md E2.8: when the CPU holding the parked pages runs a SCHED_FIFO spinner, how long does each strategy hold the inode lock (unbounded on the 2017 kernels, whose RT_RUNTIME_SHARE never throttles a lone spinner)?',
    scenario: {
      name: 'rt-spinner',
      description: 'A SCHED_FIFO task on CPU 1 did one write() (its pages sit in its lru_add pagevec) and spins for 2.5 s; CPU 0 seals at 100 ms. On 4.14 and 4.16 RT_RUNTIME_SHARE is on: the lone spinner borrows runtime from CPU 0 and is never throttled, so the kworker runs only when the spinner stops (v4.14 holds the inode lock ~2.4 s). From 5.10 (the feature off) RT throttling (950 of 1000 ms) lets it in.',
      kernel: '4.14', hz: 250, cpus: 2, pages: 8, seed: 1, horizonMs: 3000,
      cpuClasses: [{ cpus: '1', class: 'rt' }],
      script: [
        { atMs: 0, cpu: 1, op: 'write', pages: '0-7' },
        { atMs: 100, cpu: 0, op: 'seal' },
        { atMs: 2500, cpu: 1, op: 'cpuClass', class: 'idle' },
      ],
    },
  },
  'idle-many-cpus': {
    question: 'What does draining every time (David) cost on an idle 1024-CPU box with no pins, against draining only when something is tagged?',
    scenario: idleManyCpus(),
  },
  'fadvise-storm': {
    question: 'Every CPU produces pages and fadvise(DONTNEED)-style callers hammer lru_add_drain_all(): how long do seals wait on the drain mutex, and what do piggyback and targeting save?',
    scenario: fadviseStorm(),
  },
  'isolated-cpus': {
    question: 'nohz_full CPUs with parked pages of other files: how many isolated CPUs does each strategy disturb per seal?',
    scenario: isolatedCpus(),
  },
  'concurrent-sealers': {
    question: 'docs/kernel-model.md E2.11: 16 seals on 16 files at once, each needing drain_all: serialised by the mutex (4.14) or piggybacked (5.5+)?',
    scenario: concurrentSealers(),
  },
  'huge-memfd': {
    question: 'A 16M-page memfd on a 1024-CPU machine: the tag walk dominates; what does each strategy add on top, and does a long pin still fail the seal?',
    scenario: hugeMemfd(),
  },
  'large-busy-machine': {
    question: 'A 256-CPU box where every CPU keeps producing pages and background callers drain: what does sealing a 4M-page (16 GiB) memfd cost each strategy?',
    scenario: largeBusyMachine(),
  },
  'lockdep-2017': {
    question: 'docs/kernel-model.md E2.10 and section F: with cpuhp state setup and a splice into devtmpfs, which strategies close the 2017 lock cycle?',
    scenario: {
      name: 'lockdep-2017',
      description: 'modprobe msr (cpuhp setup waiting on an AP callback that creates a devtmpfs node), a splice into a devtmpfs file, and an F_SEAL_WRITE that needs drain_all: the chain of the syzbot splat.',
      kernel: '4.14', hz: 250, cpus: 4, pages: 8, seed: 1, horizonMs: 1000,
      script: [
        { atMs: 0, cpu: 2, op: 'cpuhpSetup' },
        { atMs: 0, cpu: 3, op: 'spliceDevtmpfs' },
        { atMs: 0, cpu: 1, op: 'write', pages: '0-7' },
        { atMs: 0, cpu: 1, op: 'pin', pages: '0', forMs: 1 },
        { atMs: 10, cpu: 0, op: 'seal' },
      ],
    },
  },
};

/**
 * A seal on a fresh memfd every `everyMs`: memfd i (i >= first) is written by `writer(i)` and
 * sealed by CPU 0 `delayMs` later.
 */
function memfdLifecycles(n: number, first: number, everyMs: number, delayMs: number, pages: number, writer: (i: number) => number) {
  const script: NonNullable<ScenarioInput['script']> = [];
  for (let i = 0; i < n; i++) {
    const t = 10 + i * everyMs;
    script.push({ atMs: t, cpu: writer(i), op: 'write', file: first + i, pages: `0-${pages - 1}` });
    script.push({ atMs: t + delayMs, cpu: 0, op: 'seal', file: first + i });
  }
  return script;
}

function idleManyCpus(): ScenarioInput {
  return {
    name: 'idle-many-cpus',
    description: '1024 mostly idle CPUs; each writes a page to a log file now and then (so many pagevecs are not empty); CPU 0 fills a fresh 8-page memfd itself and seals it every 50 ms. Nothing is ever pinned.',
    kernel: '4.14', hz: 250, cpus: 1024, files: 41, pages: 4096, seed: 7, horizonMs: 2100,
    workload: { producers: [{ cpus: '1-1023', ratePerMs: 0.002, op: 'write', file: 0, pages: 'all', batch: 1, pick: 'sequential' }] },
    script: memfdLifecycles(40, 1, 50, 1, 8, () => 0),
  };
}

function fadviseStorm(): ScenarioInput {
  return {
    name: 'fadvise-storm',
    description: '64 busy CPUs each produce fresh pages into a shared, rotating file; 8 of them call lru_add_drain_all() (fadvise DONTNEED) 20 times a second each; CPU 0 seals a fresh memfd, written by a remote CPU, every 40 ms.',
    kernel: '4.14', hz: 250, cpus: 64, files: 41, pages: 65536, seed: 11, horizonMs: 1800,
    cpuClasses: [{ cpus: '1-63', class: 'busy' }],
    workload: {
      // rotate: each write a fresh page. Filled once, the file's fresh pages thinned out as it
      // filled: pagevec adds fell from 43 to 24 per CPU per 100 ms over the horizon (the load
      // self-check's warning), so the early and the late seals met different machines.
      producers: [{ cpus: '1-63', ratePerMs: 0.5, op: 'write', file: 0, pages: 'all', batch: 1, pick: 'random', rotate: true }],
      drainAll: [{ cpus: '56-63', ratePerMs: 0.02 }],
    },
    script: memfdLifecycles(40, 1, 40, 2, 6, (i) => 1 + (i % 55)),
  };
}

function isolatedCpus(): ScenarioInput {
  const script: NonNullable<ScenarioInput['script']> = [];
  // The isolated application on CPUs 4-15 wrote a few pages of its own file once (they stay parked).
  script.push(...memfdLifecycles(30, 1, 50, 2, 4, (i) => 1 + (i % 3)));
  return {
    name: 'isolated-cpus',
    description: '16 CPUs, 4-15 nohz_full and isolated; the isolated application writes a page of its own file every 20 ms on each (they park in the pagevecs); housekeeping CPUs 1-3 write fresh memfds that CPU 0 seals every 50 ms.',
    kernel: '4.14', hz: 250, cpus: 16, files: 31, pages: 4096, seed: 3, horizonMs: 1700,
    cpuClasses: [{ cpus: '4-15', class: 'isolated' }],
    workload: { producers: [{ cpus: '4-15', ratePerMs: 0.05, op: 'write', file: 0, pages: 'all', batch: 1, pick: 'sequential' }] },
    script,
  };
}

function concurrentSealers(): ScenarioInput {
  const script: NonNullable<ScenarioInput['script']> = [];
  for (let i = 0; i < 16; i++) script.push({ atMs: 0, cpu: 16 + i, op: 'write', file: i, pages: '0-3' });
  // The sealed memfds are small: pages 0-3 of each.
  for (let i = 0; i < 16; i++) script.push({ atMs: 5, cpu: i, op: 'seal', file: i });
  return {
    name: 'concurrent-sealers',
    description: '32 busy CPUs that all keep producing pages of a log file; memfd i is written by CPU 16+i (its pages park there) and sealed by CPU i; all 16 seals start at 5 ms.',
    kernel: '4.14', hz: 250, cpus: 32, files: 17, pages: 65536, seed: 5, horizonMs: 1000,
    cpuClasses: [{ cpus: '0-31', class: 'busy' }],
    workload: { producers: [{ cpus: '0-31', ratePerMs: 0.2, op: 'write', file: 16, pages: 'all', batch: 1, pick: 'sequential' }] },
    script,
  };
}

function largeBusyMachine(): ScenarioInput {
  const pages = 4 << 20;
  const script: NonNullable<ScenarioInput['script']> = [
    { atMs: 0, cpu: 0, op: 'write', file: 0, pages: `0-${pages - 1}` },
    { atMs: 5, cpu: 7, op: 'pin', file: 0, pages: '1000-1999', forMs: 600 },
  ];
  for (const t of [100, 400, 700, 1000, 1300, 1600]) script.push({ atMs: t, cpu: 0, op: 'seal', file: 0 });
  return {
    name: 'large-busy-machine',
    description: '256 busy CPUs all producing pages of a log file; CPUs 200-255 call lru_add_drain_all() now and then (compaction, fadvise); a 4M-page memfd written by CPU 0 has 1000 pages direct-IO pinned for 600 ms; CPU 0 seals it every 300 ms.',
    kernel: '4.14', hz: 250, cpus: 256, files: 2, pages, seed: 4, horizonMs: 2000,
    cpuClasses: [{ cpus: 'all', class: 'busy' }],
    workload: {
      producers: [{ cpus: 'all', ratePerMs: 0.05, op: 'write', file: 1, pages: 'all', batch: 1, pick: 'sequential' }],
      drainAll: [{ cpus: '200-255', ratePerMs: 0.005 }],
    },
    script,
  };
}

function hugeMemfd(): ScenarioInput {
  const pages = 16 << 20;
  const script: NonNullable<ScenarioInput['script']> = [{ atMs: 0, cpu: 0, op: 'write', pages: `0-${pages - 1001}` }];
  // The last 1000 pages are written by CPUs 1-1000, one each: 1000 non-empty pagevecs.
  for (let c = 1; c <= 1000; c++) script.push({ atMs: 1, cpu: c, op: 'write', pages: pages - 1001 + c });
  script.push({ atMs: 2, cpu: 5, op: 'pin', pages: '123456', forMs: 1500 });
  for (const t of [100, 500, 900, 1300, 1700]) script.push({ atMs: t, cpu: 0, op: 'seal' });
  return {
    name: 'huge-memfd',
    description: 'One 16M-page (64 GiB) memfd on 1024 CPUs: written by CPU 0, its last 1000 pages by CPUs 1-1000; a 1.5 s direct-IO pin on one page; CPU 0 seals every 400 ms until it succeeds.',
    kernel: '4.14', hz: 250, cpus: 1024, pages, seed: 16, horizonMs: 2500,
    script,
  };
}

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

/** True for the name of a shipped preset; inherited names (__proto__, constructor, toString) are not. */
export function isPreset(name: unknown): name is string {
  return typeof name === 'string' && Object.hasOwn(PRESETS, name);
}

export function presetScenario(name: string, calibration?: Partial<Costs>): Scenario {
  const p = isPreset(name) ? PRESETS[name] : undefined;
  if (!p) throw new UsageError(`--preset: unknown preset ${JSON.stringify(name)}; allowed: ${presetNames().join(', ')}`);
  return resolveScenario(p.scenario, `preset ${name}`, calibration);
}
