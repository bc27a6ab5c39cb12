// The committed JSON Schema is the one the zod schema generates (run `npm run schema` after a change).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scenarioJsonSchema } from '../src/scenario/json-schema.ts';
import { PRESETS } from '../src/scenario/presets.ts';
import { sweepSchema } from '../src/sweep/schema.ts';

/** Every object property in a JSON Schema, and those without a description. */
function undescribed(schema: unknown): { fields: number; missing: string[] } {
  const missing: string[] = [];
  let fields = 0;
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    const o = node as Record<string, unknown>;
    for (const [k, v] of Object.entries((o.properties ?? {}) as Record<string, { description?: string }>)) {
      fields++;
      if (!v.description) missing.push(`${path}.${k}`);
    }
    for (const [k, v] of Object.entries(o)) walk(v, k === 'properties' ? path : `${path}/${k}`);
  };
  walk(schema, '');
  return { fields, missing };
}

describe('scenario JSON Schema', () => {
  it('schema/scenario.schema.json is up to date', () => {
    expect(readFileSync(new URL('../schema/scenario.schema.json', import.meta.url), 'utf8')).toBe(scenarioJsonSchema());
  });
  it('lists every script op', () => {
    const text = scenarioJsonSchema();
    for (const op of ['write', 'fault', 'unmap', 'mmapShared', 'munmapShared', 'pin', 'unpin', 'read', 'drain', 'drainAll', 'seal', 'signal', 'cpuClass', 'cpuhpSetup', 'spliceDevtmpfs']) {
      expect(text).toContain(`"const": "${op}"`);
    }
    expect(Object.keys(PRESETS).length).toBeGreaterThan(0);
  });
  it('every field of the scenario and sweep schemas carries a description (an editor shows it)', () => {
    const scenario = undescribed(JSON.parse(scenarioJsonSchema()));
    expect(scenario.fields).toBeGreaterThan(100);
    expect(scenario.missing).toEqual([]);
    const sweep = undescribed(z.toJSONSchema(sweepSchema, { io: 'input', unrepresentable: 'any' }));
    expect(sweep.fields).toBeGreaterThan(10);
    expect(sweep.missing).toEqual([]);
    // The walk does find a field without one.
    expect(undescribed({ properties: { a: { type: 'number' }, b: { description: 'b' } } }).missing).toEqual(['.a']);
  });
});
