/**
 * Validation of fit-workload against a workload of known rates (probe/workload.c prints them as
 * one JSON line): each known figure beside the fitted estimate and its 95 % interval. A row
 * passes when the known value lies inside the interval, so it fails both ways (too low, too high).
 */
import type { Parameter } from './fit.ts';

export interface KnownWorkload {
  type: 'workload';
  seconds: number;
  writeRatePerCpu: number;
  sealRate: number;
  sealCpu: number;
  sealPages: number;
  pinEvery: number;
  pinMs: number;
  drainRate: number;
  fadviseCpu: number;
  cpus: number[];
  pagesWritten: number[];
  sealsOk: number;
  sealsEbusy: number;
  pins: number;
  fadviseCalls: number;
}

export interface KnownRow {
  what: string;
  parameter: string;
  known: number;
  estimate: number | null;
  ci: [number, number] | null;
  pass: boolean;
  note?: string;
}

const other = (w: KnownWorkload, cpu: number) => w.cpus.find((c) => c !== cpu) ?? cpu;

/** The rows; `tickMs` widens the pin-duration check by one jiffy (the re-check rounding). */
export function compareKnown(w: KnownWorkload, params: readonly Parameter[], tickMs: number): KnownRow[] {
  const get = (name: string) => params.find((p) => p.name === name);
  const rows: KnownRow[] = [];
  const row = (what: string, parameter: string, known: number, note?: string, widen = 0) => {
    const p = get(parameter);
    const pass = !!p && !!p.ci && known >= p.ci[0] - widen && known <= p.ci[1] + widen;
    rows.push({ what, parameter, known: Math.round(known * 1e6) / 1e6, estimate: p ? p.estimate : null, ci: p?.ci ?? null, pass, ...(note ? { note } : {}) });
  };
  w.cpus.forEach((cpu, i) => {
    // pages/ms on the CPU: the writer's, plus the sealer's memfd pages and the fadvise caller's page read there
    const writer = w.pagesWritten[i] / (w.seconds * 1000);
    const seal = w.sealRate > 0 && other(w, w.sealCpu) === cpu && cpu !== w.sealCpu ? (w.sealRate * w.sealPages) / 1000 : 0;
    const fadv = w.drainRate > 0 && other(w, w.fadviseCpu) === cpu && cpu !== w.fadviseCpu ? w.drainRate / 1000 : 0;
    row(`user pages allocated on CPU ${cpu}`, `alloc.cpu${cpu}`, writer + seal + fadv, `writer ${writer.toFixed(4)} + seal memfds ${seal} + fadvise reads ${fadv} (record and fit with --comm 'dwl-*')`);
  });
  if (w.sealRate > 0) row(`seals from CPU ${w.sealCpu}`, `seals.cpu${w.sealCpu}`, w.sealRate / 1000);
  if (w.drainRate > 0) row(`fadvise(DONTNEED) calls from CPU ${w.fadviseCpu}`, `fadvise.caller[dwl-fadv@${w.fadviseCpu}]`, w.drainRate / 1000);
  if (w.sealRate > 0 && w.pinEvery > 0) {
    row('share of seals with a pin', `seals.cpu${w.sealCpu}.pinnedShare`, 1 / w.pinEvery);
    row('pin duration (from the seal\'s start)', `seals.cpu${w.sealCpu}.pinDuration`, w.pinMs, 'the pin is taken just before the seal starts, so the known duration may exceed the interval by the set-up time; widened by one jiffy', tickMs);
  }
  return rows;
}
