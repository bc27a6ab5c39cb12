/**
 * The validation suite: docs/kernel-model.md section e cases as scenarios with their expected outcome
 * and timing, at HZ 1000 and 250 (`drainlab validate`, and test/validate-cases.test.ts).
 * "≈ t" in the model means: no earlier than the nominal re-check point of C2, and within
 * SLACK_MS after it (the timer wheel ends a sleep of j jiffies at the (j+1)-th tick, rounded up
 * to 8 jiffies for sleeps of 63 jiffies or more, plus wake-up latency).
 */
import type { ScenarioInput } from '../scenario/schema.ts';
import { KERNEL_CONSTANTS, type Hz } from '../kernel/versions.ts';
import { PRESETS } from '../scenario/presets.ts';
import type { SealRecord, StrategyRun } from '../metrics/record.ts';

export const SLACK_MS = 20;
const HZS = [1000, 250] as const;

/** C2: cumulative nominal re-check times after scan 0, in ms, for HZ. */
export function nominalRechecks(hz: number): number[] {
  let t = 0;
  return [1, 2, 3, 4].map((n) => (t += (Math.floor((hz << n) / 200) * 1000) / hz));
}

export interface Expectation {
  strategy: string;
  /** Which seal (in start order); omit for run-level checks only. */
  seal?: number;
  result?: SealRecord['result'];
  /** Latency window (ms). */
  latencyMs?: [number, number];
  spurious?: boolean;
  passes?: number;
  drainAllCalls?: number;
  /** CPUs the seal's drain work reached. */
  cpusInterrupted?: number;
  minLockHoldMs?: number;
  maxLockHoldMs?: number;
  /** Run level: drain_all passes of all seals (E2.11), and the lockdep cycle expected, or none (E2.10). */
  drainPasses?: [number, number];
  lockdepCycle?: string[] | 'none';
}

export interface ValidationCase {
  id: string;
  title: string;
  hz: number;
  scenario: ScenarioInput;
  expect: Expectation[];
}

const lat = (hz: number, k: number): [number, number] => {
  const t = k === 0 ? 0 : nominalRechecks(hz)[k - 1];
  return [t, t + (k === 0 ? 1 : SLACK_MS)];
};

const base = (hz: Hz, extra: Partial<ScenarioInput>): ScenarioInput => ({
  kernel: '4.14', hz, cpus: 4, pages: 4, seed: 1, horizonMs: 2000, strategies: ['v4.14', 'no-drain', 'v4.16', 'drain-unlocked'], ...extra,
});

const every = (strategies: string[], e: Omit<Expectation, 'strategy'>): Expectation[] => strategies.map((strategy) => ({ strategy, ...e }));
const ALL = ['v4.14', 'no-drain', 'v4.16', 'drain-unlocked'];
/** Nothing to drain: no drain_all, no pass; drain-unlocked drains anyway, "at the price of draining every time" [M6]. */
const noDrainNeeded = (): Expectation[] => [
  ...every(['v4.14', 'no-drain', 'v4.16'], { seal: 0, result: 'ok', passes: 0, drainAllCalls: 0, latencyMs: [0, 0.1] }),
  { strategy: 'drain-unlocked', seal: 0, result: 'ok', passes: 0, drainAllCalls: 1, latencyMs: [0, 0.1] },
];
const DRAINING = ['v4.14', 'v4.16', 'drain-unlocked'];

