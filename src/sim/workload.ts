/**
 * The scenario's stochastic generators (docs/scenario-format.md, "Workload generators"). Each
 * (generator, CPU) is a Poisson process with its own counter-based stream keyed by
 * (seed, replication, generator kind, generator index, CPU), so every strategy of a run, and every
 * worker count, sees the same arrivals (common random numbers). Arrivals are scheduled one at a
 * time, so memory does not grow with the horizon.
 */
import { sampleDuration } from './duration.ts';
import { parseCpuList, parsePages } from '../scenario/lists.ts';
import { CounterRng, rngKey } from '../stats/rng.ts';
import { STREAM } from './machine.ts';
import { applyOp, producePage, type Op, type OpContext } from './ops.ts';
import type { Engine } from './engine.ts';
import { startReplay } from './trace-source.ts';

const KINDS = ['producers', 'pins', 'seals', 'drainAll', 'localDrain', 'cpuClass'] as const;
const LIFECYCLES = KINDS.length;
/** The bhLookups generators' kind in the PRNG key (after the lifecycles, 6, and the replay's fitted pages, 7). */
const BH_LOOKUPS = 8;

export { sampleDuration } from './duration.ts';

/**
 * A Poisson process: `fire(atMs)` at startMs + Exp, then every Exp after, up to `end` (ms). The
 * next gap is drawn after `fire` has drawn its own variates (their order in the stream is part
 * of the results). One closure per process, however many arrivals.
 */
function arrivals(engine: Engine, rng: CounterRng, startMs: number, ratePerMs: number, end: number, fire: (atMs: number) => void): void {
  let t = startMs + rng.exponential(1 / ratePerMs);
  const step = () => {
    fire(t);
    t += rng.exponential(1 / ratePerMs);
    if (t <= end) engine.at(t * 1e6, step);
  };
  if (t <= end) engine.at(t * 1e6, step);
}

export function startWorkload(ctx: OpContext): void {
  startGenerators(ctx);
  startLifecycles(ctx);
  startBhLookups(ctx);
  if (ctx.m.s.workload.replay) startReplay(ctx, ctx.m.s.workload.replay); // trace-driven arrivals (docs/traces.md)
}

/**
 * The memfd hand-off, the sealing users' common case: each arrival takes the generator's next
 * file (each is sealed once), a random writer CPU writes `writePages` new pages into it (they
 * park in that CPU's lru_add pagevec), optionally pins `pinPages` of them for a while, and
 * `delayMs` later the arrival's seal CPU seals it.
 */
function startLifecycles(ctx: OpContext): void {
  const { m } = ctx;
  const s = m.s;
  s.workload.lifecycles.forEach((g, gi) => {
    const files = parseCpuList(`workload.lifecycles[${gi}].files`, g.files, s.files);
    const writers = parseCpuList(`workload.lifecycles[${gi}].writerCpus`, g.writerCpus, s.cpus);
    const end = Math.min(g.endMs ?? s.horizonMs, s.horizonMs);
    let next = 0;
    for (const cpu of parseCpuList(`workload.lifecycles[${gi}].sealCpus`, g.sealCpus, s.cpus)) {
      const rng = new CounterRng(rngKey(s.seed, s.replication, STREAM.WORKLOAD, LIFECYCLES, gi, cpu), 0, m.uniform);
      arrivals(m.engine, rng, g.startMs, g.ratePerMs, end, (t) => {
        if (next >= files.length) return;
        m.generating = true;
        const file = files[next++];
        const writer = writers[rng.int(writers.length)];
        applyOp(ctx, { op: 'write', atMs: t, cpu: writer, file, pages: 0, compound: false, ranges: [[0, g.writePages]] });
        if (g.pinPages > 0 && g.pinDuration) {
          applyOp(ctx, { op: 'pin', atMs: t, cpu: writer, file, pages: 0, compound: false, forMs: sampleDuration(g.pinDuration, rng), ranges: [[0, g.pinPages]] });
        }
        m.generating = false;
        m.engine.after(g.delayMs * 1e6, () => {
          m.generating = true;
          applyOp(ctx, { op: 'seal', atMs: t + g.delayMs, cpu, file, sealSeal: false });
          m.generating = false;
        });
      });
    }
  });
}

