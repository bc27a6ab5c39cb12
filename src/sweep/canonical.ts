/**
 * Canonical JSON and the ids built on it. A cell's id must be the same on every run, shard and
 * machine, so it hashes a form of the scenario that does not depend on key order or whitespace.
 */
import { createHash } from 'node:crypto';
import { pluginVersions } from '../strategies/registry.ts';

/** JSON with object keys sorted at every level and no whitespace; undefined fields are left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The id of one cell (one grid point, one replication): sha256 of the canonical JSON of the fully
 * resolved scenario (which already carries seed and replication), the replication, the strategies
 * and the lab version; for user strategies (--strategy-file) also the version of each file (the
 * sha256 of its bundled sources), so a cell of a changed file is another cell. Nothing about the
 * host, the worker count or the shard goes in. Cells with built-in strategies only keep the ids
 * they had before user strategies existed (`plugins` is then left out).
 */
export function cellIdOf(scenario: { strategies: string[] }, replication: number, labVersion: string): string {
  return sha256(canonicalJson({ kind: 'drainlab/cell@1', scenario, replication, strategies: scenario.strategies, lab: labVersion, plugins: pluginVersions(scenario.strategies) }));
}

/** The id of a grid point: the same hash over the point's scenario at replication 0 with the base seed. */
export function pointIdOf(scenario: { strategies: string[] }, labVersion: string): string {
  return sha256(canonicalJson({ kind: 'drainlab/point@1', scenario, strategies: scenario.strategies, lab: labVersion, plugins: pluginVersions(scenario.strategies) }));
}

/**
 * The canonical form of a sweep line for comparisons: the cell without `record.provenance` (the
 * only part that depends on the host, the time and the worker count). Two runs of one sweep, with
 * any worker counts and shardings, give the same canonical lines.
 */
export function canonicalLine(line: string): string {
  const cell = JSON.parse(line) as { record?: { provenance?: unknown }; [SUM_FIELD]?: unknown };
  if (cell.record) delete cell.record.provenance;
  delete cell[SUM_FIELD];
  return JSON.stringify(cell);
}

/**
 * The checksum every cells.jsonl line carries as its last field, `"lineSum":"<16 hex>"`: the first
 * 64 bits of the sha256 of the line without it. A line whose checksum does not match (torn, cut,
 * overwritten, a flipped bit) is not a cell, for resume and merge alike.
 */
export const SUM_FIELD = 'lineSum';
const SUM_RE = /,"lineSum":"([0-9a-f]{16})"\}$/;

/** A JSON object line (as JSON.stringify writes one) with its checksum appended. */
export function sealLine(json: string): string {
  if (!json.endsWith('}')) throw new TypeError('sealLine: not a JSON object');
  return `${json.slice(0, -1)},"${SUM_FIELD}":"${sha256(json).slice(0, 16)}"}`;
}

export type LineCheck = { ok: true; cellId: string } | { ok: false; why: string };

/**
 * Whether a cells.jsonl line is a whole cell, and its id: the checksum must match; a line without
 * one (written before checksums) must parse in full with a cellId and a record. The one judgement
 * resume and merge share.
 */
/** A cell id: a sha256 in lowercase hex (merge's sort stores it as 32 bytes). */
const CELL_ID_RE = /^[0-9a-f]{64}$/;

export function checkCellLine(line: string): LineCheck {
  const m = SUM_RE.exec(line);
  if (m) {
    const body = `${line.slice(0, m.index)}}`;
    if (sha256(body).slice(0, 16) !== m[1]) return { ok: false, why: 'checksum mismatch (damaged line)' };
    const id = quickCellId(body) ?? cellIdOfLine(body);
    return id === undefined || !CELL_ID_RE.test(id) ? { ok: false, why: 'no cellId' } : { ok: true, cellId: ownString(id) };
  }
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, why: line.includes(`"${SUM_FIELD}"`) ? 'damaged checksum' : 'not JSON (damaged line)' };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, why: 'not a JSON object' };
  const o = v as { cellId?: unknown; record?: unknown };
  if (typeof o.cellId !== 'string' || !CELL_ID_RE.test(o.cellId)) return { ok: false, why: 'no cellId' };
  if (o.record === null || typeof o.record !== 'object') return { ok: false, why: 'no record' };
  return { ok: true, cellId: ownString(o.cellId) };
}

/**
 * A copy of a short string that shares no memory with the string it was cut from. V8 makes a
 * substring of 13 characters or more a slice that keeps its whole parent alive: a cell id matched
 * out of its line kept the line (~6.5 KB), so resume's set of done ids held the whole cells.jsonl.
 */
function ownString(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

/** The cellId at the start of a line this lab wrote (`{"cellId":"<64 hex>"`), or undefined. */
export function quickCellId(line: string): string | undefined {
  const m = /^\{"cellId":"([0-9a-f]{64})"/.exec(line);
  return m?.[1];
}

/** The cellId of any cell line: the fast prefix match, else the parsed line's field; undefined if none. */
export function cellIdOfLine(line: string): string | undefined {
  const quick = quickCellId(line);
  if (quick !== undefined) return quick;
  try {
    const v = JSON.parse(line) as { cellId?: unknown };
    return typeof v.cellId === 'string' ? v.cellId : undefined;
  } catch {
    return undefined;
  }
}