function casesAt(hz: Hz): ValidationCase[] {
  const c = (id: string, title: string, scenario: ScenarioInput, expect: Expectation[]): ValidationCase => ({ id, title, hz, scenario: { name: `${id} HZ=${hz}`, ...scenario }, expect });
  // A page faulted and pinned by a direct-IO reader on CPU 1 (its lru_add pagevec holds it too);
  // the sealer on CPU 0 unmaps (draining CPU 0 only) and seals at 10 ms; the pin goes at `release`.
  const pinCase = (release: number) =>
    base(hz, {
      script: [
        { atMs: 0, cpu: 1, op: 'fault', pages: '0-1' },
        { atMs: 0, cpu: 1, op: 'pin', pages: '0-1', forMs: 10 + release },
        { atMs: 10, cpu: 0, op: 'unmap', pages: '0-1' },
        { atMs: 10, cpu: 0, op: 'seal' },
      ],
    });
  return [
    c('E1.1+E1.2', 'fuse_test: a 1 s pin fails the first seal; the second must succeed (no-drain fails it spuriously)',
      base(hz, { pages: 2, script: PRESETS['fuse-selftest'].scenario.script }),
      [
        ...every(ALL, { seal: 0, result: 'EBUSY', latencyMs: lat(hz, 4), spurious: false }),
        ...every(DRAINING, { seal: 1, result: 'ok', latencyMs: [0, 1] }),
        { strategy: 'no-drain', seal: 1, result: 'EBUSY', spurious: true, latencyMs: lat(hz, 4) },
      ]),
    c('E1.3', 'a shared writable mapping: EBUSY at once, no scan; after munmap the seal succeeds',
      base(hz, {
        script: [
          { atMs: 0, cpu: 0, op: 'mmapShared' },
          { atMs: 0, cpu: 1, op: 'write', pages: '0-3' },
          { atMs: 10, cpu: 0, op: 'seal' },
          { atMs: 20, cpu: 0, op: 'munmapShared' },
          { atMs: 20, cpu: 1, op: 'drain' },
          { atMs: 30, cpu: 0, op: 'seal' },
        ],
      }),
      [...every(ALL, { seal: 0, result: 'EBUSY', latencyMs: [0, 0.1], passes: 0, drainAllCalls: 0 }), ...every(ALL, { seal: 1, result: 'ok' })]),
    c('E1.4', 'a new memfd with no pins: F_SEAL_WRITE succeeds at once',
      base(hz, { script: [{ atMs: 0, cpu: 0, op: 'write', pages: '0-3' }, { atMs: 0, cpu: 0, op: 'drain' }, { atMs: 5, cpu: 0, op: 'seal' }] }),
      noDrainNeeded()),
    c('E1.5', 'F_SEAL_SEAL set: a later F_ADD_SEALS gives EPERM',
      base(hz, { script: [{ atMs: 0, cpu: 0, op: 'seal', sealSeal: true }, { atMs: 5, cpu: 0, op: 'seal' }] }),
      [...every(ALL, { seal: 0, result: 'ok' }), ...every(ALL, { seal: 1, result: 'EPERM' })]),
    c('E2.1', "pages only in the sealing CPU's pagevec: the local drain clears them; no drain_all, no sleep",
      base(hz, { script: [{ atMs: 0, cpu: 0, op: 'write', pages: '0-3' }, { atMs: 5, cpu: 0, op: 'seal' }] }),
      noDrainNeeded()),
    c('E2.2', "pages only in a remote CPU's pagevec: one drain_all, no sleep; no-drain fails spuriously at the last re-check",
      base(hz, { script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 5, cpu: 0, op: 'seal' }] }),
      [
        ...every(['v4.14', 'v4.16'], { seal: 0, result: 'ok', passes: 1, drainAllCalls: 1, latencyMs: [0, 1] }),
        { strategy: 'drain-unlocked', seal: 0, result: 'ok', passes: 0, drainAllCalls: 1, latencyMs: [0, 1] },
        { strategy: 'no-drain', seal: 0, result: 'EBUSY', spurious: true, latencyMs: lat(hz, 4) },
      ]),
    c('E2.3', 'a pin released at 5 ms is noticed at the first re-check', pinCase(5),
      every(DRAINING, { seal: 0, result: 'ok', latencyMs: lat(hz, 1) })),
    c('E2.4', 'a pin released at 100 ms: the ≈70 ms re-check still sees it, the ≈150 ms one does not (ok at ≈150, not 100)', pinCase(100),
      every(DRAINING, { seal: 0, result: 'ok', latencyMs: lat(hz, 4) })),
    c('E2.5', 'a pin released at 200 ms: EBUSY at the ≈150 ms final re-check', pinCase(200),
      every(ALL, { seal: 0, result: 'EBUSY', spurious: false, latencyMs: lat(hz, 4), passes: 5 })),
    c('E2.6', 'a fatal signal during a sleep makes that pass the last: EBUSY at once if still pinned',
      { ...pinCase(1000), script: [...(pinCase(1000).script ?? []), { atMs: 30, cpu: 0, op: 'signal' }] },
      every(ALL, { seal: 0, result: 'EBUSY', spurious: false, latencyMs: [20, 21] })),
    c('E2.7', 'a page pinned after the tag pass is not noticed: the seal succeeds (the caller must prevent it)',
      base(hz, {
        strategies: ['v4.14', 'v4.16'],
        script: [
          { atMs: 0, cpu: 1, op: 'write', pages: '0' },
          { atMs: 0, cpu: 2, op: 'write', pages: '1-3' },
          { atMs: 0, cpu: 2, op: 'drain' },
          { atMs: 5, cpu: 0, op: 'seal' },
          // After the tag pass (5.002 ms), while drain_all waits for CPU 1's kworker.
          { atMs: 5.01, cpu: 3, op: 'pin', pages: '2', forMs: 500 },
        ],
      }),
      every(['v4.14', 'v4.16'], { seal: 0, result: 'ok', passes: 1, latencyMs: [0, 1] })),
    c('E2.8', 'an RT spinner on the CPU holding the pages, RT_RUNTIME_SHARE off: v4.14 holds the inode lock for most of the RT period',
      base(hz, { cpus: 2, rtRuntimeShare: false, cpuClasses: [{ cpus: '1', class: 'rt' }], script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 100, cpu: 0, op: 'seal' }] }),
      [
        ...every(['v4.14', 'v4.16'], { seal: 0, result: 'ok', minLockHoldMs: 500 }),
        { strategy: 'drain-unlocked', seal: 0, result: 'ok', maxLockHoldMs: 1, latencyMs: [500, 1000] },
        { strategy: 'no-drain', seal: 0, result: 'EBUSY', spurious: true, maxLockHoldMs: 200 },
      ]),
    c('E2.8-remote', 'an RT spinner on the CPU holding the pages: remote-drain drains it from the caller, no kworker, no wait',
      base(hz, { cpus: 2, rtRuntimeShare: false, strategies: ['remote-drain', 'targeted'], cpuClasses: [{ cpus: '1', class: 'rt' }], script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 100, cpu: 0, op: 'seal' }] }),
      [{ strategy: 'remote-drain', seal: 0, result: 'ok', latencyMs: [0, 1], maxLockHoldMs: 1 }, { strategy: 'targeted', seal: 0, result: 'ok', minLockHoldMs: 500 }]),
    ...rtRuntimeShare(hz),
    c('MGLRU-6.1', '6.1: a page re-read on CPU 1 waits in its activate batch with the classic LRU (no-drain fails spuriously, v4.16 drains it); with the multi-gen LRU nothing is parked',
      base(hz, { kernel: '6.1', strategies: ['no-drain', 'v4.16'], script: REREAD }),
      [{ strategy: 'no-drain', seal: 0, result: 'EBUSY', spurious: true }, { strategy: 'v4.16', seal: 0, result: 'ok', passes: 1, drainAllCalls: 1, latencyMs: [0, 1] }]),
    c('MGLRU-6.12', '6.12 with mglru: true: the re-read page is not parked; no-drain and v4.16 succeed without draining anything',
      base(hz, { kernel: '6.12', mglru: true, strategies: ['no-drain', 'v4.16'], script: REREAD }),
      every(['no-drain', 'v4.16'], { seal: 0, result: 'ok', passes: 0, drainAllCalls: 0, latencyMs: [0, 0.1] })),
    ...busySealer(hz),
    ...bhLru(hz),
    ...fillRule(hz),
  ];
}

