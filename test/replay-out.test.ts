// Issue 17: `replay --out` writes its record as one JSON line, so that `report` reads it line by
// line in bounded memory (a 256-CPU replay of a 20 s trace is ~40 MiB, past the whole-document
// input limit of 64 MiB that a pretty-printed one of 72 MiB hit).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { captureCli } from './support/cli-capture.ts';

const cap = captureCli('drainlab-replay-out-');
const FIX = join(import.meta.dirname, 'fixtures', 'trace-6.18-small.jsonl.gz');

describe('replay --out', () => {
  it('is one JSON line holding the run record and its agreement, and report reads it as a JSON-lines input', async () => {
    const out = join(cap.dir, 'rep.json');
    expect(await main(['replay', FIX, '--comm', 'dwl-*', '--strategy', 'v4.16', '--workers', '1', '--out', out])).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    const rec = JSON.parse(text);
    expect(rec.replay.agreement.seals).toBeGreaterThan(20);
    cap.err = '';
    const html = join(cap.dir, 'r.html');
    expect(await main(['report', out, '-o', html])).toBe(0);
    expect(cap.err).toMatch(/1 runs? in 1 cell/);
  });
});
