/**
 * One live progress line per sweep on stderr (cells done/total, rate, ETA), drawn by cli-progress
 * and only when stderr is a terminal; otherwise (or with --quiet) nothing until the final summary
 * line. Results never go through here.
 */
import { termSafe } from '../io/text.ts';
import cliProgress from 'cli-progress';

export interface Progress {
  /** A cell finished (ok or failed). */
  tick(failed: boolean): void;
  stop(): void;
}

const fmtRate = (r: number) => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));

export function progressLine(name: string, total: number, already: number, enabled: boolean): Progress {
  if (!enabled || total === 0) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${termSafe(name).replace(/[{}]/g, '')} {bar} {value}/{total} cells | {rate} cells/s | ETA {eta_formatted} | {failed} failed`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  let ran = 0;
  let failed = 0;
  bar.start(total, already, { rate: '-', failed: 0 });
  return {
    tick(f: boolean) {
      ran++;
      if (f) failed++;
      const rate = ran / ((performance.now() - t0) / 1000);
      bar.increment(1, { rate: fmtRate(rate), failed });
    },
    stop() {
      bar.stop();
    },
  };
}

export { fmtRate };
