/**
 * The CLI side of record, fit-workload and replay (docs/traces.md): arguments checked, results
 * written atomically, progress on stderr, the summary on stdout.
 */
import { readFileSync } from 'node:fs';
import { compareKnown, type KnownWorkload } from '../trace/known.ts';
import { UsageError } from '../errors.ts';
import { writeAtomic } from '../io/files.ts';
import { table } from './table.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import { STRATEGY_NAMES } from '../scenario/strategy-names.ts';
import { runResolvedAsync } from '../pool/run-scenario.ts';
import { record } from '../trace/record.ts';
import { analyze, readTrace } from '../trace/analyze.ts';
import { fitWorkload } from '../trace/fit.ts';
import { agreement, kernelOwnStrategy, replayScenario } from '../trace/replay.ts';

type Out = (s: string) => void;
const log = (l: string) => process.stderr.write(`${l}\n`);

export async function recordCommand(o: { seconds: number; cpus?: string; comm?: string; out: string; bufferKb?: number }, out: Out): Promise<number> {
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  const onSig = () => {
    log('record: stopping (SIGINT): keeping what was recorded');
    stop();
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    const r = await record({ ...o, progress: log, stopSignal });
    const f = r.footer;
    const secs = (f.endNs - f.startNs) / 1e9;
    out(
      `record: ${secs.toFixed(1)} s${f.interrupted ? ' (interrupted)' : ''} on ${r.header.provenance.kernel} (HZ=${r.header.provenance.hz ?? '?'}, ${r.header.provenance.cpus} CPUs): ` +
        `${f.counts.seal ?? 0} seals, ${f.counts.drainQueue ?? 0} drain works, ${f.counts.lruInsert ?? 0} pages to the LRU, ${f.counts.fadvise ?? 0} fadvise(DONTNEED); ` +
        `${f.lost.total} events lost; tracing instance ${f.teardown.instanceRemoved ? 'removed' : 'NOT removed'}; wrote ${r.path}`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

const cpusArg = (v: number | undefined) => {
  if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 8192)) throw new UsageError(`--cpus: got ${v}; allowed: an integer in 1..8192`);
  return v;
};

export function fitCommand(trace: string, o: { cpus?: number; out: string; horizonMs?: number; comm?: string; json?: boolean; known?: string }, out: Out): number {
  let known: KnownWorkload | undefined;
  if (o.known) {
    try {
      known = JSON.parse(readFileSync(o.known, 'utf8').trim().split('\n').filter((l) => l.includes('"type":"workload"')).pop() ?? '') as KnownWorkload;
    } catch (e) {
      throw new UsageError(`--known: ${o.known}: not the JSON line drainworkload prints (${(e as Error).message})`);
    }
  }
  const a = analyze(readTrace(trace), o.comm);
  const r = fitWorkload(a, { cpus: cpusArg(o.cpus), horizonMs: o.horizonMs, comm: o.comm });
  writeAtomic(o.out, `${JSON.stringify(r.scenario, null, 2)}\n`);
  if (known) {
    const rows = compareKnown(known, r.parameters, 1000 / ((r.scenario as { hz: number }).hz));
    const fmt = (x: number | null) => (x === null ? '-' : x.toPrecision(4));
    out(table(['known', 'parameter', 'known value', 'fitted', '95% CI', 'pass'], rows.map((k) => [k.what, k.parameter, fmt(k.known), fmt(k.estimate), k.ci ? `${fmt(k.ci[0])} .. ${fmt(k.ci[1])}` : '-', k.pass ? 'yes' : 'NO'])));
    const failed = rows.filter((k) => !k.pass).length;
    out(`fit-workload --known: ${rows.length - failed} of ${rows.length} known figures inside their 95% intervals`);
    if (failed) return 1;
  }
  if (o.json) out(JSON.stringify(r.parameters, null, 2));
  else {
    const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));
    out(table(['parameter', 'estimate', '95% CI', 'unit'], r.parameters.map((p) => [p.name, fmt(p.estimate), p.ci ? `${fmt(p.ci[0])} .. ${fmt(p.ci[1])}` : '', p.unit])));
    out(`fit-workload: ${a.seconds.toFixed(1)} s of ${a.trace.file} (${a.trace.lost} events lost) -> ${o.out} (${(r.scenario as { cpus: number }).cpus} CPUs); run it with drainlab run --scenario ${o.out}`);
  }
  return 0;
}

