// record, fit-workload and replay: bad input is exit 2 with the flag or file named, and nothing is written.
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { captureCli } from './support/cli-capture.ts';

const cap = captureCli('drainlab-trace-bad-');
const dir = cap.dir;
const FIX = join(import.meta.dirname, 'fixtures', 'trace-6.18-small.jsonl.gz');

async function run(args: string[]): Promise<{ code: number; err: string }> {
  cap.err = '';
  const code = await main(args);
  return { code, err: cap.err };
}

describe('trace commands on bad input', () => {
  it('record: --seconds must be a positive number, --comm a task name', async () => {
    const out = join(dir, 'r.jsonl.gz');
    expect(await run(['record', '--seconds', '0', '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/--seconds: got "0"/) });
    expect(await run(['record', '--seconds', '1', '--comm', 'a"b', '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/--comm: got/) });
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });

  it('fit-workload and replay: a missing file, a file that is not a trace, a bad --cpus', async () => {
    const out = join(dir, 'fit.json');
    expect(await run(['fit-workload', join(dir, 'missing.jsonl.gz'), '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read .*missing/) });
    const notTrace = join(dir, 'x.jsonl.gz');
    writeFileSync(notTrace, gzipSync('{"type":"header","schema":"something/else"}\n'));
    expect(await run(['fit-workload', notTrace, '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/not a drainlab\/trace@1 file/) });
    expect(await run(['replay', FIX, '--cpus', '0'])).toMatchObject({ code: 2, err: expect.stringMatching(/--cpus/) });
    expect(await run(['replay', FIX, '--strategy', 'bogus'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown strategy "bogus"; allowed: v4.14/) });
    expect(existsSync(out)).toBe(false);
  });
});
