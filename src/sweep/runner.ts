/**
 * Runs a sweep (or one shard of it) into a directory:
 *
 *   DIR/sweep.json    the resolved sweep, its config hash, lab version, shard; a summary at the end
 *   DIR/cells.jsonl   one SweepCell per line, appended (one write + fsync) the moment a cell finishes
 *   DIR/failed.jsonl  cells whose worker died twice, or whose simulation threw, with the error
 *
 * Memory stays flat in the number of cells: cells are enumerated lazily, at most 2W are in flight,
 * and each record goes to disk and is dropped as soon as it arrives. Only the ids of finished cells
 * are kept, and only when resuming.
 *
 * Interruption: the first SIGINT/SIGTERM stops dispatching and lets the cells in flight finish and
 * be written; a second one abandons them. A line is written by one synchronous append, so no signal
 * can cut one in half; a hard kill can (mid-write), and --resume cuts that torn tail off.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appendLines, checkInputFile, readJsonInput, writeAtomic } from '../io/files.ts';
import { checkManifest } from './manifest.ts';
import { provenance } from '../metrics/provenance.ts';
import { CellPool, type CellOutcome, type PoolKeeper } from '../pool/cell-pool.ts';
import { sweepWorkers, type WorkersOption } from '../pool/auto-workers.ts';
import { UsageError } from '../errors.ts';
import { LAB_VERSION, type CellSpec, type ResolvedSweep, type Sweep } from './grid.ts';
import { checkCellLine, sealLine } from './canonical.ts';
import { pluginVersions, strategy as lookupStrategy } from '../strategies/registry.ts';
import { readLines, truncateTornTail } from './jsonl.ts';
import { ShardDealer, shardLabel, type Shard } from './shard.ts';
import { fmtRate, progressLine } from './progress.ts';

export const CELLS_FILE = 'cells.jsonl';
export const FAILED_FILE = 'failed.jsonl';
export const SWEEP_FILE = 'sweep.json';

/** DIR/sweep.json. */
export interface SweepManifest {
  schema: 'drainlab/sweep-run@1';
  /** sha256 of the canonical resolved sweep (shard and lab build aside): merge joins only equal hashes. */
  configHash: string;
  lab: { version: string; gitCommit: string; wasmSha256: string; node: string };
  shard: Shard | null;
  sweep: ResolvedSweep;
  /** Cells in the whole sweep and in this shard. */
  totals: { cells: number; shardCells: number };
  startedAt: string;
  /** The last run's summary (written when it ends, also when interrupted). */
  summary: SweepSummary | null;
  /**
   * The user strategies (--strategy-file) the cells run, by name: file and version (sha256 of the
   * bundled sources). --resume and merge refuse a directory whose versions differ. Absent when
   * every strategy is a built-in.
   */
  plugins?: Record<string, { file: string; sha256: string }>;
  /** Set by merge: the directories joined into this one. */
  mergedFrom?: { dir: string; shard: Shard | null; cells: number }[];
}

export interface SweepSummary {
  name: string;
  out: string;
  shard: string;
  /** Cells of this shard (all cells when not sharded). */
  cells: number;
  /** Already in cells.jsonl when this run began (--resume). */
  resumed: number;
  /** Run and written by this run. */
  ran: number;
  failed: number;
  /** Cells run now whose record carries warnings (the load self-check); the first few are on stderr. */
  warned: number;
  /** Cells of this shard in neither cells.jsonl nor failed.jsonl of this run. */
  remaining: number;
  complete: boolean;
  interrupted: 'SIGINT' | 'SIGTERM' | 'abort' | null;
  workers: number;
  wallMs: number;
  /** Starting the pool (W threads loading tsx, the simulator and the WASM core), overlapped with checking the cells. */
  poolStartMs: number;
  cellsPerSec: number;
  /** Peak resident set of this process (main thread and workers together), MiB. */
  maxRssMiB: number;
  /** Bytes of a torn final line cut off cells.jsonl on resume. */
  tornBytes: number;
  /** Cells (written) in which a user strategy failed: threw, or a seal never returned (exit 1). */
  strategyFailures: number;
  /** Tasks handed to the pool: fewer than the cells when short cells went in batches (BatchSizer). */
  tasks: number;
}

