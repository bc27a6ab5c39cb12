/**
 * How much work a resolved scenario asks for, estimated before it runs, and the limits that keep
 * every accepted scenario finite in time and memory (a schema-valid `horizonMs: 1e9` or
 * `ratePerMs: 8192` would otherwise run CPU-bound for hours).
 *
 * The estimate counts, per strategy:
 *   events     expected arrivals of every generator (rate x CPUs listed x its window; lifecycles
 *              capped by their files) plus the script's ops: what the event engine processes;
 *   pageSteps  pages touched: batches written or pinned, a tag walk over the file's pages per
 *              seal, a pagevec scan over every CPU per drain_all, the arena itself;
 *   and 4 counters per load window of the horizon (horizonMs / load.windowMs), counted as events
 *              (a schema-valid horizonMs of 2^31 made 2e7 windows: 1.9 GB and 15 s per strategy).
 * Both are multiplied by the number of strategies (each runs the whole scenario). Memory is bounded
 * separately by the arena plan (src/wasm/layout.ts, 4 GiB). Over a limit is exit 2 naming the limit,
 * the estimate, and DRAINLAB_MAX_EVENTS / DRAINLAB_MAX_PAGE_STEPS to raise it deliberately.
 *
 * The defaults sit well above every shipped preset and the default study (the largest,
 * large-busy-machine, estimates 2.0e6 events and 4.8e8 page steps, huge-memfd 1.4e9 page steps) and well below what
 * takes more than a few minutes on one core (the engine runs ~1e6-1e7 events/s).
 */
import { UsageError } from '../errors.ts';
import { parseCpuList, parsePages } from './lists.ts';
import { LOAD_DEFAULTS } from './schema.ts';
import type { Scenario } from './resolve.ts';

export const DEFAULT_MAX_EVENTS = 100_000_000;
export const DEFAULT_MAX_PAGE_STEPS = 50_000_000_000;
export const EVENTS_ENV = 'DRAINLAB_MAX_EVENTS';
export const PAGE_STEPS_ENV = 'DRAINLAB_MAX_PAGE_STEPS';

export interface WorkEstimate {
  events: number;
  pageSteps: number;
  strategies: number;
}

function envLimit(name: string, dflt: number, env: NodeJS.ProcessEnv): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 1) throw new UsageError(`${name}: got ${JSON.stringify(v)}; allowed: a number >= 1`);
  return n;
}

export function workLimits(env: NodeJS.ProcessEnv = process.env): { events: number; pageSteps: number } {
  return { events: envLimit(EVENTS_ENV, DEFAULT_MAX_EVENTS, env), pageSteps: envLimit(PAGE_STEPS_ENV, DEFAULT_MAX_PAGE_STEPS, env) };
}

const span = (ranges: [number, number][]) => ranges.reduce((n, [lo, hi]) => n + hi - lo, 0);

/** The work estimate of a resolved scenario (see the module comment). */
export function estimateWork(s: Scenario): WorkEstimate {
  let events = 0;
  let pageSteps = s.files * s.pages + s.cpus * s.pagevecSize;
  const win = (g: { startMs: number; endMs?: number }) => Math.max(0, Math.min(g.endMs ?? s.horizonMs, s.horizonMs) - g.startMs);
  const ncpus = (field: string, list: string) => parseCpuList(field, list, s.cpus).length;
  const pagesOf = (field: string, spec: number | string | number[] | undefined) => (spec === undefined ? s.pages : span(parsePages(field, spec, s.pages)));
  const w = s.workload;
  w.producers.forEach((g, i) => {
    const n = g.ratePerMs * ncpus(`workload.producers[${i}].cpus`, g.cpus) * win(g);
    events += n;
    pageSteps += n * g.batch;
  });
  w.pins.forEach((g, i) => {
    const n = g.ratePerMs * ncpus(`workload.pins[${i}].cpus`, g.cpus) * win(g);
    events += 2 * n; // pin and unpin
    pageSteps += 2 * n * g.batch;
  });
  w.seals.forEach((g, i) => {
    const n = g.ratePerMs * ncpus(`workload.seals[${i}].cpus`, g.cpus) * win(g);
    events += n;
    pageSteps += n * (s.pages + s.cpus);
  });
  w.drainAll.forEach((g, i) => {
    const n = g.ratePerMs * ncpus(`workload.drainAll[${i}].cpus`, g.cpus) * win(g);
    events += n * (1 + s.cpus);
    pageSteps += n * s.cpus * s.pagevecSize;
  });
  w.localDrain.forEach((g, i) => {
    const n = g.ratePerMs * ncpus(`workload.localDrain[${i}].cpus`, g.cpus) * win(g);
    events += n;
    pageSteps += n * s.pagevecSize;
  });
  w.cpuClass.forEach((g, i) => {
    events += 2 * g.ratePerMs * ncpus(`workload.cpuClass[${i}].cpus`, g.cpus) * win(g);
  });
  w.lifecycles.forEach((g, i) => {
    const n = Math.min(g.ratePerMs * ncpus(`workload.lifecycles[${i}].sealCpus`, g.sealCpus) * win(g), parseCpuList(`workload.lifecycles[${i}].files`, g.files, s.files).length);
    events += 4 * n;
    pageSteps += n * (g.writePages + 2 * g.pinPages + s.pages + s.cpus);
  });
  s.script.forEach((o, i) => {
    events += 1;
    if ('pages' in o) pageSteps += pagesOf(`script[${i}].pages`, o.pages);
    if (o.op === 'seal') pageSteps += s.pages + s.cpus;
    if (o.op === 'drainAll') {
      events += s.cpus;
      pageSteps += s.cpus * s.pagevecSize;
    }
  });
  // The load meter (src/metrics/load.ts) keeps, and reports, 4 counters per window of the horizon.
  events += 4 * Math.ceil(s.horizonMs / (s.load?.windowMs ?? LOAD_DEFAULTS.windowMs));
  const k = s.strategies.length;
  return { events: Math.ceil(events * k), pageSteps: Math.ceil(pageSteps * k), strategies: k };
}

const fmt = (n: number) => (n >= 1e6 ? n.toExponential(2) : String(Math.round(n)));

/** Refuses a scenario whose estimate passes a limit; returns the estimate otherwise. */
export function checkWork(s: Scenario, source: string, env: NodeJS.ProcessEnv = process.env): WorkEstimate {
  const est = estimateWork(s);
  const lim = workLimits(env);
  if (!(est.events <= lim.events)) {
    throw new UsageError(
      `${source}: an estimated ${fmt(est.events)} events (${est.strategies} strategies x the workload's rates x CPUs x horizonMs ${s.horizonMs}); ` +
        `the limit is ${fmt(lim.events)} (lower horizonMs, ratePerMs, the CPU lists or the strategies, or raise it deliberately with ${EVENTS_ENV}=N)`,
    );
  }
  if (!(est.pageSteps <= lim.pageSteps)) {
    throw new UsageError(
      `${source}: an estimated ${fmt(est.pageSteps)} page steps (${est.strategies} strategies x pages touched by writes, pins, seal walks and drains); ` +
        `the limit is ${fmt(lim.pageSteps)} (lower pages, the rates or horizonMs, or raise it deliberately with ${PAGE_STEPS_ENV}=N)`,
    );
  }
  return est;
}
