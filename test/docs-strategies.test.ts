// docs/strategies.md's commands (its ```sh blocks) run exactly as written, in order, from a fresh
// directory (HOME there too, so ~/my-strategies is the test's; `examples/` linked to this
// checkout's), with `npx drainlab` meaning this checkout's CLI; and the worked example's table
// holds: the user strategy beside the built-ins on debate-2017 and idle-many-cpus, never unsafe,
// and on the idle box it never drains where drain-unlocked (S3) interrupts 3857 CPUs.
// Cost: 3 runs of the 13 strategies (debate-2017 twice, idle-many-cpus once) and one report,
// ~25 s on 2 vCPUs at load 15.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin/drainlab.js');
const dir = mkdtempSync(join(tmpdir(), 'drainlab-docs-strategies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));

const lines = [...readFileSync(join(ROOT, 'docs/strategies.md'), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter(Boolean);

interface Run {
  strategy: string;
  plugin?: { file: string; sha256: string };
  summary: { seals: number; ok: number; unsafe: number; drainAllCalls: number; cpusInterrupted: number };
}
const runs = (f: string) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { runs: Run[] }).runs;

describe('docs/strategies.md', () => {
  it('shows the commands this test runs', () => {
    expect(lines).toEqual([
      'npx drainlab strategies --new my-idea',
      'npx drainlab run --preset debate-2017 --strategy-file my-idea.ts',
      'mkdir -p ~/my-strategies && cp examples/strategies/drain-tagged-unlocked.ts ~/my-strategies/',
      'npx drainlab run --preset debate-2017 --strategy-file ~/my-strategies/drain-tagged-unlocked.ts --out out/debate.json',
      'npx drainlab run --preset idle-many-cpus --strategy-file ~/my-strategies/drain-tagged-unlocked.ts --out out/idle.json',
      'npx drainlab report out/debate.json out/idle.json -o out/mine.html',
    ]);
  });

  it('runs them as written, and the worked example says what the page says', () => {
    for (const line of lines) {
      const script = `drainlab() { node ${JSON.stringify(BIN)} "$@"; }\nnpx() { if [ "$1" = drainlab ]; then shift; drainlab "$@"; else return 99; fi; }\n${line}`;
      const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir, FORCE_COLOR: '0' } });
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
      if (line.includes('my-idea.ts')) expect(r.stdout).toMatch(/\nmy-idea\* +48 +48 /);
    }
    const debate = runs('out/debate.json');
    const idle = runs('out/idle.json');
    for (const rs of [debate, idle]) {
      expect(rs).toHaveLength(13);
      expect(rs[12]).toMatchObject({ strategy: 'drain-tagged-unlocked', plugin: { file: expect.stringMatching(/my-strategies\/drain-tagged-unlocked\.ts$/) } });
      for (const r of rs) expect(r.summary.unsafe).toBe(0);
    }
    const by = (rs: Run[], s: string) => rs.find((r) => r.strategy === s)!.summary;
    expect(by(debate, 'drain-tagged-unlocked')).toMatchObject({ seals: 48, ok: 48, drainAllCalls: 46, cpusInterrupted: 45 });
    expect(by(idle, 'drain-tagged-unlocked')).toMatchObject({ seals: 40, ok: 40, drainAllCalls: 0, cpusInterrupted: 0 });
    expect(by(idle, 'drain-unlocked')).toMatchObject({ seals: 40, drainAllCalls: 40, cpusInterrupted: 3857 });
    expect(readFileSync(join(dir, 'out/mine.html'), 'utf8')).toContain('drain-tagged-unlocked');
  });
});