export interface SweepOptions {
  out: string;
  /** A count (obeyed, at most the cells), or 'auto': what the work pays for (src/pool/auto-workers.ts). */
  workers: WorkersOption;
  shard: Shard | null;
  resume: boolean;
  /** Draw the live progress line (the CLI passes stderr.isTTY && !quiet). */
  progress: boolean;
  /** Notes for the user (stderr). */
  log: (line: string) => void;
  /** Warnings that --quiet does not silence (damaged lines found on resume); default: log. */
  warn?: (line: string) => void;
  /** Handle SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
  /** Stops dispatching when aborted (like a first SIGINT). */
  signal?: AbortSignal;
  /** Cells per pool task, fixed (tests); default: BatchSizer's, from the cells' measured time. */
  batchCells?: number;
  /** Warm pools shared with the command's other sweeps (study, sensitivity); default: a pool of this sweep's own. */
  pools?: PoolKeeper;
}

/**
 * Throws a UsageError when two sweeps' user strategy versions differ (`where` starts the message):
 * a strategy file changed (or was added or dropped) since the directory was written.
 */
export function checkSamePlugins(before: SweepManifest['plugins'], now: SweepManifest['plugins'], where: string, labels: [string, string] = ['was run with', 'now it is']): void {
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(now ?? {})]);
  for (const n of [...names].sort()) {
    const a = before?.[n];
    const b = now?.[n];
    if (a?.sha256 === b?.sha256) continue;
    const was = a ? `${a.file} version ${a.sha256}` : 'no such user strategy';
    const is = b ? `${b.file} version ${b.sha256}` : 'no such user strategy';
    throw new UsageError(`${where}: strategy "${n}": ${labels[0]} ${was}, ${labels[1]} ${is}; its cells would mix two versions of the strategy: start a new --out (or restore the file)`);
  }
}

function readManifest(path: string): SweepManifest {
  return checkManifest(readJsonInput(path, '--resume'), path);
}

function sameShard(a: Shard | null, b: Shard | null): boolean {
  return (a === null && b === null) || (a !== null && b !== null && a.index === b.index && a.count === b.count);
}

/** Ids of the cells already in cells.jsonl (after cutting a torn tail off). */
function finishedIds(cellsPath: string, log: (s: string) => void): { ids: Set<string>; torn: number } {
  const torn = truncateTornTail(cellsPath);
  if (torn > 0) log(`resume: cut a torn final line (${torn} bytes) off ${cellsPath}`);
  const ids = new Set<string>();
  const bad: string[] = [];
  for (const l of readLines(cellsPath)) {
    if (l.text.trim() === '') continue;
    const c = checkCellLine(l.text);
    if (c.ok) ids.add(c.cellId);
    else bad.push(`${l.lineNo} (${c.why})`);
  }
  if (bad.length > 0) {
    log(`resume: ${bad.length} damaged line(s) in ${cellsPath}, not counted (their cells run again; merge leaves the lines out): line ${bad.slice(0, 20).join(', line ')}${bad.length > 20 ? ` and ${bad.length - 20} more` : ''}`);
  }
  return { ids, torn };
}

/** What runSweep runs: a sweep grid, or any other enumerable set of cells (a sensitivity design). */
export type CellSource = Pick<Sweep, 'config' | 'configHash' | 'cells'>;

function firstCell(sweep: CellSource, inMine: (c: CellSpec) => boolean): CellSpec | undefined {
  for (const c of sweep.cells()) if (inMine(c)) return c;
  return undefined;
}

