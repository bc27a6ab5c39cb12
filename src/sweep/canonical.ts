/**
 * Canonical JSON and the ids built on it. A cell's id must be the same on every run, shard and
 * machine, so it hashes a form of the scenario that does not depend on key order or whitespace.
 */
import { createHash } from 'node:crypto';

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
 * and the lab version. Nothing about the host, the worker count or the shard goes in.
 */
export function cellIdOf(scenario: { strategies: string[] }, replication: number, labVersion: string): string {
  return sha256(canonicalJson({ kind: 'drainlab/cell@1', scenario, replication, strategies: scenario.strategies, lab: labVersion }));
}

/** The id of a grid point: the same hash over the point's scenario at replication 0 with the base seed. */
export function pointIdOf(scenario: { strategies: string[] }, labVersion: string): string {
  return sha256(canonicalJson({ kind: 'drainlab/point@1', scenario, strategies: scenario.strategies, lab: labVersion }));
}

/**
 * The canonical form of a sweep line for comparisons: the cell without `record.provenance` (the
 * only part that depends on the host, the time and the worker count). Two runs of one sweep, with
 * any worker counts and shardings, give the same canonical lines.
 */
export function canonicalLine(line: string): string {
  const cell = JSON.parse(line) as { record?: { provenance?: unknown } };
  if (cell.record) delete cell.record.provenance;
  return JSON.stringify(cell);
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
