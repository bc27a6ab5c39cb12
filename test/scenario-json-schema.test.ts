// The committed JSON Schema is the one the zod schema generates (run `npm run schema` after a change).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../src/scenario/json-schema.ts';
import { PRESETS } from '../src/scenario/presets.ts';

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
});
