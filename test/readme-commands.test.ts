/**
 * Every command README.md shows (its ```sh blocks) runs as written, from a fresh output
 * directory, through the real CLI (bin/drainlab.js), and does what the README says: exit code and
 * output checked. A command the README gains without an entry in HOW below fails this test, so the
 * README cannot drift from what works. A few commands run in a cheap form or not at all; each says
 * why. (`drainlab --help` and the commands' own help show no example lines today; the last test
 * holds that, so an example added there must be added here too.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin/drainlab.js');
const PROBE_FIXTURE = join(ROOT, 'test/fixtures/probe-6.18-hz250-2026-11-25.jsonl');
const TRACE_FIXTURE = join(ROOT, 'test/fixtures/trace-6.18-small.jsonl.gz');

/** The shell lines of README.md's ```sh blocks, comments stripped. */
function readmeCommands(): string[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let dir = '';
/** Runs a shell line in the fresh directory with `npx drainlab` meaning this checkout's CLI. */
function sh(line: string): Result {
  const script = `drainlab() { node ${JSON.stringify(BIN)} "$@"; }\nnpx() { if [ "$1" = drainlab ]; then shift; drainlab "$@"; else echo "npx $1: not allowed here" >&2; return 99; fi; }\n${line}`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(line: string): Result {
  const r = sh(line);
  expect(r.code, `${line}\n${r.stderr.slice(-2000)}`).toBe(0);
  return r;
}

const lines = (path: string) => readFileSync(join(dir, path), 'utf8').trim().split('\n').filter(Boolean);

/**
 * How each README line is checked. `skip` says why a line does not run here; `as` gives the cheap
 * form that runs instead (and why); `check` runs after it, in README order.
 */
const HOW: Record<string, { skip?: string; as?: string[]; why?: string; check?: (r: Result) => void }> = {
  'npm install && npm start': {
    as: ['npx drainlab study --quick --out out/study'],
    why: 'npm install needs the network and npm start runs the full study (minutes); this is the same command (drainlab study) in its quick form',
    check: (r) => {
      expect(lines('out/study/results.jsonl').length).toBeGreaterThan(20);
      // the terminal answers the thread's three questions, as the report's first screen does
      expect(r.stdout).toMatch(/the 2017 questions[^\n]*\n  1\. Michal Hocko's patch[^\n]*\n {5}\S[\s\S]*\n  2\. David Herrmann's proposal[\s\S]*\n  3\. the follow-ups/);
      const html = readFileSync(join(dir, 'out/study/report.html'), 'utf8');
      expect(html).toContain('Does dropping lru_add_drain_all() from the pin wait cause spurious EBUSY');
      expect(html.indexOf('id="findings"')).toBeLessThan(html.indexOf('id="scenarios"'));
    },
  },
  'npm test': { skip: 'this is the test suite itself' },
  'npx drainlab presets': { check: (r) => expect(r.stdout).toMatch(/debate-2017 +Does dropping/) },
  'npx drainlab strategies': { check: (r) => expect(r.stdout.trim().split('\n').length).toBe(2 + 12) },
  'npx drainlab strategies --new my-idea': { check: () => expect(readFileSync(join(dir, 'my-idea.ts'), 'utf8')).toMatch(/drainlab\/strategy/) },
  'npx drainlab run --preset debate-2017 --strategy-file my-idea.ts': { check: (r) => expect(r.stdout).toMatch(/my-idea\*/) },
  'npx drainlab sensitivity --preset debate-2017 --metric spuriousEbusy --metric latencyMs.p99': {
    as: ['npx drainlab sensitivity --preset debate-2017 --metric spuriousEbusy --metric latencyMs.p99 --strategy v4.14 no-drain --trajectories 2 --samples 8 --sobol-factors 2 --out out/sens'],
    why: 'the full run takes ~10 s on 2 quiet cores (380 runs) and minutes on a loaded host; this is the same command on two strategies and a small design',
    check: (r) => expect(r.stdout).toMatch(/spuriousEbusy of no-drain depends mostly on pagevecSize/),
  },
  'npx drainlab run --preset fuse-selftest': {
    check: (r) => {
      expect(r.stdout).toMatch(/^fuse-selftest: 4 CPUs/);
      expect(r.stdout).toMatch(/\nno-drain +2 +0 +2 +1 +0 /); // 2 seals, 0 ok, 2 EBUSY, 1 spurious, 0 unsafe
    },
  },
  'npx drainlab run --scenario my.json --strategy v4.14 --strategy no-drain --out out/run.json': {
    why: 'my.json stands for the reader\'s scenario: here the fuse-selftest preset written to a file',
    as: ['npx drainlab presets --json | node -e "process.stdout.write(JSON.stringify(JSON.parse(require(\'fs\').readFileSync(0, \'utf8\'))[\'fuse-selftest\']))" > my.json', 'npx drainlab run --scenario my.json --strategy v4.14 --strategy no-drain --out out/run.json'],
    check: () => {
      const rec = JSON.parse(readFileSync(join(dir, 'out/run.json'), 'utf8'));
      expect(rec.schema).toBe('drainlab/run@1');
      expect(rec.runs.map((x: { strategy: string }) => x.strategy)).toEqual(['v4.14', 'no-drain']);
    },
  },
  'npx drainlab validate': { check: (r) => expect(r.stdout).toMatch(/validation cases .*: \d+ passed, 0 failed/) },
  'npx drainlab calibrate --out out/calibration.json': {
    as: [`npx drainlab calibrate --out out/calibration.json --recorded ${PROBE_FIXTURE}`],
    why: 'the live probe needs Linux, a C compiler and ~20-40 s; --recorded runs the same fit and model comparison on a recorded probe output',
    check: (r) => {
      expect(r.stdout).toMatch(/wrote out\/calibration\.json/);
      expect(JSON.parse(readFileSync(join(dir, 'out/calibration.json'), 'utf8')).schema).toBe('drainlab/calibration@1');
    },
  },
  'npx drainlab validate --calibration out/calibration.json': {
    as: ['npx drainlab validate --calibration out/calibration.json; echo "exit $?"'],
    why: 'validate exits 1 when a case fails; the line echoes the exit code so it can be held against the output',
    check: (r) => {
      const code = Number(/exit (\d+)\s*$/.exec(r.stdout)![1]);
      const failed = Number(/(\d+) failed/.exec(r.stdout.split('\n').filter((l) => /calibration|measure/i.test(l) && /failed/.test(l)).at(-1) ?? '0 failed')![1]);
      expect(code === 0 || code === 1).toBe(true);
      if (code === 0) expect(failed).toBe(0);
    },
  },
  'npx drainlab record --seconds 20 --out out/trace.jsonl.gz': {
    as: [`cp ${JSON.stringify(TRACE_FIXTURE)} out/trace.jsonl.gz`],
    why: 'recording needs root and tracefs (test/trace-live.test.ts runs it where it can); a trace recorded on a 6.18 host stands in for it',
  },
  'npx drainlab fit-workload out/trace.jsonl.gz --out out/fit.json && npx drainlab replay out/trace.jsonl.gz --cpus 256 --out out/replay.json': {
    check: () => {
      expect(existsSync(join(dir, 'out/fit.json'))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, 'out/replay.json'), 'utf8')).schema).toBe('drainlab/run@1');
    },
  },
  'npx drainlab sweep --file examples/sweeps/cpus-pages.json --out out/cpus': {
    check: () => {
      const manifest = JSON.parse(readFileSync(join(dir, 'out/cpus/sweep.json'), 'utf8'));
      expect(manifest.summary.failed).toBe(0);
      expect(lines('out/cpus/cells.jsonl').length).toBe(manifest.summary.cells);
      expect(lines('out/cpus/cells.jsonl').length).toBeGreaterThan(10);
    },
  },
  'npx drainlab merge out/shard-* --out out/merged': {
    as: ['npx drainlab sweep --file examples/sweeps/tiny.json --out out/shard-1 --shard 0/2', 'npx drainlab sweep --file examples/sweeps/tiny.json --out out/shard-2 --shard 1/2', 'npx drainlab merge out/shard-* --out out/merged'],
    why: 'the shards to merge come from the 12-cell examples/sweeps/tiny.json, run as two shards first',
    check: () => expect(lines('out/merged/cells.jsonl').length).toBe(12),
  },
  'npx drainlab tune --scenario examples/handoffs.json --strategy v4.14 --metric drainCpuMs --budget 5 --cpus-max 512 --replications 3': {
    check: (r) => expect(r.stdout).toMatch(/rising|falling|flat|non-monotonic/),
  },
  'npx drainlab report out/run.json out/cpus -o out/report.html [--save-baseline NAME | --baseline NAME --fail-on latencyMs.p99:10]': {
    as: [
      'npx drainlab report out/run.json out/cpus -o out/report.html',
      'npx drainlab report out/run.json out/cpus -o out/report.html --save-baseline first',
      'npx drainlab report out/run.json out/cpus -o out/report.html --baseline first --fail-on latencyMs.p99:10',
    ],
    why: 'the bracketed options expanded: plain, saving a baseline, then checking against it',
    check: (r) => {
      expect(r.stderr).toMatch(/--fail-on checks passed/);
      const html = readFileSync(join(dir, 'out/report.html'), 'utf8');
      expect(html).toContain('Change since baseline “first”');
    },
  },
  'npx drainlab bench [--quick]': {
    as: ['npx drainlab bench --help'],
    why: 'bench --quick takes minutes and runs in test/bench-quick.test.ts; here only its help',
    check: (r) => expect(r.stdout).toMatch(/--quick/),
  },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drainlab-readme-'));
  // The README's paths are relative to the repository: its inputs are there, out/ starts empty.
  symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
  writeFileSync(join(dir, '.keep'), '');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README commands', () => {
  it('every command line of README.md has a way to be checked here', () => {
    const missing = readmeCommands().filter((l) => !(l in HOW));
    expect(missing, 'README lines with no entry in HOW (add one)').toEqual([]);
    const stale = Object.keys(HOW).filter((k) => !readmeCommands().includes(k));
    expect(stale, 'HOW entries whose line is no longer in README.md').toEqual([]);
  });

  it('each runs from a fresh directory as written (or in its stated cheap form) and does what it says', () => {
    expect(existsSync(join(dir, 'out'))).toBe(false);
    for (const line of readmeCommands()) {
      const how = HOW[line]!;
      if (how.skip) continue;
      let last: Result | undefined;
      for (const cmd of how.as ?? [line]) last = ok(cmd);
      how.check?.(last!);
    }
  }, 1_500_000);

  it('an unknown metric in --fail-on exits 2 naming the allowed ones', () => {
    const r = sh('npx drainlab report out/run.json -o out/x.html --baseline first --fail-on latencyMs.p42:10');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown metric "latencyMs\.p42".*latencyMs\.p99/);
    expect(existsSync(join(dir, 'out/x.html'))).toBe(false);
  });

  it('a baseline of another scenario is refused (exit 2) unless forced', () => {
    const r = sh('npx drainlab report out/cpus -o out/y.html --baseline first');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/baseline ran scenario\(s\)/);
    expect(sh('npx drainlab report out/cpus -o out/y.html --baseline first --force-baseline').code).toBe(0);
  });

  it('the CLI\'s help shows no example line that this test does not run', () => {
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    const examples = help.split('\n').filter((l) => /^\s*\$?\s*(npx )?drainlab \w/.test(l));
    expect(examples).toEqual([]);
  });
});