/** Page 0 written and drained on CPU 1 (it is on the LRU, referenced), then read again there (mark_accessed -> activate batch); CPU 0 seals. */
const REREAD: ScenarioInput['script'] = [
  { atMs: 0, cpu: 1, op: 'write', pages: '0' },
  { atMs: 0, cpu: 1, op: 'drain' },
  { atMs: 1, cpu: 1, op: 'read', pages: '0' },
  { atMs: 5, cpu: 0, op: 'seal' },
];

/**
 * RT_RUNTIME_SHARE (on by default before 5.10, 2586af1ac187): a lone SCHED_FIFO spinner on CPU 1
 * for 1.5 s is never throttled, so the kworker that must drain CPU 1 runs only when it stops:
 * v4.14 holds the inode lock from 100 ms until then. With the feature off (5.10's default, or
 * the scenario's override) throttling lets the kworker in at 950 ms.
 */
function rtRuntimeShare(hz: Hz): ValidationCase[] {
  const sc = (kernel: '4.14' | '5.10', share?: boolean) => base(hz, {
    kernel, cpus: 2, strategies: ['v4.14'], ...(share === undefined ? {} : { rtRuntimeShare: share }),
    script: [
      { atMs: 0, cpu: 1, op: 'cpuClass', class: 'rt', forMs: 1500 },
      { atMs: 0, cpu: 1, op: 'write', pages: '0-3' },
      { atMs: 100, cpu: 0, op: 'seal' },
    ],
  });
  const c = (id: string, title: string, scenario: ScenarioInput, expect: Expectation[]): ValidationCase => ({ id, title, hz, scenario: { name: `${id} HZ=${hz}`, ...scenario }, expect });
  return [
    c('RT_RUNTIME_SHARE-4.14', 'v4.14 (RT_RUNTIME_SHARE on): the lone spinner is never throttled; the inode lock is held until it stops at 1.5 s',
      sc('4.14'), [{ strategy: 'v4.14', seal: 0, result: 'ok', minLockHoldMs: 1399, maxLockHoldMs: 1401, latencyMs: [1399, 1401] }]),
    c('RT_RUNTIME_SHARE-4.14-off', 'v4.14 with rtRuntimeShare: false: throttled at 950 ms, the lock held ~850 ms',
      sc('4.14', false), [{ strategy: 'v4.14', seal: 0, result: 'ok', minLockHoldMs: 849, maxLockHoldMs: 851 }]),
    c('RT_RUNTIME_SHARE-5.10', '5.10 (the feature off by default): throttled at 950 ms',
      sc('5.10'), [{ strategy: 'v4.14', seal: 0, result: 'ok', minLockHoldMs: 849, maxLockHoldMs: 851 }]),
  ];
}

