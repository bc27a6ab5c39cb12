/**
 * What a seal's outcome and latency say about the GUP pins on its file, which no trace event
 * shows (a pin is a page reference; get_user_pages has no tracepoint this recorder can use).
 *
 * OP2: after the tag pass and scan 0's lru_add_drain_all, the wait loop re-checks at the
 * cumulative sleeps of (HZ << scan) / 200 jiffies (HZ 250: about 8, 28, 68, 148 ms after the
 * drain). So a seal that
 * - returned ok within a jiffy of its drain's end (or of its start, with no drain) had no pin
 *   that outlived the drain: the batch references were the only ones;
 * - returned ok later: a pin was released between the re-check before the last one and the last
 *   one, an interval for the pin's duration (measured from the seal's start);
 * - returned EBUSY after the last re-check: the pin outlived the seal (right-censored at its end).
 */
import type { SealObs } from './analyze.ts';

export interface PinInference {
  /** none: no pin outlived the drain; released: a pin went inside [loMs, hiMs]; held: the pin outlived the seal (hiMs Infinity). */
  kind: 'none' | 'released' | 'held';
  loMs: number;
  hiMs: number;
  /** The duration replay uses: the interval's midpoint, or for `held` the seal's latency + HELD_EXTRA_MS. */
  replayMs: number;
}

/** A pin that outlived its seal is held this long past the seal's end in a replay (unobservable: right-censored). */
export const HELD_EXTRA_MS = 1000;

/** Re-check times after scan 0 (ms from the drain's end): cumulative (HZ << scan) / 200 jiffies (OP2.2b). */
export function recheckOffsetsMs(hz: number): number[] {
  const out = [0];
  let jiffies = 0;
  for (let scan = 1; scan <= 4; scan++) {
    jiffies += Math.floor((hz << scan) / 200);
    out.push((jiffies * 1000) / hz);
  }
  return out;
}

export function inferPin(s: SealObs, hz: number): PinInference {
  const tickMs = 1000 / hz;
  const startMs = s.startNs / 1e6;
  const endMs = s.endNs / 1e6;
  const works = s.drainAlls.flatMap((d) => d.works);
  const drainEndMs = Math.max(startMs, ...works.map((w) => (w.endNs > 0 ? w.endNs / 1e6 : startMs)));
  const latency = endMs - startMs;
  if (s.result === 'EBUSY') return { kind: 'held', loMs: latency, hiMs: Infinity, replayMs: latency + HELD_EXTRA_MS };
  const waited = endMs - drainEndMs;
  if (s.result !== 'ok' || waited <= tickMs) return { kind: 'none', loMs: 0, hiMs: 0, replayMs: 0 };
  const offs = recheckOffsetsMs(hz);
  let k = 1;
  for (let i = 1; i < offs.length; i++) if (Math.abs(offs[i] - waited) < Math.abs(offs[k] - waited)) k = i;
  const lo = drainEndMs + offs[k - 1] - startMs;
  const hi = latency;
  return { kind: 'released', loMs: Math.max(0, lo), hiMs: hi, replayMs: (Math.max(0, lo) + hi) / 2 };
}
