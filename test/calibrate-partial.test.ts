// calibrate refuses to fit partial probe output unless asked (--allow-partial, which puts a
// warning in the file), and `--recorded ''` is a usage error, never a live probe run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrate, partialReason } from '../src/calibrate/index.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { main } from '../src/cli/main.ts';
import { fixtureText } from './support/calibrate-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'drainlab-calpartial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The recorded run as a SIGKILLed probe leaves it: cut before its "end" line. */
const killed = () => fixtureText().split('\n').filter((l) => !l.includes('"kind":"end"')).join('\n');
/** ... and as an interrupted one: its end line says so. */
const interrupted = () => fixtureText().replace('"interrupted":false', '"interrupted":true,"signal":2');

describe('partial probe output', () => {
  it('is recognised: no end line, an interrupted end, a signal or a non-zero exit; a finished run is not partial', () => {
    expect(partialReason(parseProbeOutput(fixtureText()))).toBeUndefined();
    expect(partialReason(parseProbeOutput(fixtureText()), { code: 0, signal: null })).toBeUndefined();
    expect(partialReason(parseProbeOutput(killed()))).toMatch(/no "end" line/);
    expect(partialReason(parseProbeOutput(interrupted()))).toMatch(/interrupted by signal 2/);
    expect(partialReason(parseProbeOutput(fixtureText()), { code: null, signal: 'SIGKILL' })).toMatch(/killed by SIGKILL/);
  });

  it('is refused without --allow-partial: exit 2, nothing written, the previous file kept', async () => {
    const out = join(dir, 'cal.json');
    writeFileSync(out, 'previous');
    for (const text of [killed(), interrupted()]) {
      const rec = join(dir, 'rec.jsonl');
      writeFileSync(rec, text);
      expect(await main(['calibrate', '--recorded', rec, '--out', out])).toBe(2);
      expect(readFileSync(out, 'utf8')).toBe('previous');
    }
    await expect(calibrate({ recorded: killed(), out })).rejects.toThrow(/refusing to fit partial output .*--allow-partial/);
  });

  it('is fitted with --allow-partial, with the warning in the file', async () => {
    const rec = join(dir, 'rec2.jsonl');
    const out = join(dir, 'cal2.json');
    writeFileSync(rec, killed());
    expect(await main(['calibrate', '--recorded', rec, '--out', out, '--allow-partial'])).toBe(0);
    const f = JSON.parse(readFileSync(out, 'utf8'));
    expect(f.warnings).toEqual([expect.stringMatching(/^PARTIAL PROBE OUTPUT .*no "end" line/)]);
    expect(f.probe.complete).toBe(false);
  });

  it('a complete run has no warnings field', async () => {
    const r = await calibrate({ recorded: fixtureText() });
    expect(r.status === 'measured' && r.file.warnings).toBeUndefined();
  });
});

describe("--recorded ''", () => {
  it('is exit 2 and runs nothing', async () => {
    const out = join(dir, 'empty.json');
    expect(await main(['calibrate', '--recorded', '', '--out', out])).toBe(2);
    expect(await main(['calibrate', '--recorded', '  ', '--out', out])).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