/**
 * The sealer's own wake-up on a busy CPU: a pin on CPU 1's page is released at 5 ms, so the first
 * re-check (after a sleep of t1, ending one tick later on the timer wheel) ends the seal. The
 * sealer's CPU 0 runs a CFS hog. On 6.12 (EEVDF) with
 * sealerBusyPreemptProb 0 and full preemption the woken sealer runs at the next tick, one tick
 * after the timer's; on 4.14 (CFS: the woken sleeper preempts the hog at once) it does not wait.
 */
function busySealer(hz: Hz): ValidationCase[] {
  const tick = 1000 / hz;
  const t1 = nominalRechecks(hz)[0];
  const sc = (kernel: '4.14' | '6.12') => base(hz, {
    kernel, strategies: ['v4.16'], preempt: 'full', costs: { sealerBusyPreemptProb: 0 }, cpuClasses: [{ cpus: '0', class: 'busy' }],
    script: [
      { atMs: 0, cpu: 1, op: 'fault', pages: '0-1' },
      { atMs: 0, cpu: 1, op: 'pin', pages: '0-1', forMs: 13 },
      { atMs: 8, cpu: 0, op: 'unmap', pages: '0-1' },
      { atMs: 8, cpu: 0, op: 'seal' }, // on a tick at HZ 250 and 1000: the timer ends at t1 + one tick
    ],
  });
  const c = (id: string, title: string, scenario: ScenarioInput, expect: Expectation[]): ValidationCase => ({ id, title, hz, scenario: { name: `${id} HZ=${hz}`, ...scenario }, expect });
  return [
    c('BUSY-SEALER-6.12', `6.12 (EEVDF), a CFS hog on the sealing CPU, no wake-up preemption: the first re-check runs a tick (${tick} ms) after its timer`,
      sc('6.12'), [{ strategy: 'v4.16', seal: 0, result: 'ok', latencyMs: [t1 + 2 * tick, t1 + 2 * tick + 0.5] }]),
    c('BUSY-SEALER-4.14', '4.14 (CFS sleeper credit): the same sealer preempts the hog at once; the re-check is within a tick of its timer',
      sc('4.14'), [{ strategy: 'v4.16', seal: 0, result: 'ok', latencyMs: [t1 + tick, t1 + tick + 0.5] }]),
  ];
}

/**
 * The buffer-head LRU (docs/kernel-model.md OP5'): CPU 0 looks up a buffer head at 1 ms, CPU 1
 * holds the memfd's page, CPU 0 seals at 5 ms. From v5.15 (6.1+ here) the seal's drain_all also
 * queues work on CPU 0 itself, after its own local drain, because only that work empties the bh
 * LRU; on 5.10 it reaches CPU 1 only. Drain work run on CPU 0 in between (a background drain_all
 * at 2 ms, before CPU 1's page exists) empties it; a local lru_add_drain() does not.
 */
