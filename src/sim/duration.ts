/** Draws from a scenario duration (docs/scenario-format.md, "Durations"), in ms. */
import type { Duration } from '../scenario/schema.ts';
import type { CounterRng } from '../stats/rng.ts';

export function sampleDuration(d: Duration, rng: CounterRng): number {
  switch (d.dist) {
    case 'fixed':
      return d.ms;
    case 'exponential':
      return rng.exponential(d.meanMs);
    case 'uniform':
      return d.minMs + rng.next() * (d.maxMs - d.minMs);
    case 'lognormal':
      return d.medianMs * Math.exp(d.sigma * rng.normal());
    case 'empirical':
      return d.samplesMs[rng.int(d.samplesMs.length)];
  }
}
