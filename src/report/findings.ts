/**
 * Findings: one answer per question the inputs' scenarios pose, the 2017 thread's three first.
 * Every sentence is built from paired statistics (strategy - v4.14 over the replications of one
 * scenario, common random numbers, bootstrap CI) of the scenario that asks it, never from numbers
 * pooled over unlike scenarios. A scenario or strategy absent from the inputs is said to be absent.
 */
import { inWordsList } from '../io/format.ts';
import { fmtMetric, fmtMetricDiff, metric } from '../metrics/registry.ts';
import { fmtParam, flattenParams } from './prepare.ts';
import { observationsOf, pairedCell, type Boot } from './paired.ts';
import { questionOf } from './questions.ts';
import type { Finding, FindingStat } from './findings-types.ts';
import type { SweepCell } from './types.ts';

export interface ScenarioInput {
  name: string;
  anchor: string;
  cells: SweepCell[];
}

interface Ctx {
  scenarios: ScenarioInput[];
  strategies: string[];
  baseline: string;
  boot: Boot;
  charts: Set<string>;
}

/** 'N CPUs' or 'N CPUs (M rt)' for a scenario's machine. */
function machine(cells: SweepCell[]): string {
  const cpus = [...new Set(cells.map((c) => (c.record.scenario as { cpus?: number }).cpus).filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
  if (cpus.length === 0) return '';
  return cpus.length === 1 ? `${cpus[0]} CPUs` : `${cpus[0]}-${cpus[cpus.length - 1]} CPUs`;
}

function stat(sc: ScenarioInput, cells: SweepCell[], where: string, s: string, baseline: string, name: string, ctx: Ctx): FindingStat | undefined {
  const runsOf = (x: string) => cells.some((c) => c.record.runs.some((r) => r.strategy === x));
  if (!runsOf(s) || !runsOf(baseline)) return undefined;
  const obs = observationsOf(cells, ctx.strategies);
  const p = pairedCell(obs, s, baseline, name, ctx.boot, `finding|${sc.name}|${where}|`);
  if (p.pairs === 0) return undefined;
  return { scenario: sc.name, where, metric: name, strategy: s, baseline, estimate: p.estimate, lo: p.lo, hi: p.hi, pairs: p.pairs, verdict: p.verdict, candidateMedian: p.candidateMedian, baselineMedian: p.baselineMedian };
}

/** "+12 pp of seals [95% CI +8, +15 pp; 3 pairs]". */
export function ciText(st: FindingStat, level: number, what = ''): string {
  const m = metric(st.metric);
  const head = `${fmtMetricDiff(m, st.estimate)}${what ? ` ${what}` : ''}`;
  if (st.pairs === 1) return `${head} [1 replication: no CI]`;
  return `${head} [${Math.round(level * 100)}% CI ${fmtMetricDiff(m, st.lo)} to ${fmtMetricDiff(m, st.hi)}; ${st.pairs} pairs]`;
}

const inWords = (st: FindingStat) => `${st.scenario}${st.where ? ` (${st.where})` : ''}`;
const list = inWordsList;
/** The first `n` of `xs` in words, "and k more" for the rest. */
const listSome = (xs: string[], n: number) => (xs.length <= n ? list(xs) : `${xs.slice(0, n).join(', ')} and ${xs.length - n} more`);

/** The sweep parameter that varies within a scenario's cells (one name), with the cells at each value. */
type Along = { param: string; at: [string, SweepCell[]][] } | undefined;
const ALONG = new WeakMap<SweepCell[], { v: Along }>();
/** along(), once per list of cells (so its sub-lists, and the observations cached on them, are reused). */
function along(cells: SweepCell[]): Along {
  let hit = ALONG.get(cells);
  if (!hit) ALONG.set(cells, (hit = { v: alongOf(cells) }));
  return hit.v;
}

function alongOf(cells: SweepCell[]): Along {
  const flat = cells.map((c) => flattenParams(c.params));
  const names = new Set(flat.flatMap((f) => Object.keys(f)));
  for (const n of [...names].sort()) {
    const vals = new Set(flat.map((f) => JSON.stringify(f[n] ?? null)));
    if (vals.size < 2) continue;
    const at = new Map<string, SweepCell[]>();
    cells.forEach((c, i) => {
      const v = flat[i]![n];
      const k = v === undefined ? '–' : fmtParam(v);
      const list = at.get(k);
      if (list) list.push(c);
      else at.set(k, [c]); // not a copy per cell: that was quadratic (minutes at 164k cells)
    });
    const sorted = [...at.entries()].sort(([a], [b]) => (Number(a) - Number(b)) || (a < b ? -1 : a > b ? 1 : 0));
    return { param: n, at: sorted };
  }
  return undefined;
}

const shortParam = (p: string) => p.replace(/^(workload\.)?[A-Za-z]+\[\d+\]\./, '');

function chartsPresent(ids: string[], ctx: Ctx): string[] {
  return ids.filter((id) => ctx.charts.has(id));
}

/**
 * A scenario's statistics for one strategy and metric: one over its replications, or, for a
 * sweep, one per value of the swept parameter (a sweep's cells differ on purpose, so their pairs
 * are not pooled into one number).
 */
function perScenario(sc: ScenarioInput, s: string, name: string, ctx: Ctx): { stats: FindingStat[]; param?: string } {
  const ax = along(sc.cells);
  if (!ax) {
    const st = stat(sc, sc.cells, machine(sc.cells), s, ctx.baseline, name, ctx);
    return { stats: st ? [st] : [] };
  }
  const stats: FindingStat[] = [];
  for (const [v, cs] of ax.at) {
    const st = stat(sc, cs, `${shortParam(ax.param)} = ${v}`, s, ctx.baseline, name, ctx);
    if (st) stats.push(st);
  }
  return { stats, param: shortParam(ax.param) };
}

const valueOf = (st: FindingStat) => st.where.replace(/^.* = /, '');

/** The CPU counts of the cells a statistic covers. */
function cpusAt(sc: ScenarioInput, st: FindingStat): number[] {
  const cells = st.where.includes(' = ') ? sc.cells.filter((c) => Object.entries(flattenParams(c.params)).some(([k, v]) => `${shortParam(k)} = ${fmtParam(v)}` === st.where)) : sc.cells;
  return [...new Set(cells.map((c) => (c.record.scenario as { cpus?: number }).cpus).filter((v): v is number => typeof v === 'number'))];
}

/** Michal: does dropping the drain cause spurious EBUSY, how often, on what machines? */
function michal(ctx: Ctx): Finding {
  const s = 'no-drain';
  const stats: FindingStat[] = [];
  const hitScen: string[] = [];
  const cleanScen: string[] = [];
  const hitCpus: number[] = [];
  const lines: { est: number; text: string }[] = [];
  let ran = 0;
  for (const sc of ctx.scenarios) {
    const r = perScenario(sc, s, 'spuriousRate', ctx);
    if (r.stats.length === 0) continue;
    ran++;
    stats.push(...r.stats);
    const worse = r.stats.filter((x) => x.verdict === 'worse');
    if (worse.length === 0) {
      cleanScen.push(sc.name);
      continue;
    }
    hitScen.push(sc.name);
    for (const x of worse) hitCpus.push(...cpusAt(sc, x));
    const w = [...worse].sort((a, b) => (b.estimate ?? 0) - (a.estimate ?? 0))[0]!;
    if (r.param) {
      const clean = r.stats.filter((x) => x.verdict !== 'worse').map(valueOf);
      lines.push({ est: w.estimate ?? 0, text: `${sc.name} (${machine(sc.cells)}) at ${r.param} = ${worse.map(valueOf).join(', ')}${clean.length ? ` but not at ${clean.join(', ')}` : ''}, up to ${ciText(w, ctx.boot.level, 'of seals')} at ${w.where}` });
    } else {
      lines.push({ est: w.estimate ?? 0, text: `${sc.name} (${w.where}) ${ciText(w, ctx.boot.level, 'of seals')}` });
    }
  }
  lines.sort((a, b) => b.est - a.est);
  let answer: string;
  const all = stats.filter((x) => x.verdict === 'worse').sort((a, b) => (b.estimate ?? 0) - (a.estimate ?? 0));
  if (ran === 0) answer = `Not answered: no scenario in the inputs ran both ${s} and ${ctx.baseline}.`;
  else if (hitScen.length === 0) answer = `No, not in these inputs: in none of the ${ran} scenarios that ran both did ${s} fail more seals spuriously than ${ctx.baseline} (every CI of the paired difference includes 0).`;
  else {
    const lo = Math.min(...hitCpus);
    const hi = Math.max(...hitCpus);
    const nonzero = stats.filter((x) => (x.baselineMedian ?? 0) > 0).length;
    const top = all[0]!;
    answer = `Yes. Without the drain, seals fail with a spurious EBUSY (only LRU-cache references left, no real pin) in ${hitScen.length} of ${ran} scenarios, on machines of ${lo === hi ? lo : `${lo} to ${hi}`} CPUs: ` +
      `up to ${ciText(top, ctx.boot.level, 'of seals')} in ${inWords(top)}. ` +
      (nonzero === 0 ? `${ctx.baseline}, which drains, fails no seal spuriously in any of them (median 0 everywhere).` : `${ctx.baseline}'s own median spurious rate is above 0 in ${nonzero} of ${stats.length} of these statistics.`) +
      (cleanScen.length ? ` No difference in ${list(cleanScen)}.` : '');
  }
  return {
    id: 'michal', question: 'Does dropping lru_add_drain_all() from the pin wait cause spurious EBUSY, how often, and on what machines?', askedBy: 'Michal Hocko\'s patch, November 2017 (strategy no-drain against v4.14)',
    answer: answer.trim(), points: lines.map((l) => l.text), stats, charts: chartsPresent(['spurious-vs-pages', 'ebusy-vs-pin', 'spurious-vs-pin'], ctx),
    scenarios: ctx.scenarios.filter((sc) => hitScen.includes(sc.name)).map((sc) => ({ name: sc.name, anchor: sc.anchor })), level: ctx.boot.level,
  };
}

/**
 * David: what does draining with the lock dropped buy (the inode lock's hold, the lock-order cycle
 * behind the 2017 splat) and cost (disturbed CPUs, drain work)?
 */
function david(ctx: Ctx): Finding {
  const stats: FindingStat[] = [];
  const parts: string[] = [];
  for (const s of ['drain-unlocked', 'drain-unlocked-if-tagged']) {
    const cpu: FindingStat[] = [];
    const work: FindingStat[] = [];
    const spur: FindingStat[] = [];
    const hold: FindingStat[] = [];
    const cycles: FindingStat[] = [];
    for (const sc of ctx.scenarios) {
      cpu.push(...perScenario(sc, s, 'cpusPerSeal', ctx).stats);
      work.push(...perScenario(sc, s, 'drainCpuMs', ctx).stats);
      spur.push(...perScenario(sc, s, 'spuriousRate', ctx).stats);
      hold.push(...perScenario(sc, s, 'lockHoldMs.p99', ctx).stats);
      cycles.push(...perScenario(sc, s, 'lockdepCycles', ctx).stats);
    }
    stats.push(...hold, ...cycles, ...cpu, ...work, ...spur);
    if (cpu.length === 0) {
      parts.push(`${s} is not in the inputs.`);
      continue;
    }
    // What it buys: the lock held for less time, and the cycle lockdep reported gone.
    const shorter = hold.filter((x) => x.verdict === 'better').sort((x, y) => (x.estimate ?? 0) - (y.estimate ?? 0));
    const longer = hold.filter((x) => x.verdict === 'worse');
    const gone = cycles.filter((x) => x.verdict === 'better');
    const h = shorter[0];
    parts.push(
      `${s} holds the inode lock for less time (p99 of seals) than ${ctx.baseline} in ${shorter.length} of ${hold.length} scenarios and sweep points` +
        `${h ? ` (most in ${inWords(h)}: ${ciText(h, ctx.boot.level, '')})` : ''}${longer.length ? `, longer in ${listSome(longer.map(inWords), 3)}` : ''}; ` +
        `${gone.length ? `it removes the lock-order cycle lockdep reports in ${list(gone.map((x) => inWords(x)))}` : `lockdep cycles: no difference from ${ctx.baseline} in any of ${cycles.length}`}. The price:`,
    );
    const more = cpu.filter((x) => x.verdict === 'worse').sort((x, y) => (y.estimate ?? 0) - (x.estimate ?? 0));
    const fewer = cpu.filter((x) => x.verdict === 'better');
    const w = more[0];
    const wWork = w ? work.find((x) => x.scenario === w.scenario && x.where === w.where) : undefined;
    const costlier = work.filter((x) => x.verdict === 'worse').length;
    const fixes = spur.filter((x) => x.verdict === 'better').length;
    const breaks = spur.filter((x) => x.verdict === 'worse').length;
    parts.push(
      `${s} disturbs more CPUs per seal than ${ctx.baseline} in ${more.length || 'none'} of ${cpu.length} scenarios and sweep points${w ? ` (most in ${inWords(w)}: ${ciText(w, ctx.boot.level, 'CPUs per seal')}${wWork ? `, and drain CPU time ${ciText(wWork, ctx.boot.level, 'per run')}` : ''})` : ''}` +
        `${fewer.length ? `, fewer in ${listSome(fewer.map(inWords), 3)}` : ''}; it spends more drain CPU time in ${costlier || 'none'} of ${work.length}. ` +
        `Spurious EBUSY: ${breaks ? `more than ${ctx.baseline} in ${breaks}` : `never more than ${ctx.baseline}`}${fixes ? `, fewer in ${fixes}` : ''}.`,
    );
  }
  return {
    id: 'david', question: 'What does draining with the inode lock dropped buy, in inode-lock hold and lock-order risk, and what does it cost in disturbed CPUs and drain work?', askedBy: 'David Herrmann\'s proposal, November 2017 (drain-unlocked, and its tagged-only variant, against v4.14)',
    answer: parts.join(' '), points: [], stats, charts: chartsPresent(['lockhold-vs-cpus', 'cpus-vs-cpus', 'disturbance-by-class'], ctx),
    scenarios: ctx.scenarios.filter((sc) => ['idle-many-cpus', 'debate-2017', 'lockdep-2017', 'rt-spinner'].includes(sc.name)).map((sc) => ({ name: sc.name, anchor: sc.anchor })), level: ctx.boot.level,
  };
}

const LATER: { s: string; what: string; metrics: string[] }[] = [
  { s: 'v4.16', what: '4.16, drain_all without the hotplug lock', metrics: ['lockdepCycles', 'latencyMs.p99'] },
  { s: 'coalesced', what: '5.10, concurrent drain_all callers piggyback', metrics: ['latencyMs.p99', 'mutexWaitMs.p99', 'drainAllCalls'] },
  { s: 'local-first', what: '6.x, local drain first', metrics: ['drainAllCalls', 'cpusPerSeal', 'latencyMs.p99'] },
  { s: 'lru-disable', what: '5.13, lru_cache_disable() around the wait', metrics: ['spuriousRate', 'cpusPerSeal', 'latencyMs.p99'] },
];

/** Relative size of a change, for picking the most telling ones. */
const rel = (x: FindingStat) => Math.abs(x.estimate ?? 0) / Math.max(Math.abs(x.baselineMedian ?? 0), 1e-9);

function upstream(ctx: Ctx): Finding {
  const stats: FindingStat[] = [];
  const parts: string[] = [];
  const brief: string[] = [];
  for (const l of LATER) {
    const mine: FindingStat[] = [];
    for (const sc of ctx.scenarios) for (const name of l.metrics) mine.push(...perScenario(sc, l.s, name, ctx).stats);
    stats.push(...mine);
    if (mine.length === 0) {
      parts.push(`${l.s} (${l.what}) is not in the inputs.`);
      brief.push(`${l.s}: not in the inputs`);
      continue;
    }
    const show = (xs: FindingStat[]) => xs.sort((a, b) => rel(b) - rel(a)).slice(0, 2).map((x) => `${metric(x.metric).label} ${ciText(x, ctx.boot.level)} in ${inWords(x)}`);
    const better = mine.filter((x) => x.verdict === 'better');
    const worse = mine.filter((x) => x.verdict === 'worse');
    const one = (x: FindingStat | undefined) => (x ? `${metric(x.metric).label} ${ciText(x, ctx.boot.level)} in ${x.scenario}` : '');
    const b0 = [...better].sort((a, b) => rel(b) - rel(a))[0];
    const w0 = [...worse].sort((a, b) => rel(b) - rel(a))[0];
    brief.push(`${l.s}: ${b0 ? one(b0) : 'nothing measurable'}${w0 ? `, but ${one(w0)}` : ''}`);
    parts.push(`${l.s} (${l.what}): ${better.length ? `buys ${show(better).join('; ')}` : 'buys nothing measurable in these scenarios'}${worse.length ? `; costs ${show(worse).join('; ')}` : ''}.`);
  }
  return {
    id: 'upstream', question: 'What did upstream\'s later choices (4.16, 5.10 piggyback, 6.x local-first, lru_cache_disable) buy?', askedBy: 'the follow-ups to the 2017 thread (each against v4.14, per scenario)',
    answer: `Against ${ctx.baseline}, the largest change each buys (and costs): ${brief.join('; ')}.`, points: parts, stats, charts: chartsPresent(['latency-cdf', 'p99-vs-cpus'], ctx), scenarios: [], level: ctx.boot.level,
  };
}

function scenarioFinding(sc: ScenarioInput, ctx: Ctx): Finding {
  const desc = (sc.cells[0]?.record.scenario as { description?: string } | undefined)?.description;
  const q = questionOf(sc.name, desc);
  const stats: FindingStat[] = [];
  const parts: string[] = [];
  const ax = along(sc.cells);
  for (const name of q.metrics) {
    const m = metric(name);
    const better: string[] = [];
    const worse: string[] = [];
    let same = 0;
    let base: number | null = null;
    let any = false;
    for (const s of ctx.strategies) {
      if (s === ctx.baseline) continue;
      const r = perScenario(sc, s, name, ctx);
      if (r.stats.length === 0) continue;
      any = true;
      stats.push(...r.stats);
      if (!r.param) {
        const st = r.stats[0]!;
        base = st.baselineMedian;
        if (st.verdict === 'better') better.push(`${s} ${ciText(st, ctx.boot.level)}`);
        else if (st.verdict === 'worse') worse.push(`${s} ${ciText(st, ctx.boot.level)}`);
        else same++;
        continue;
      }
      const b = r.stats.filter((x) => x.verdict === 'better');
      const w = r.stats.filter((x) => x.verdict === 'worse');
      const big = (xs: FindingStat[]) => [...xs].sort((x, y) => rel(y) - rel(x))[0]!;
      if (b.length) better.push(`${s} at ${r.param} = ${b.map(valueOf).join(', ')} (most ${ciText(big(b), ctx.boot.level)} at ${big(b).where})`);
      if (w.length) worse.push(`${s} at ${r.param} = ${w.map(valueOf).join(', ')} (most ${ciText(big(w), ctx.boot.level)} at ${big(w).where})`);
      if (!b.length && !w.length) same++;
    }
    if (!any) continue;
    parts.push(`${m.label}${base !== null ? ` (${ctx.baseline}: ${fmtMetric(m, base)})` : ''}: ` +
      `${better.length ? `better than ${ctx.baseline}: ${listSome(better, 3)}` : `no strategy better than ${ctx.baseline}`}` +
      `${worse.length ? `; worse: ${listSome(worse, 3)}` : ''}${same ? `; no difference: ${same} strateg${same === 1 ? 'y' : 'ies'}` : ''}.`);
  }
  const reps = sc.cells.length;
  const answer = parts.length
    ? `${reps} replication${reps === 1 ? '' : 's'}${ax ? ` over ${ax.at.length} values of ${shortParam(ax.param)}` : ''}, each paired with ${ctx.baseline} on the same cell and seed:`
    : `Not answered: ${ctx.baseline} and another strategy did not both run here.`;
  return { id: `q-${sc.anchor}`, question: q.question, askedBy: `scenario ${sc.name}`, answer, points: parts, stats, charts: chartsPresent(q.charts, ctx), scenarios: [{ name: sc.name, anchor: sc.anchor }], level: ctx.boot.level };
}

export function buildFindings(scenarios: ScenarioInput[], strategies: string[], baseline: string, boot: Boot, charts: Set<string>): Finding[] {
  const ctx: Ctx = { scenarios, strategies, baseline, boot, charts };
  if (!strategies.includes(baseline) || strategies.length < 2) return [];
  return [michal(ctx), david(ctx), upstream(ctx), ...scenarios.map((sc) => scenarioFinding(sc, ctx))];
}