export async function replayCommand(trace: string, o: { cpus?: number; strategy?: string[]; out?: string; json?: boolean; seconds?: number; workers?: number | 'auto'; comm?: string }, out: Out): Promise<number> {
  for (const name of o.strategy ?? []) {
    if (!STRATEGIES.has(name)) throw new UsageError(`--strategy: unknown strategy ${JSON.stringify(name)}; allowed: ${STRATEGY_NAMES.join(', ')}`);
  }
  const a = analyze(readTrace(trace), o.comm);
  const s = replayScenario(a, { cpus: cpusArg(o.cpus), strategies: o.strategy, seconds: o.seconds });
  const baseline = kernelOwnStrategy(s.kernel);
  const strategies = o.strategy?.length ? (o.strategy.includes(baseline) ? o.strategy : [baseline, ...o.strategy]) : [baseline, ...s.strategies.filter((x) => x !== baseline)];
  log(`replay: ${a.seals.length} seals, ${s.workload.replay!.pages.reduce((x, p) => x + p.length, 0)} page arrivals, ${s.workload.replay!.drainAll.length} drain_all calls from ${a.cpus} recorded CPUs, on ${s.cpus} CPUs x ${strategies.length} strategies (baseline: ${baseline}, the recorded kernel ${s.kernel}'s own)`);
  const t0 = performance.now();
  const rec = await runResolvedAsync({ ...s, strategies }, { workers: o.workers ?? 'auto' });
  log(`replay: simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const agree = s.cpus === a.cpus ? agreement(a, rec, baseline) : undefined;
  const record = { ...rec, replay: { trace: a.trace, baselineStrategy: baseline, rule: `CPU j replays recorded CPU j mod ${a.cpus}`, ...(agree ? { agreement: agree } : {}) } };
  // --out: one JSON line, which `report` reads line by line (a 256-CPU replay of a 20 s trace is
  // tens of MiB, past the whole-document input limit).
  if (o.out) writeAtomic(o.out, `${JSON.stringify(record)}\n`);
  if (o.json) {
    out(JSON.stringify(record, null, 2));
    return 0;
  }
  const rows = rec.runs.map((r) => [
    r.strategy + (r.strategy === baseline ? ' (kernel)' : ''),
    String(r.summary.seals), String(r.summary.ok), String(r.summary.ebusy), String(r.summary.spuriousEbusy),
    r.summary.latencyMs.p50.toFixed(3), r.summary.latencyMs.p99.toFixed(3), r.summary.lockHoldMs.p99.toFixed(3),
    String(r.summary.cpusInterrupted), r.summary.drainCpuMs.toFixed(3), String(r.summary.drainAllCalls),
  ]);
  out(`${s.name}: ${s.cpus} CPUs, kernel ${s.kernel}, HZ=${s.hz}`);
  out(table(['strategy', 'seals', 'ok', 'EBUSY', 'spurious', 'p50 ms', 'p99 ms', 'lock p99 ms', 'CPUs hit', 'drain CPU ms', 'drain_alls'], rows));
  if (agree) {
    out(
      `agreement with the trace (${baseline}): results ${agree.sameResult}/${agree.seals}, drain work queued inside the seal ${agree.sameDrainAll}/${agree.seals}, ` +
        `drain targets ${agree.sameTargets}/${agree.seals} (remote CPUs only ${agree.sameRemoteTargets}/${agree.seals}; the recorded drain_all also queued work on the sealing CPU in ${agree.recordedSelfTargets}), ` +
        `latency within a jiffy ${agree.latencyWithinJiffy}/${agree.seals}, KS D=${agree.ks.d} p=${agree.ks.p} ` +
        `(p50 ${agree.latencyMs.recorded.p50} ms recorded, ${agree.latencyMs.replayed.p50} ms replayed); ` +
        `fast seals (no inferred pin, ${agree.fast.seals}): KS D=${agree.fast.ks.d} p=${agree.fast.ks.p} (p50 ${agree.fast.recordedP50} ms recorded, ${agree.fast.replayedP50} ms replayed)` +
        (s.wakeups ? `; kworker and caller wake-ups drawn from ${s.wakeups.kworker?.dist === 'empirical' ? s.wakeups.kworker.samplesMs.length : '?'} and ${s.wakeups.caller?.dist === 'empirical' ? s.wakeups.caller.samplesMs.length : '?'} measured outside the seals` : '; no measured wake-ups (class rules)'),
    );
  }
  if (o.out) out(`wrote ${o.out} (a run record: drainlab report ${o.out} -o report.html)`);
  return 0;
}
