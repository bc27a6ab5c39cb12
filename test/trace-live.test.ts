// The recorder on this machine's kernel: a recording of the synthetic workload, fitted back to its
// known rates; no tracing instance, mount or enabled event left behind, after a normal stop and
// after SIGINT. Skipped (with the reason) where tracefs, root or a C compiler is missing.
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, readTrace } from '../src/trace/analyze.ts';
import { fitWorkload } from '../src/trace/fit.ts';
import { compareKnown, type KnownWorkload } from '../src/trace/known.ts';
import { hostTracing, startWorkload, traceSkipReason } from './support/trace-live.ts';
import { withProbeLock } from './support/calibrate-lock.ts';

const skip = traceSkipReason();
const BIN = join(import.meta.dirname, '..', 'bin', 'drainlab.js');

function drainlab(args: string[], onLine?: (l: string, kill: () => void) => void): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      for (const l of d.split('\n')) onLine?.(l, () => child.kill('SIGINT'));
    });
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe.skipIf(!!skip)(`drainlab record on this kernel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('records the synthetic workload, fit-workload recovers its seal and fadvise rates, and nothing is left behind', async () => {
    await withProbeLock(async () => {
      const before = hostTracing();
      const dir = mkdtempSync(join(tmpdir(), 'drainlab-trace-'));
      const out = join(dir, 't.jsonl.gz');
      const w = startWorkload(['--write-rate', '200', '--seal-rate', '10', '--pin-every', '4', '--pin-ms', '40', '--drain-rate', '10']);
      const r = await drainlab(['record', '--seconds', '6', '--comm', 'dwl-*', '--out', out]);
      w.child.kill('SIGINT');
      const known = JSON.parse(await w.done) as KnownWorkload;
      expect(r.code, r.stderr).toBe(0);
      expect(hostTracing()).toEqual(before);
      const t = readTrace(out);
      expect(t.footer?.teardown.instanceRemoved).toBe(true);
      expect(t.footer?.lost.total).toBe(0);
      const a = analyze(t, 'dwl-*');
      const fit = fitWorkload(a, { comm: 'dwl-*' });
      const rows = compareKnown(known, fit.parameters, 4);
      // seals and fadvise calls are periodic and exact: their rates must be inside the intervals
      for (const what of ['seals.cpu0', 'fadvise.caller[dwl-fadv@0]']) {
        const row = rows.find((x) => x.parameter === what);
        expect(row?.pass, JSON.stringify(row)).toBe(true);
      }
      // every seal of the trace ended ok or EBUSY (no pin outlives the 148 ms loop here: all ok)
      expect(a.seals.filter((s) => s.result !== 'unfinished').every((s) => s.result === 'ok')).toBe(true);
    });
  }, 180_000);

  it('SIGINT stops the recording at once, keeps what it has, and leaves nothing behind', async () => {
    await withProbeLock(async () => {
      const before = hostTracing();
      const dir = mkdtempSync(join(tmpdir(), 'drainlab-trace-'));
      const out = join(dir, 't.jsonl.gz');
      let sent = false;
      const r = await drainlab(['record', '--seconds', '120', '--out', out], (l, kill) => {
        if (!sent && /record: [1-9]\d*\/120 s/.test(l)) {
          sent = true;
          kill();
        }
      });
      expect(sent).toBe(true);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(`${out}.partial`)).toBe(false);
      const t = readTrace(out);
      expect(t.footer?.interrupted).toBe(true);
      expect((t.footer!.endNs - t.footer!.startNs) / 1e9).toBeLessThan(60);
      expect(t.footer?.teardown.instanceRemoved).toBe(true);
      expect(hostTracing()).toEqual(before);
    });
  }, 180_000);
});
