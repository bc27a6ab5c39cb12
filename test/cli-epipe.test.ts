// A reader that closes the pipe early (`drainlab run --json | head`) ends the CLI quietly with
// the status of a tool killed by SIGPIPE (141), not an unhandled EPIPE stack trace (exit 1).
// Cost: one run of large-busy-machine (~1-2 s on 2 vCPUs); its ~800 KB record overfills the pipe.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('stdout closed by its reader', () => {
  it('exits 141 with nothing on stderr', async () => {
    const child = spawn(process.execPath, ['bin/drainlab.js', 'run', '--preset', 'large-busy-machine', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.once('data', () => child.stdout.destroy()); // like `head -c 100`
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(141);
  }, 60_000);
});
