/**
 * When the wait loop re-checks, in ticks after the tick that preceded the seal (OP2.2b, C2).
 * Scan n >= 1 sleeps (HZ << n) / 200 jiffies with schedule_timeout_killable; since v4.8 the timer
 * wheel files a level-0 timer one bucket past its expiry (kernel/time/timer.c calc_index:
 * `expires = (expires >> LVL_SHIFT(lvl)) + 1`), so each sleep ends at the (j+1)-th tick after
 * the current one. Measured on 6.18, HZ=250: re-checks after 3, 9, 20 and 41 ticks, not the
 * 2, 7, 17, 37 of the formula alone (docs/calibration.md).
 */
export const LAST_SCAN = 4; // C1

/** Sleep of scan n in jiffies (C2): (HZ << n) / 200, integer division. */
export function sleepJiffies(hz: number, scan: number): number {
  return Math.floor((hz << scan) / 200);
}

/**
 * Tick index of each pass: [0 (scan 0, no sleep), then scans 1..4], counted from the tick before
 * the seal, as [earliest, latest]. `extra` is the per-sleep round-up (1 with the v4.8+ wheel, 0
 * for the bare formula). A sleep of 63 jiffies or more (HZ=1000 scan 4: 80) lands in wheel level
 * 1, whose 8-jiffy buckets make it end 1..8 jiffies past its expiry depending on the absolute
 * jiffy count, which a relative count cannot know; at HZ <= 300 every sleep stays in level 0.
 */
export function recheckTickRanges(hz: number, extra = 1): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  let lo = 0, hi = 0;
  for (let n = 1; n <= LAST_SCAN; n++) {
    const j = sleepJiffies(hz, n);
    const level1 = extra > 0 && j >= 63; // LVL_START(1) = 63
    lo += j + extra;
    hi += j + (level1 ? 8 : extra);
    out.push([lo, hi]);
  }
  return out;
}

/** The earliest tick of each pass (exact at HZ <= 300; see recheckTickRanges). */
export function recheckTicks(hz: number, extra = 1): number[] {
  return recheckTickRanges(hz, extra).map(([lo]) => lo);
}

/** Re-check times (ns from the seal call) for a seal that started `phaseNs` after a tick. */
export function recheckTimesNs(hz: number, phaseNs: number, slackNs = 0): number[] {
  const tick = 1e9 / hz;
  return recheckTicks(hz).map((t, i) => (i === 0 ? 0 : t * tick - phaseNs + slackNs));
}
