// A sweep's cells carry the version (sha256 of the bundled sources) of each user strategy they
// run: a strategy file changed between runs gives other cell ids, and --resume refuses the old
// directory rather than mixing two versions of the strategy in one cells.jsonl. Cost: three CLI
// sweeps of 2 small fuse-selftest cells (~3 s).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'drainlab-plugin-version-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = new URL('../bin/drainlab.js', import.meta.url).pathname;

const plugin = join(root, 'mine.ts');
const source = (note: string) => `// ${note}
import { defineStrategy, addSealsLocked, tagPins, waitLoop, drainAllVariant } from 'drainlab/strategy';
export default defineStrategy({
  name: 'mine',
  models: 'test: v4.16 spelt out',
  *addSeals(ctx, sealSeal) {
    return yield* addSealsLocked(ctx, function* (c) {
      yield* tagPins(c);
      return yield* waitLoop(c, { scan0: { drainAll: drainAllVariant(c) } });
    }, sealSeal);
  },
});
`;
const sweepFile = join(root, 'sweep.json');
writeFileSync(sweepFile, JSON.stringify({ name: 'plugin-version', base: 'fuse-selftest', params: { cpus: [2, 4] }, replications: 1, strategies: ['v4.14'] }));
const sweep = (out: string, ...more: string[]) => spawnSync(process.execPath, [bin, 'sweep', '--file', sweepFile, '--strategy-file', plugin, '--out', out, '--workers', '1', '--quiet', ...more], { encoding: 'utf8' });
const ids = (dir: string) => readFileSync(join(dir, 'cells.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).cellId as string).sort();

describe('sweep cells and a changed strategy file', () => {
  it('records the version, gives other cell ids, and refuses --resume with the changed file', () => {
    writeFileSync(plugin, source('first version'));
    const a = join(root, 'a');
    const r1 = sweep(a);
    expect(r1.status, r1.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(a, 'sweep.json'), 'utf8'));
    expect(manifest.plugins.mine).toMatchObject({ file: expect.stringContaining('mine.ts'), sha256: expect.stringMatching(/^[0-9a-f]{12}$/) });
    const before = readFileSync(join(a, 'cells.jsonl'), 'utf8');

    // The same file: resume finds every cell done.
    const same = sweep(a, '--resume');
    expect(same.status, same.stderr).toBe(0);
    expect(readFileSync(join(a, 'cells.jsonl'), 'utf8')).toBe(before);

    // A comment changed: another version, other cell ids, and the old directory is refused.
    writeFileSync(plugin, source('second version'));
    const changed = sweep(a, '--resume');
    expect(changed.status).toBe(2);
    expect(changed.stderr).toMatch(/--resume: .*strategy "mine": was run with .*mine\.ts version [0-9a-f]{12}, now it is .*mine\.ts version [0-9a-f]{12}/);
    expect(readFileSync(join(a, 'cells.jsonl'), 'utf8')).toBe(before);
    const b = join(root, 'b');
    expect(sweep(b).status).toBe(0);
    const idsA = ids(a);
    const idsB = ids(b);
    expect(idsB).toHaveLength(idsA.length);
    for (const id of idsB) expect(idsA).not.toContain(id);
  });
});
