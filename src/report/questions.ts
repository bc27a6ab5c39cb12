/**
 * The question each scenario asks, and the metrics that answer it. Presets state their question
 * (src/scenario/presets.ts); the default study's sweeps (src/study/study.ts) are listed here by
 * scenario name. A scenario not listed is asked what it costs each strategy, in its own words.
 */
import { PRESETS } from '../scenario/presets.ts';

export interface Question {
  question: string;
  /** Registry metric names that answer it, most telling first. */
  metrics: string[];
  /** Charts that show it. */
  charts: string[];
}

const PRESET_METRICS: Record<string, { metrics: string[]; charts: string[] }> = {
  'debate-2017': { metrics: ['spuriousRate', 'latencyMs.p99', 'cpusPerSeal'], charts: ['latency-cdf'] },
  'fuse-selftest': { metrics: ['ebusy', 'drainAllCalls'], charts: ['seal-timeline'] },
  'rt-spinner': { metrics: ['lockHoldMs.p99', 'latencyMs.p99'], charts: ['seal-timeline', 'disturbance-by-class'] },
  'idle-many-cpus': { metrics: ['cpusPerSeal', 'drainCpuMs'], charts: ['disturbance-by-class'] },
  'fadvise-storm': { metrics: ['mutexWaitMs.p99', 'latencyMs.p99'], charts: ['latency-cdf'] },
  'isolated-cpus': { metrics: ['isolatedDisturbances'], charts: ['disturbance-by-class'] },
  'concurrent-sealers': { metrics: ['latencyMs.p99', 'drainAllCalls'], charts: ['latency-cdf'] },
  'huge-memfd': { metrics: ['latencyMs.p99', 'ebusy'], charts: ['latency-cdf'] },
  'large-busy-machine': { metrics: ['latencyMs.p99', 'cpusPerSeal'], charts: ['latency-cdf', 'disturbance-by-class'] },
  'lockdep-2017': { metrics: ['lockdepCycles'], charts: [] },
};

/** The default study's sweeps, by the scenario name their base scenario carries. */
const STUDY: Record<string, Question> = {
  'memfd hand-offs': {
    question: 'Busy CPUs, 1 to 1024 of them, hand fresh memfds to a sealer: where does each strategy break down as the machine grows?',
    metrics: ['latencyMs.p99', 'cpusPerSeal'], charts: ['p99-vs-cpus', 'cpus-vs-cpus', 'lockhold-vs-cpus'],
  },
  'memfd hand-offs with pins': {
    question: 'Direct-IO pins of 1 to 200 ms on the handed-off memfds: when is EBUSY real, and when spurious?',
    metrics: ['ebusyRate', 'spuriousRate'], charts: ['ebusy-vs-pin', 'spurious-vs-pin'],
  },
  'pages parked per CPU': {
    question: 'How many pages parked in a writer CPU\'s pagevec make a seal without the drain fail?',
    metrics: ['spuriousRate'], charts: ['spurious-vs-pages'],
  },
};

export function questionOf(scenario: string, description?: string): Question {
  const p = PRESETS[scenario];
  if (p) return { question: p.question, ...(PRESET_METRICS[scenario] ?? { metrics: ['latencyMs.p99', 'ebusy', 'cpusPerSeal'], charts: [] }) };
  const s = STUDY[scenario];
  if (s) return s;
  return {
    question: `${description ? `${description} ` : ''}What does each strategy cost here against the baseline?`,
    metrics: ['latencyMs.p99', 'ebusy', 'spuriousRate', 'cpusPerSeal'],
    charts: [],
  };
}