function bhLru(hz: Hz): ValidationCase[] {
  const sc = (kernel: '5.10' | '6.18', between: ScenarioInput['script']) => base(hz, {
    kernel, strategies: ['v4.16'],
    script: [{ atMs: 1, cpu: 0, op: 'bhLookup' }, ...between!, { atMs: 3, cpu: 1, op: 'write', pages: '0' }, { atMs: 5, cpu: 0, op: 'seal' }],
  });
  const c = (id: string, title: string, scenario: ScenarioInput, cpus: number): ValidationCase =>
    ({ id, title, hz, scenario: { name: `${id} HZ=${hz}`, ...scenario }, expect: [{ strategy: 'v4.16', seal: 0, result: 'ok', drainAllCalls: 1, cpusInterrupted: cpus, latencyMs: [0, 1] }] });
  return [
    c('BH-LRU-6.18', "6.18: a bh in the sealing CPU's LRU: drain work on CPU 1 (the page) and on CPU 0 itself", sc('6.18', []), 2),
    c('BH-LRU-6.18-local', "6.18: the sealer's CPU drained locally at 2 ms: the bh stays, CPU 0 still gets work", sc('6.18', [{ atMs: 2, cpu: 0, op: 'drain' }]), 2),
    c('BH-LRU-6.18-work', '6.18: drain work ran on CPU 0 at 2 ms (a background drain_all): the bh LRU is empty, CPU 1 only', sc('6.18', [{ atMs: 2, cpu: 2, op: 'drainAll' }]), 1),
    c('BH-LRU-5.10', "5.10: drain_all does not look at the bh LRU: CPU 1 only", sc('5.10', []), 1),
  ];
}

/** The 2017 chain (section F), as the issue states it. */
export const CHAIN_2017 = ['cpu_hotplug_lock', 'cpuhp_state_mutex', 'cpuhp_state-completion', 'sb_writers', 'pipe->mutex', 'i_rwsem'];

/** Cases that need a shipped preset (HZ as the preset has it). */
export function presetCases(preset: (name: string) => ScenarioInput): ValidationCase[] {
  const lockdep = preset('lockdep-2017');
  const concurrent = preset('concurrent-sealers');
  return [
    {
      id: 'E2.10', hz: 250, title: 'lockdep: v4.14 closes the 2017 cycle; v4.16 and later, and strategies that never take the hotplug lock under the inode lock, do not',
      scenario: { ...lockdep, strategies: ['v4.14', 'v4.16', 'drain-unlocked', 'coalesced', 'local-first', 'remote-drain', 'lru-disable'] },
      expect: [
        { strategy: 'v4.14', lockdepCycle: CHAIN_2017 },
        ...every(['v4.16', 'drain-unlocked', 'coalesced', 'local-first', 'remote-drain', 'lru-disable'], { lockdepCycle: 'none' as const }),
      ],
    },
    {
      id: 'E2.10-6.18', hz: 250, title: 'lockdep on a 6.18 kernel: no cycle for v4.16',
      scenario: { ...lockdep, kernel: '6.18', strategies: ['v4.16'] },
      expect: [{ strategy: 'v4.16', lockdepCycle: 'none' }],
    },
    {
      id: 'E2.11', hz: 250, title: '16 concurrent sealers each needing drain_all: 16 serial passes in 4.14; the piggyback needs about 1-2',
      scenario: { ...concurrent, strategies: ['v4.14', 'coalesced'] },
      expect: [{ strategy: 'v4.14', drainPasses: [16, 16] }, { strategy: 'coalesced', drainPasses: [1, 2] }],
    },
  ];
}

/** A2 fill rule seen through seals: PAGEVEC_SIZE - 1 pages stay parked on CPU 1, PAGEVEC_SIZE drain themselves (14, 15, and the folio batches of 6.1 (15) and 6.12 (31)). */
function fillRule(hz: Hz): ValidationCase[] {
  return (['4.14', '4.16', '6.1', '6.12'] as const).flatMap((kernel) => {
    const size = KERNEL_CONSTANTS[kernel].pagevecSize;
    return [size - 1, size].map((n) => ({
      id: `A2-fill-${kernel}-${n}`,
      title: `${kernel}: ${n} pages written on CPU 1 ${n === size ? 'fill the pagevec, which drains itself' : 'stay parked in its pagevec'}; no-drain ${n === size ? 'succeeds' : 'fails spuriously'}`,
      hz,
      scenario: base(hz, { name: `fill ${kernel} ${n}`, kernel, pages: Math.max(16, size + 1), strategies: ['no-drain'], script: [{ atMs: 0, cpu: 1, op: 'write', pages: `0-${n - 1}` }, { atMs: 5, cpu: 0, op: 'seal' }] }),
      expect: [n === size ? { strategy: 'no-drain', seal: 0, result: 'ok' as const, passes: 0 } : { strategy: 'no-drain', seal: 0, result: 'EBUSY' as const, spurious: true }],
    }));
  });
}

