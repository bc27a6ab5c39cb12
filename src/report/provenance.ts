/** The "what was run" facts: distinct provenance values per field over the inputs. */
import type { RunRecord } from '../metrics/record.ts';
import type { SweepCell } from './types.ts';

export function provenanceOf(cells: readonly SweepCell[]): { field: string; values: string[] }[] {
  const prov = new Map<string, Set<string>>();
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null || v === '') return;
    const set = prov.get(k) ?? new Set<string>();
    set.add(typeof v === 'string' ? v : JSON.stringify(v));
    prov.set(k, set);
  };
  let wall = 0;
  let first = '';
  let last = '';
  for (const c of cells) {
    const p = c.record.provenance ?? ({} as RunRecord['provenance']);
    add('drainlab', p.drainlab);
    add('gitCommit', p.gitCommit);
    add('wasmSha256', p.wasmSha256);
    add('node', p.node);
    if (p.host) add('host', `${p.host.model} (${p.host.cpus} CPUs)`);
    add('workers', p.workers);
    if (typeof p.wallMs === 'number') wall += p.wallMs;
    if (typeof p.startedAt === 'string') {
      if (!first || p.startedAt < first) first = p.startedAt;
      if (!last || p.startedAt > last) last = p.startedAt;
    }
  }
  const out = [...prov.entries()].map(([field, set]) => {
    const values = [...set].sort();
    return { field, values: values.length > 8 ? [...values.slice(0, 8), `... and ${values.length - 8} more`] : values };
  });
  if (first) out.push({ field: 'startedAt', values: [first === last ? first : `${first} .. ${last}`] });
  out.push({ field: 'simulator wall time (sum)', values: [`${(wall / 1000).toFixed(2)} s`] });
  return out;
}
