/**
 * Who gets disturbed, by CPU class. Each class is normalised per seal of the runs whose machine
 * has CPUs of that class: an RT or isolated CPU exists in few scenarios, and dividing its
 * interruptions by every seal of every scenario would make its bar vanish. The y axis is
 * logarithmic so a class with 1 interruption per seal shows beside one with 200; zeros sit on
 * the floor line.
 */
import { parseCpuList } from '../../scenario/lists.ts';
import type { Prepared } from '../prepare.ts';
import type { BarsChart, ChartData, SweepCell } from '../types.ts';

const CLASS_ORDER = ['idle', 'busy', 'rt', 'isolated'];

/** The classes a cell's machine has at least one CPU of (CPUs not listed in cpuClasses are idle). */
export function classesOf(c: SweepCell): Set<string> {
  const s = c.record.scenario as { cpus?: number; cpuClasses?: { cpus: string; class: string }[] };
  const n = typeof s.cpus === 'number' ? s.cpus : 0;
  const taken = new Set<number>();
  const out = new Set<string>();
  for (const cc of s.cpuClasses ?? []) {
    let list: number[] = [];
    try {
      list = parseCpuList('cpuClasses', cc.cpus, n);
    } catch {
      continue;
    }
    if (list.length) out.add(cc.class);
    for (const x of list) taken.add(x);
  }
  if (taken.size < n) out.add('idle');
  return out;
}

export function disturbance(prep: Prepared): ChartData {
  const base = { id: 'disturbance-by-class', title: 'Who gets disturbed: interruptions per seal, by CPU class', question: 'Which kinds of CPU does each strategy interrupt (drain work or IPIs), and how often per seal on a machine that has such CPUs?' };
  const { cells, strategies, colors } = prep;
  const totals = new Map<string, Map<string, number>>();
  const seals = new Map<string, Map<string, number>>();
  let missing = 0;
  for (const c of cells) {
    const classes = classesOf(c);
    for (const r of c.record.runs) {
      const t = totals.get(r.strategy) ?? new Map<string, number>();
      totals.set(r.strategy, t);
      const n = seals.get(r.strategy) ?? new Map<string, number>();
      seals.set(r.strategy, n);
      for (const k of classes) n.set(k, (n.get(k) ?? 0) + r.summary.seals);
      const byClass = r.summary.disturbanceByClass;
      if (!byClass) {
        missing++;
        continue;
      }
      for (const [k, v] of Object.entries(byClass)) if (Number.isFinite(v)) t.set(k, (t.get(k) ?? 0) + v);
    }
  }
  const present = new Set<string>();
  for (const n of seals.values()) for (const [k, v] of n) if (v > 0) present.add(k);
  const groups = CLASS_ORDER.filter((k) => present.has(k));
  let any = false;
  for (const t of totals.values()) for (const v of t.values()) if (v > 0) any = true;
  if (groups.length === 0 || !any) return { ...base, kind: 'missing', needs: 'runs whose seals interrupt at least one CPU (summary.disturbanceByClass)' };
  const series = strategies.map((s) => ({
    label: s,
    color: colors.get(s)!,
    values: groups.map((g) => {
      const n = seals.get(s)?.get(g) ?? 0;
      return n > 0 ? (totals.get(s)?.get(g) ?? 0) / n : null;
    }),
  }));
  const sealsOf = (g: string) => Math.max(...strategies.map((s) => seals.get(s)?.get(g) ?? 0));
  const chart: BarsChart = {
    ...base, kind: 'bars', groups, series,
    groupNotes: groups.map((g) => `per seal on machines with ${g} CPUs (${sealsOf(g)} seals)`),
    x: { label: 'CPU class', unit: '', log: false },
    y: { label: 'interruptions per seal', unit: 'CPUs/seal', log: true },
    note: `From summary.disturbanceByClass: drain work items per class of the CPU they ran on, divided by the seals of the runs whose machine has CPUs of that class. Log axis: a bar on the dashed floor line is 0.${missing ? ` ${missing} runs carry no per-class counts and are left out.` : ''}`,
  };
  return chart;
}