export const VALIDATION_CASES: ValidationCase[] = HZS.flatMap(casesAt);

/** The failed checks of one expectation against a run (empty: it holds). */
export function check(e: Expectation, run: StrategyRun): string[] {
  const bad: string[] = [];
  const passes = run.summary.drainPasses ?? 0;
  if (e.drainPasses && (passes < e.drainPasses[0] || passes > e.drainPasses[1])) bad.push(`${passes} drain passes, expected ${e.drainPasses[0]}..${e.drainPasses[1]}`);
  const cycles = run.lockdep.cycles;
  if (e.lockdepCycle === 'none' && cycles.length > 0) bad.push(`lockdep cycle ${cycles[0].join(' -> ')}, expected none`);
  if (Array.isArray(e.lockdepCycle) && !cycles.some((c) => sameCycle(c, e.lockdepCycle as string[]))) bad.push(`no lockdep cycle ${e.lockdepCycle.join(' -> ')} (found ${cycles.length})`);
  if (e.seal === undefined) return bad;
  const s = run.seals[e.seal];
  if (!s) return [...bad, `seal #${e.seal} never returned`];
  const l = s.endMs - s.startMs;
  if (e.result && s.result !== e.result) bad.push(`result ${s.result}, expected ${e.result}`);
  if (e.latencyMs && (l < e.latencyMs[0] || l > e.latencyMs[1])) bad.push(`latency ${l.toFixed(3)} ms, expected ${e.latencyMs[0]}..${e.latencyMs[1]}`);
  if (e.spurious !== undefined && s.spurious !== e.spurious) bad.push(`spurious ${s.spurious}, expected ${e.spurious}`);
  if (e.passes !== undefined && s.passes !== e.passes) bad.push(`passes ${s.passes}, expected ${e.passes}`);
  if (e.drainAllCalls !== undefined && s.drainAllCalls !== e.drainAllCalls) bad.push(`drainAllCalls ${s.drainAllCalls}, expected ${e.drainAllCalls}`);
  if (e.cpusInterrupted !== undefined && s.cpusInterrupted !== e.cpusInterrupted) bad.push(`cpusInterrupted ${s.cpusInterrupted}, expected ${e.cpusInterrupted}`);
  if (e.minLockHoldMs !== undefined && s.lockHoldMs < e.minLockHoldMs) bad.push(`lock held ${s.lockHoldMs.toFixed(1)} ms, expected >= ${e.minLockHoldMs}`);
  if (e.maxLockHoldMs !== undefined && s.lockHoldMs > e.maxLockHoldMs) bad.push(`lock held ${s.lockHoldMs.toFixed(1)} ms, expected <= ${e.maxLockHoldMs}`);
  if (s.unsafe) bad.push('unsafe');
  return bad;
}

function sameCycle(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const i = a.indexOf(b[0]);
  return i >= 0 && b.every((x, k) => a[(i + k) % a.length] === x);
}

export const describeExpectation = (e: Expectation) =>
  [e.result ?? '', e.drainPasses ? `${e.drainPasses[0]}-${e.drainPasses[1]} drain passes` : '', e.cpusInterrupted !== undefined ? `${e.cpusInterrupted} CPUs hit` : '', e.lockdepCycle ? (e.lockdepCycle === 'none' ? 'no lock cycle' : 'lock cycle') : '', e.maxLockHoldMs !== undefined ? `lock<=${e.maxLockHoldMs}` : '', e.latencyMs ? `${e.latencyMs[0]}-${e.latencyMs[1]}ms` : '', e.spurious ? 'spurious' : '', e.minLockHoldMs ? `lock>=${e.minLockHoldMs}` : ''].filter(Boolean).join(' ');