/** Runs the sweep; never throws for a failed cell (see summary.failed), throws UsageError for bad input. */
export async function runSweep(sweep: CellSource, opts: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  const started = new Date();
  const dir = opts.out;
  const cellsPath = join(dir, CELLS_FILE);
  const failedPath = join(dir, FAILED_FILE);
  const manifestPath = join(dir, SWEEP_FILE);
  const dealer = opts.shard ? new ShardDealer(opts.shard.count, sweep.configHash) : undefined;
  const inMine = (c: CellSpec) => !dealer || dealer.shardOf(c.ordinal) === opts.shard!.index;

  // 1. The output directory: fresh, or the same sweep and shard when resuming.
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${dir}: not a directory`);
  // cells.jsonl is streamed (no size limit) but must be a regular file: a FIFO or /dev/zero would block or never end.
  const hasCells = existsSync(cellsPath) && checkInputFile(cellsPath, '--out', { limit: Number.POSITIVE_INFINITY }).size > 0;
  let previous: SweepManifest | undefined;
  if (existsSync(manifestPath)) previous = readManifest(manifestPath);
  if (!opts.resume && (hasCells || previous)) {
    throw new UsageError(`--out: ${dir} already holds a sweep (${previous ? SWEEP_FILE : CELLS_FILE}); pass --resume to complete it, or choose another --out`);
  }
  if (opts.resume && hasCells && !previous) throw new UsageError(`--resume: ${dir} has ${CELLS_FILE} but no ${SWEEP_FILE}; cannot tell which sweep it belongs to`);
  if (opts.resume && previous) {
    if (previous.lab?.version !== LAB_VERSION) throw new UsageError(`--resume: ${dir} was written by drainlab ${previous.lab?.version}, this is ${LAB_VERSION}; cell ids differ between versions, start a new --out`);
    if (previous.configHash !== sweep.configHash) throw new UsageError(`--resume: ${dir} holds another sweep ("${previous.sweep?.name}", config ${previous.configHash?.slice(0, 12)}); this one is "${sweep.config.name}" (config ${sweep.configHash.slice(0, 12)})`);
    if (!sameShard(previous.shard, opts.shard)) throw new UsageError(`--resume: ${dir} holds shard ${shardLabel(previous.shard)}, not ${shardLabel(opts.shard)}`);
  }

  // 2. Start the workers now (tsx, the simulator, the WASM core: a few hundred ms) so they load
  //    while this thread checks every cell. The deal gives a shard at most ceil(cells / N).
  const share = opts.shard ? Math.ceil(sweep.config.cells / opts.shard.count) : sweep.config.cells;
  let workers: number;
  if (opts.workers === 'auto') {
    const first = share > 0 ? firstCell(sweep, inMine) : undefined;
    const auto = first ? sweepWorkers([{ first: first.scenario, cells: share }]) : { workers: 1, workMs: NaN };
    workers = auto.workers;
    if (share > 1) opts.log(`sweep: --workers auto: ${workers} (probe: ~${Number.isFinite(auto.workMs) ? `${Math.round(auto.workMs / share)} CPU ms` : 'large'} per cell x ${share} cells)`);
  } else {
    workers = Math.max(1, Math.min(opts.workers, share));
  }
  const tp = performance.now();
  let poolStartMs = 0;
  const starting =
    share > 0
      ? (opts.pools ? opts.pools.start(workers) : CellPool.start(workers)).then((p) => {
          poolStartMs = performance.now() - tp;
          return p;
        })
      : undefined;
  starting?.catch(() => {}); // awaited (and its error thrown) below
  // A kept pool stays warm for the command's next sweep: its keeper closes it.
  const dropPool = () => void (opts.pools ? undefined : starting?.then((p) => p.destroy(), () => {}));

  // 3. What is done already, and a full pass over the cells: every cell must resolve before anything is written.
  let done: Set<string>;
  let torn = 0;
  let shardCells = 0;
  let resumed = 0;
  let plugins: SweepManifest['plugins'];
  try {
    ({ ids: done, torn } = opts.resume ? finishedIds(cellsPath, opts.warn ?? opts.log) : { ids: new Set<string>(), torn: 0 });
    for (const c of sweep.cells()) {
      if (!inMine(c)) continue;
      shardCells++;
      if (done.has(c.cellId)) resumed++;
      for (const [name, sha256] of Object.entries(pluginVersions(c.scenario.strategies) ?? {})) (plugins ??= {})[name] ??= { file: lookupStrategy(name).plugin!.file, sha256 };
    }
    // A changed strategy file gives its cells other ids; refuse rather than mix versions in one directory.
    if (opts.resume && previous) checkSamePlugins(previous.plugins, plugins, `--resume: ${dir}`);
  } catch (e) {
    dropPool();
    throw e;
  }
  if (done.size > resumed) opts.log(`resume: ${done.size - resumed} line(s) in ${cellsPath} are not cells of this sweep/shard (kept, not counted)`);
  const toRun = shardCells - resumed;

  const prov = provenance(started, 0, workers);
  const manifest: SweepManifest = {
    schema: 'drainlab/sweep-run@1',
    configHash: sweep.configHash,
    lab: { version: LAB_VERSION, gitCommit: prov.gitCommit, wasmSha256: prov.wasmSha256, node: prov.node },
    shard: opts.shard,
    sweep: sweep.config,
    totals: { cells: sweep.config.cells, shardCells },
    startedAt: previous?.startedAt ?? started.toISOString(),
    summary: null,
    ...(plugins ? { plugins } : {}),
  };
  try {
    writeAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n', '--out');
  } catch (e) {
    dropPool();
    throw e;
  }
  // Failures of an earlier run are retried now; failed.jsonl lists this run's.
  if (opts.resume) rmSync(failedPath, { force: true });
  appendLines(cellsPath, []); // (no-op) cells.jsonl appears with the first cell

  // 4. Dispatch.
  let interrupted: SweepSummary['interrupted'] = null;
  let abandon = false;
  let pool: CellPool | undefined;
  const stop = (why: NonNullable<SweepSummary['interrupted']>) => {
    if (interrupted === null) {
      interrupted = why;
      if (why !== 'abort') opts.log(`\n${why}: finishing the cells in flight (again to abandon them)`);
    } else if (!abandon) {
      abandon = true;
      opts.log(`${why}: abandoning the cells in flight`);
      if (pool) void (opts.pools ? opts.pools.destroy(pool) : pool.destroy());
    }
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  const onAbort = () => stop('abort');
  if (opts.handleSignals !== false) {
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  }
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.signal?.aborted) onAbort();

  let ran = 0;
  let failed = 0;
  let strategyFailures = 0;
  let warned = 0;
  let sent = 0;
  const bar = progressLine(sweep.config.name, shardCells, resumed, opts.progress);
  try {
    if (toRun > 0 && interrupted === null && starting) {
      pool = await starting;
      const inflight = new Set<Promise<void>>();
      // Group commit: cells that finish in the same turn of the event loop share one write and one
      // fsync (appendLines), flushed before the loop goes on. Lines stay whole and in one file, so a
      // crash still leaves only finished cells (and at most a torn tail, which --resume cuts off).
      let pending: string[] = [];
      const flush = () => {
        const lines = pending;
        pending = [];
        appendLines(cellsPath, lines);
        ran += lines.length;
        for (let i = 0; i < lines.length; i++) bar.tick(false);
      };
      let flushed = Promise.resolve();
      const record = (c: CellSpec, o: CellOutcome) => {
        if (o.state === 'done') {
          if (o.strategyFailures) {
            if (strategyFailures++ < 3) for (const l of o.strategyFailures) opts.log(`\n${paramsLabel(c.params)} replication ${c.replication}: ${l}`);
          }
          if (o.warnings) {
            warned++;
            if (warned <= WARN_CELLS) for (const w of o.warnings) opts.log(`\nwarning: ${paramsLabel(c.params)} replication ${c.replication}: ${w}`);
            else if (warned === WARN_CELLS + 1) opts.log('\nwarning: more cells carry warnings (each record has them under "warnings")');
          }
          if (pending.length === 0) {
            flushed = new Promise((res, rej) =>
              setImmediate(() => {
                try {
                  res(flush());
                } catch (e) {
                  rej(e as Error); // a failed write (disk full ...) ends the sweep with that error
                }
              }),
            );
          }
          pending.push(sealLine(o.line));
        } else if (o.cause !== 'abandoned') {
          const { cellId, pointId, params, replication } = c;
          appendLines(failedPath, [JSON.stringify({ cellId, pointId, params, replication, cause: o.cause, attempts: o.attempts, error: o.error, at: new Date().toISOString() })]);
          failed++;
          bar.tick(true);
        }
      };
      const maxInflight = 2 * workers;
      const sizer = new BatchSizer(workers);
      let batch: CellSpec[] = [];
      let dispatched = 0;
      const send = (cells: CellSpec[]) => {
        dispatched += cells.length;
        sent++;
        const tasks = cells.map((c) => ({ cellId: c.cellId, pointId: c.pointId, params: c.params, replication: c.replication, scenario: c.scenario }));
        const p: Promise<void> = pool!
          .runBatch(tasks)
          .then((os) => {
            if (abandon) return;
            os.forEach((o, i) => {
              if (o.state === 'done') sizer.observe(o.wallMs);
              record(cells[i]!, o);
            });
          })
          .then(() => flushed) // a slot frees only once its lines are on disk
          .finally(() => inflight.delete(p));
        inflight.add(p);
      };
      for (const c of sweep.cells()) {
        if (interrupted !== null) break;
        if (!inMine(c) || done.has(c.cellId)) continue;
        batch.push(c);
        if (batch.length < (opts.batchCells ?? sizer.size(toRun - dispatched))) continue;
        while (inflight.size >= maxInflight && !abandon) await Promise.race(inflight);
        if (interrupted !== null) break;
        send(batch);
        batch = [];
      }
      if (batch.length > 0 && interrupted === null) {
        while (inflight.size >= maxInflight && !abandon) await Promise.race(inflight);
        if (interrupted === null) send(batch);
      }
      await Promise.all(inflight);
      await flushed;
    }
  } finally {
    bar.stop();
    if (opts.handleSignals !== false) {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
    opts.signal?.removeEventListener('abort', onAbort);
    if (pool && abandon) await (opts.pools ? opts.pools.destroy(pool) : pool.destroy());
    else if (pool && !opts.pools) await pool.close();
    else dropPool();
  }

  const wallMs = performance.now() - t0;
  const summary: SweepSummary = {
    name: sweep.config.name,
    out: dir,
    shard: shardLabel(opts.shard),
    cells: shardCells,
    resumed,
    ran,
    failed,
    warned,
    remaining: shardCells - resumed - ran - failed,
    complete: resumed + ran === shardCells,
    interrupted,
    workers,
    wallMs: Math.round(wallMs),
    poolStartMs: Math.round(poolStartMs),
    cellsPerSec: ran / (wallMs / 1000),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    tornBytes: torn,
    strategyFailures,
    tasks: sent,
  };
  writeAtomic(manifestPath, JSON.stringify({ ...manifest, summary }, null, 2) + '\n');
  return summary;
}

/**
 * How many cells go in one task. Each task costs a round trip (structured clones of the task and
 * of the answer, two thread wake-ups: ~0.3 ms on the 2-vCPU VM, docs/scaling.md section 7), which
 * tiny cells (~1 ms) cannot carry; a batch shares it. The size follows the cells' measured time:
 * as many as fill BATCH_TARGET_MS by the slowest cell of the last BATCH_WINDOW (so a grid whose
 * cells grow does not load one worker with a long batch), at most BATCH_MAX, and at most an
 * even share of what is left over the 2W slots in flight (so the last tasks stay balanced).
 * The first cells go one by one (nothing measured yet); cells of 0.2 s and more always do.
 * Results never depend on it: every cell runs alone on its worker's arena, in any batch.
 */
export class BatchSizer {
  private readonly recent: number[] = [];
  constructor(private readonly workers: number) {}
  observe(wallMs: number): void {
    this.recent.push(wallMs);
    if (this.recent.length > BATCH_WINDOW) this.recent.shift();
  }
  /** Cells for the next task, with `left` cells not yet dispatched (the one being batched included). */
  size(left: number): number {
    if (this.recent.length === 0) return 1;
    const slowest = Math.max(...this.recent);
    const byTime = Math.floor(BATCH_TARGET_MS / Math.max(slowest, 0.01));
    const byShare = Math.floor(left / (2 * this.workers));
    return Math.max(1, Math.min(BATCH_MAX, byTime, byShare));
  }
}
export const BATCH_TARGET_MS = 50;
export const BATCH_MAX = 64;
const BATCH_WINDOW = 16;

/** Cells whose warnings are spelled out on stderr; the rest are counted. */
const WARN_CELLS = 5;

function paramsLabel(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  return parts.length ? parts.join(' ') : 'the cell';
}

/** The one line printed when a sweep ends. */
export function summaryLine(s: SweepSummary): string {
  const parts = [`${s.resumed + s.ran}/${s.cells} cells`];
  const detail = [s.resumed ? `${s.resumed} resumed` : '', `${s.ran} run`, `${s.failed} failed`, s.warned ? `${s.warned} with warnings` : ''].filter(Boolean).join(', ');
  let state = s.interrupted ? ` INTERRUPTED (${s.interrupted}), ${s.remaining} left: --resume completes it` : s.complete ? '' : ` INCOMPLETE, ${s.remaining} left`;
  if (s.strategyFailures > 0) state += `; a user strategy failed in ${s.strategyFailures} cell(s)`;
  return `sweep ${s.name}${s.shard !== 'all' ? ` shard ${s.shard}` : ''}: ${parts.join('')} (${detail}) in ${(s.wallMs / 1000).toFixed(1)} s, ${fmtRate(s.cellsPerSec)} cells/s, W=${s.workers}, peak RSS ${s.maxRssMiB} MiB${state} -> ${s.out}`;
}
