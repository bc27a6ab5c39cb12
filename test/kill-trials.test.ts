// Kill and resume (issue 18): scripts/kill-trials.mjs interrupts a 40-cell sweep with SIGINT and
// SIGKILL at random moments (start-up, running, teardown), damages a line in the middle of its
// cells.jsonl, resumes it to the end, and compares the merged result with an uninterrupted run
// byte for byte; every SIGINT that finds drainlab's handler installed must exit 130. Two trials
// here (about a minute on 2 busy cores); the 20-trial figures are in docs/hardening.md.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('kill trials', () => {
  it('two trials resume byte-identical and every caught SIGINT exits 130', () => {
    const out = execFileSync(process.execPath, ['scripts/kill-trials.mjs', '2', '18'], { encoding: 'utf8', timeout: 300_000 });
    expect(out).toMatch(/^trial +1: ok /m);
    expect(out).toMatch(/^trial +2: ok /m);
    expect(out).toMatch(/; 0 failed;/);
  }, 320_000);
});
