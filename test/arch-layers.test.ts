/**
 * Dependencies point one way (docs/architecture.md, "Layers"): a module may import its own layer
 * and the layers below it, never one above. The scan reads every relative import (static and
 * dynamic) under src/ and fails naming each upward edge. bench/ stays out of src/'s static graph:
 * a command module may load it lazily (a dynamic import).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Lowest first. Folders of one layer may import each other. */
export const LAYERS: string[][] = [
  ['io', 'stats', 'errors.ts'],
  ['wasm'],
  ['kernel', 'scenario', 'metrics'],
  ['shard'],
  ['sim', 'strategies', 'lockdep', 'reference', 'calibrate', 'validate'],
  ['pool'],
  ['sweep', 'report', 'study', 'bench', 'trace'],
  ['cli'],
];

const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** 'src/sim/run.ts' -> 'sim'; 'bench/x.ts' -> 'bench'; 'package.json' -> null (data, no layer). */
function unit(path: string): string | null {
  const parts = normalize(path).split('/');
  if (parts[0] === 'bench') return 'bench';
  if (parts[0] !== 'src') return null;
  return parts.length === 2 ? parts[1]! : parts[1]!;
}

export function upwardEdges(root = '.'): string[] {
  const out: string[] = [];
  for (const f of [...files(join(root, 'src')), ...files(join(root, 'bench'))]) {
    const from = unit(relative(root, f))!;
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = unit(relative(root, normalize(join(dirname(f), m[1]!))));
      if (target === null || target === from) continue;
      // bench/ is loaded lazily by command modules (a dynamic import), never statically from src/.
      if (target === 'bench' && from !== 'bench') {
        if (!/^import\(/.test(m[0].trim())) out.push(`${relative(root, f)} imports ${m[1]} statically (src/ -> bench/)`);
        continue;
      }
      const a = rank.get(from);
      const b = rank.get(target);
      if (a === undefined || b === undefined) out.push(`${relative(root, f)}: ${from} or ${target} has no layer in LAYERS`);
      else if (b > a) out.push(`${relative(root, f)} imports ${m[1]} (${from} -> ${target}, upward)`);
    }
  }
  return out;
}

describe('layers', () => {
  it('no module imports a layer above its own', () => {
    expect(upwardEdges()).toEqual([]);
  });
  it('the scan sees an upward edge (a mutation of the rank table fails)', () => {
    const saved = rank.get('sim')!;
    rank.set('sim', 0);
    try {
      expect(upwardEdges().length).toBeGreaterThan(0);
    } finally {
      rank.set('sim', saved);
    }
  });
});
