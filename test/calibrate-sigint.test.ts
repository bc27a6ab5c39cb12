// SIGINT in the middle of the RT spinner run: the probe stops at once, no thread of it is left
// spinning, and the host's tracing state (tracing_on, event enables, instances, mounts) is as before.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBE_BIN } from '../src/calibrate/probe.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { probeSkipReason } from './support/calibrate-env.ts';
import { withProbeLock } from './support/calibrate-lock.ts';
import { traceMounts, tracingState } from './support/calibrate-tracing.ts';

/** Threads of `pid` running SCHED_FIFO (policy, field 41 of /proc/PID/task/TID/stat, is 1). */
function fifoThreads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).filter((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3] === '1';
    }).length;
  } catch {
    return 0;
  }
}

function interruptDuringRtSpin(): Promise<{ code: number | null; stdout: string; pid: number; stopMs: number; fifo: number }> {
  return new Promise((resolve, reject) => {
    // the RT spinner runs 800 ms before its seal: SIGINT 300 ms in lands in the spin
    const child = spawn(PROBE_BIN, ['--cases', 'b,d', '--reps', '1', '--rt-pre-ms', '800', '--budget-ms', '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let sentAt = 0;
    let fifo = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      // the busy drain is the last line before the RT spinner starts
      if (!sentAt && stdout.includes('"cpuClass":"busy"')) {
        sentAt = -1;
        setTimeout(() => {
          fifo = fifoThreads(child.pid!);
          sentAt = Date.now();
          child.kill('SIGINT');
        }, 300);
      }
    });
    child.stderr.resume();
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, pid: child.pid!, stopMs: sentAt > 0 ? Date.now() - sentAt : -1, fifo });
    });
  });
}

describe('drainprobe on SIGINT', () => {
  it('stops the RT spinner, exits 130 and leaves tracing as it was', async (ctx) => {
    const why = probeSkipReason();
    if (why) return ctx.skip(why);
    await withProbeLock(async () => {
      const before = tracingState();
      const mountsBefore = traceMounts();
      const r = await interruptDuringRtSpin();
      expect(r.stopMs).toBeGreaterThanOrEqual(0); // the signal was sent mid-run
      expect(r.fifo).toBe(1); // ... while the SCHED_FIFO spinner ran
      expect(r.stopMs).toBeLessThan(2_000);
      expect(r.code).toBe(130);
      // the probe's spinners are threads: the process being gone means none is left
      expect(existsSync(`/proc/${r.pid}`)).toBe(false);
      const run = parseProbeOutput(r.stdout);
      expect(run.end).toMatchObject({ interrupted: true, signal: 2 });
      expect(run.drains.some((d) => d.cpuClass === 'rt')).toBe(false); // stopped before its seal
      expect(traceMounts()).toEqual(mountsBefore);
      if (!before.ok) return ctx.skip(`tracing state not readable: ${before.why}`);
      expect(tracingState()).toEqual(before);
    });
  });
});