/** Buffer-head lookups: each arrival fills its CPU's bh LRU (the bhLookup op). */
function startBhLookups(ctx: OpContext): void {
  const { m } = ctx;
  const s = m.s;
  s.workload.bhLookups?.forEach((g, gi) => {
    const end = Math.min(g.endMs ?? s.horizonMs, s.horizonMs);
    for (const cpu of parseCpuList(`workload.bhLookups[${gi}].cpus`, g.cpus, s.cpus)) {
      const rng = new CounterRng(rngKey(s.seed, s.replication, STREAM.WORKLOAD, BH_LOOKUPS, gi, cpu), 0, m.uniform);
      arrivals(m.engine, rng, g.startMs, g.ratePerMs, end, () => m.bhLookup(cpu));
    }
  });
}

function startGenerators(ctx: OpContext): void {
  const { m } = ctx;
  const s = m.s;
  const horizon = s.horizonMs;
  KINDS.forEach((kind, k) => {
    s.workload[kind].forEach((g, gi) => {
      const cpus = parseCpuList(`workload.${kind}[${gi}].cpus`, g.cpus, s.cpus);
      const end = Math.min(g.endMs ?? horizon, horizon);
      const spec = (g as { pages?: number | string | number[] }).pages;
      const ranges = spec !== undefined ? parsePages(`workload.${kind}[${gi}].pages`, spec, s.pages) : [[0, s.pages]];
      const span = ranges.reduce((n, [lo, hi]) => n + hi - lo, 0);
      const nth = (i: number) => {
        // The i-th page of the generator's ranges (sequential pick wraps around).
        let j = i % span;
        for (let r = 0; r < ranges.length; r++) {
          const lo = ranges[r][0];
          const len = ranges[r][1] - lo;
          if (j < len) return lo + j;
          j -= len;
        }
        return 0;
      };
      let cursor = 0;
      /** The first page of the next batch (sequential picks advance the cursor). */
      const firstOf = (rng: CounterRng, batch: number, pick: 'sequential' | 'random'): number => {
        if (pick === 'random') return rng.int(span);
        const first = cursor;
        cursor = (cursor + batch) % span;
        return first;
      };
      const pagesFor = (rng: CounterRng, batch: number, pick: 'sequential' | 'random'): [number, number][] => {
        const first = firstOf(rng, batch, pick);
        if (span === 0) return [];
        // Index loops, here and in nth: this runs for every produced batch, and for-of iterators are garbage.
        const p0 = nth(first);
        const out: [number, number][] = [[p0, p0 + 1]];
        for (let b = 1; b < Math.min(batch, span); b++) {
          const p = nth(first + b);
          const last = out[out.length - 1];
          if (last[1] === p) last[1]++;
          else out.push([p, p + 1]);
        }
        return out;
      };
      for (const cpu of cpus) {
        const rng = new CounterRng(rngKey(s.seed, s.replication, STREAM.WORKLOAD, k, gi, cpu), 0, m.uniform);
        arrivals(m.engine, rng, g.startMs, g.ratePerMs, end, (atMs) => {
          let op: Op;
          switch (kind) {
            case 'producers': {
              const p = g as (typeof s.workload.producers)[number];
              if (p.batch === 1 && span > 0) {
                const page = nth(firstOf(rng, 1, p.pick));
                if (p.rotate) m.arena.truncate(p.file, page, page + 1);
                m.generating = true;
                producePage(m, p.op, cpu, p.file, page);
                m.generating = false;
                return;
              }
              op = { op: p.op, atMs, cpu, file: p.file, pages: 0, compound: false, ranges: pagesFor(rng, p.batch, p.pick) };
              // A ring: the pages come back fresh (the resolver allows rotate only on a log nothing else uses).
              if (p.rotate) for (const [lo, hi] of op.ranges!) m.arena.truncate(p.file, lo, hi);
              break;
            }
            case 'pins': {
              const p = g as (typeof s.workload.pins)[number];
              op = { op: 'pin', atMs, cpu, file: p.file, pages: 0, compound: false, forMs: sampleDuration(p.duration, rng), ranges: pagesFor(rng, p.batch, 'random') };
              break;
            }
            case 'seals':
              op = { op: 'seal', atMs, cpu, file: (g as (typeof s.workload.seals)[number]).file, sealSeal: false };
              break;
            case 'drainAll':
              op = { op: 'drainAll', atMs, cpu };
              break;
            case 'localDrain':
              op = { op: 'drain', atMs, cpu };
              break;
            case 'cpuClass': {
              const c = g as (typeof s.workload.cpuClass)[number];
              op = { op: 'cpuClass', atMs, cpu, class: c.class, forMs: c.forMs };
              break;
            }
          }
          m.generating = true;
          applyOp(ctx, op);
          m.generating = false;
        });
      }
    });
  });
}
