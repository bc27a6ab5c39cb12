/**
 * The sweep charts, one spec each: tail latency and lock hold against the CPU count, total and
 * spurious EBUSY against the pin duration (side by side), spurious EBUSY against the pages parked
 * per CPU with PAGEVEC_SIZE marked. Parameter names are those the study and the example sweeps
 * write (`cpus`, `workload.lifecycles[0].pinDuration.ms`, `workload.lifecycles[0].writePages`).
 */
import { metric } from '../../metrics/registry.ts';
import { KERNEL_CONSTANTS, type KernelVersion } from '../../kernel/versions.ts';
import type { Prepared } from '../prepare.ts';
import type { Boot } from '../paired.ts';
import type { ChartData } from '../types.ts';
import { versus, type Slice } from './versus.ts';

const CPUS = { aliases: ['cpus'], pattern: /^(.*\.)?cpus$/i, needs: 'a sweep over the parameter `cpus` (at least two values)' } as const;
const PIN = { aliases: ['workload.lifecycles[0].pinDuration.ms'], pattern: /pin.*(ms|dur)|forMs$/i, needs: 'a sweep over a pin duration (e.g. `workload.lifecycles[0].pinDuration.ms`)' } as const;
const PAGES = { aliases: ['workload.lifecycles[0].writePages', 'pages'], pattern: /writePages|pages.*cpu/i, needs: 'a sweep over the pages each writer leaves (`workload.lifecycles[0].writePages`)' } as const;

export function p99VsCpus(prep: Prepared, boot: Boot): ChartData {
  return versus(prep, {
    id: 'p99-vs-cpus', title: 'Tail latency vs machine size: seal latency p99 by CPU count',
    question: 'How does the slowest 1% of seals grow as the machine gets more CPUs?', ...CPUS,
    xLabel: 'CPUs', xUnit: 'count', yLabel: 'seal latency p99', yUnit: 'ms', logY: true, value: (r) => metric('latencyMs.p99').of(r),
  }, boot);
}

export function lockHoldVsCpus(prep: Prepared, boot: Boot): ChartData {
  return versus(prep, {
    id: 'lockhold-vs-cpus', title: 'Inode lock hold vs machine size: lock hold p99 by CPU count',
    question: 'How long do writers and other sealers wait behind the inode lock as the CPU count grows?', ...CPUS,
    xLabel: 'CPUs', xUnit: 'count', yLabel: 'inode lock hold p99', yUnit: 'ms', logY: true, value: (r) => metric('lockHoldMs.p99').of(r),
  }, boot);
}

export function cpusPerSealVsCpus(prep: Prepared, boot: Boot): ChartData {
  return versus(prep, {
    id: 'cpus-vs-cpus', title: 'Disturbance vs machine size: CPUs interrupted per seal by CPU count',
    question: 'How many CPUs does each seal disturb (drain work or IPIs) as the machine grows?', ...CPUS,
    xLabel: 'CPUs', xUnit: 'count', yLabel: 'CPUs interrupted per seal', yUnit: 'CPUs/seal', logY: true, value: (r) => metric('cpusPerSeal').of(r),
  }, boot);
}

export function ebusyVsPin(prep: Prepared, boot: Boot): ChartData {
  return versus(prep, {
    id: 'ebusy-vs-pin', title: 'All failures vs pin duration: EBUSY rate (real and spurious)',
    question: 'How often does the seal fail with EBUSY at all, as pins last longer?', ...PIN,
    xLabel: 'pin duration', xUnit: 'ms', yLabel: 'EBUSY / seals', yUnit: 'fraction', logY: false,
    value: (r) => metric('ebusyRate').of(r), besideId: 'spurious-vs-pin',
    note: 'Beside it: the spurious part alone. A strategy whose spurious rate falls while its total stays high is failing for real pins, not for LRU-cache references.',
  }, boot);
}

export function spuriousVsPin(prep: Prepared, boot: Boot): ChartData {
  return versus(prep, {
    id: 'spurious-vs-pin', title: 'False failures vs pin duration: spurious EBUSY rate',
    question: 'How often does the seal fail with EBUSY although no real pin was left?', ...PIN,
    xLabel: 'pin duration', xUnit: 'ms', yLabel: 'spurious EBUSY / seals', yUnit: 'fraction', logY: false,
    value: (r) => metric('spuriousRate').of(r),
  }, boot);
}

function pagevecMarkers(slice: Slice): { x: number; label: string }[] {
  const cell = slice.cellsAt.get(slice.xs[0]!)?.[0];
  const k = (cell?.record.scenario as { kernel?: string } | undefined)?.kernel as KernelVersion | undefined;
  const size = k && KERNEL_CONSTANTS[k] ? KERNEL_CONSTANTS[k].pagevecSize : undefined;
  if (!size) return [];
  const max = slice.xs[slice.xs.length - 1]!;
  const out: { x: number; label: string }[] = [];
  for (let m = size; m <= max; m += size) out.push({ x: m, label: m === size ? `PAGEVEC_SIZE ${size}` : `${m / size} x ${size}` });
  return out;
}

export function spuriousVsPages(prep: Prepared, boot: Boot): ChartData {
  return versus(prep, {
    id: 'spurious-vs-pages', title: 'False failures vs pages parked per CPU: spurious EBUSY rate',
    question: 'Does parking more of the file\'s pages in per-CPU pagevecs make false EBUSY more likely?', ...PAGES,
    xLabel: 'pages each writer leaves', xUnit: 'pages', yLabel: 'spurious EBUSY / seals', yUnit: 'fraction', logY: false,
    value: (r) => metric('spuriousRate').of(r), markers: pagevecMarkers,
    note: 'The saw-tooth: a pagevec drains to the LRU each time it fills (PAGEVEC_SIZE pages, docs/kernel-model.md A2), so a writer that writes N pages leaves N mod PAGEVEC_SIZE of them parked. At N = PAGEVEC_SIZE and its multiples (the dashed lines) nothing stays parked and nothing can look pinned; one page more and they are parked again.',
  }, boot);
}
