// Bad sweep input exits 2 with a message naming the field or flag, and writes nothing.
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { captureCli } from './support/cli-capture.ts';

const cap = captureCli('drainlab-sweep-bad-');
const root = cap.dir;

const good = { name: 'g', base: 'fuse-selftest', params: { cpus: [2, 4] }, strategies: ['v4.14'] };
const cases: [string, unknown, string[], RegExp][] = [
  ['not JSON', '{ nope', [], /--file .*: not JSON/],
  ['unknown preset', { ...good, base: 'nope' }, [], /base: unknown preset "nope"; allowed: /],
  ['bad range', { ...good, params: { cpus: { from: 8, to: 2, step: 1 } } }, [], /params\.cpus: from 8 is above to 2/],
  ['a cell that does not resolve', { ...good, params: { cpus: [1, 2] } }, [], /the cell \{"cpus":1\}: script\[\d\]\.cpu: got 1; allowed: 0\.\.0/],
  ['bad constraint', { ...good, constraints: ['cpus >'] }, [], /constraints\[0\]: "cpus >": unexpected end/],
  ['shard out of range', good, ['--shard', '3/3'], /--shard: shard 3 of 3; allowed: 0\.\.2 \(shard indices are 0-based\)/],
  ['bad workers', good, ['--workers', '0'], /--workers: got "0"; allowed: an integer in 1\.\./],
];

describe('sweep: bad input', () => {
  for (const [what, content, flags, msg] of cases) {
    it(`${what}: exit 2, names it, writes nothing`, async () => {
      const file = join(root, 'sweep.json');
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      const out = join(root, 'out');
      cap.err = '';
      expect(await main(['sweep', '--file', file, '--out', out, '--quiet', ...flags])).toBe(2);
      expect(cap.err).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    });
  }
  it('a missing file', async () => {
    cap.err = '';
    expect(await main(['sweep', '--file', join(root, 'none.json')])).toBe(2);
    expect(cap.err).toMatch(/--file: cannot read .*none\.json: no such file/);
  });
});
