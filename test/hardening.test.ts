// The audit's classes of failing input (issue 18), one case each: every one is exit 2 with a
// message naming the file, field or flag, writes nothing, and finishes at once (no unbounded read,
// no run-forever scenario). The fuzz suite (fuzz-inputs.test.ts) covers the space around them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { checkCellLine, sealLine } from '../src/sweep/canonical.ts';
import { termSafe } from '../src/io/text.ts';
import { writeAtomic } from '../src/io/files.ts';

const dir = mkdtempSync(join(tmpdir(), 'drainlab-hard-'));
const home = process.cwd();
let stderr = '';
const good = { cpus: 4, pages: 8, script: [{ atMs: 0, cpu: 1, op: 'write', pages: '0-3' }, { atMs: 5, op: 'seal' }] };

beforeAll(() => {
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  process.chdir(dir);
  writeFileSync('ok.json', JSON.stringify(good));
  execFileSync('mkfifo', ['fifo']);
  symlinkSync('/dev/zero', 'zero.json');
});
afterAll(() => {
  process.chdir(home);
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const listing = () => readdirSync('.').sort().join(' ');

async function refused(argv: string[], message: RegExp, files: Record<string, unknown> = {}): Promise<void> {
  for (const [f, v] of Object.entries(files)) writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  const before = listing();
  stderr = '';
  const code = await main(argv);
  expect(code, stderr).toBe(2);
  expect(stderr).toMatch(message);
  expect(stderr).not.toMatch(/internal error/);
  expect(listing()).toBe(before);
}

describe('the audit classes are exit 2, named, nothing written', () => {
  it('special files: a FIFO, /dev/zero, a link to it', async () => {
    await refused(['run', '--scenario', 'fifo'], /--scenario: cannot read fifo: a FIFO/);
    await refused(['run', '--scenario', '/dev/zero'], /a device/);
    await refused(['run', '--preset', 'fuse-selftest', '--calibration', 'zero.json'], /--calibration: cannot read zero\.json \(-> \/dev\/zero\): a device/);
    await refused(['calibrate', '--recorded', 'fifo'], /--recorded: cannot read fifo: a FIFO/);
    await refused(['calibrate', '--recorded', ''], /--recorded: give a file name/);
  });

  it('deeply nested JSON in a scenario, a sweep constraint and report input', async () => {
    await refused(['run', '--scenario', 'deep.json'], /nested deeper than 64 levels/, { 'deep.json': '['.repeat(50_000) + ']'.repeat(50_000) });
    await refused(['sweep', '--file', 'sw.json'], /constraints\[0\]: "\(\(\(.*\.\.\.: \d+ characters; allowed: at most 4096/, { 'sw.json': { name: 'd', base: 'fuse-selftest', constraints: ['('.repeat(3000) + 'cpus < 2' + ')'.repeat(3000)] } });
    await refused(['report', 'r.jsonl', '-o', 'r.html'], /nested deeper than 64/, { 'r.jsonl': '{"cellId":"x","record":' + '['.repeat(100) + ']'.repeat(100) + '}\n' });
  });

  it('schema-valid scenarios that would run for ever are refused with the estimate and the limit', async () => {
    await refused(['run', '--scenario', 'h.json'], /estimated 4\.85e\+10 events.*limit is 1\.00e\+8.*DRAINLAB_MAX_EVENTS/, { 'h.json': { cpus: 4, horizonMs: 1e9, workload: { producers: [{ cpus: 'all', ratePerMs: 1 }] } } });
    await refused(['run', '--scenario', 'r.json'], /DRAINLAB_MAX_EVENTS/, { 'r.json': { cpus: 4, workload: { producers: [{ cpus: 'all', ratePerMs: 8192 }] } } });
    await refused(['sweep', '--file', 'sw.json'], /list index 99999999; allowed: 0\.\.10000/, { 'sw.json': { name: 'i', base: 'fuse-selftest', params: { 'script[99999999].atMs': [1] } } });
  });

  it('run --calibration goes through the calibration schema', async () => {
    const cal = (costs: unknown) => ({ schema: 'drainlab/calibration@1', host: { kernel: '6.18', hz: 250, cpus: 2, model: 'x' }, measuredAt: 'now', costs, cases: [], notes: [] });
    await refused(['run', '--preset', 'fuse-selftest', '--calibration', 'c.json'], /--calibration c\.json: costs\.tagSetNs/, { 'c.json': cal({ tagSetNs: 'x' }) });
    await refused(['run', '--preset', 'fuse-selftest', '--calibration', 'c.json'], /costs\.tagSetNs/, { 'c.json': cal({ tagSetNs: -1 }) });
    await refused(['run', '--preset', 'fuse-selftest', '--calibration', 'c.json'], /costs/, { 'c.json': cal({ noSuchNs: 1 }) });
    await refused(['run', '--preset', 'fuse-selftest', '--calibration', 'c.json'], /costs\.timerSlackNs/, { 'c.json': cal({ timerSlackNs: 1e300 }) });
  });

  it('inherited names are never presets', async () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      await refused(['run', '--preset', name], /unknown preset.*allowed: debate-2017/);
      await refused(['sweep', '--file', 'sw.json'], /unknown preset/, { 'sw.json': { name: 'p', base: name } });
    }
  });

  it('unwritable --out / -o paths', async () => {
    await refused(['run', '--scenario', 'ok.json', '--out', dir], /--out .*: cannot write: is a directory \(EISDIR\)/);
    await refused(['run', '--scenario', 'ok.json', '--out', 'ok.json/x.json'], /--out ok\.json\/x\.json: cannot write: .*\(ENOTDIR\)/);
    await refused(['run', '--scenario', 'ok.json', '--out', `a/b/${'y'.repeat(300)}.json`], /name too long \(ENAMETOOLONG\)/);
    await refused(['run', '--scenario', 'ok.json', '--out', '/proc/drainlab/x.json'], /--out .*cannot write/);
    await refused(['report', 'ok.json', '-o', dir], /is a directory/);
  });

  it('an option value that looks like a flag is not swallowed', async () => {
    await refused(['bench', '--json', '--quick'], /--json: got "--quick", which looks like a flag/);
  });

  it('report --save-baseline with a bad name writes nothing, not even the report', async () => {
    const rec = JSON.parse(JSON.stringify({ schema: 'drainlab/run@1', scenario: { name: 'x' }, provenance: {}, runs: [] }));
    await refused(['report', 'rec.json', '-o', 'r.html', '--save-baseline', '../x'], /--save-baseline "\.\.\/x"/, { 'rec.json': rec });
  });

  it('merge: a manifest with shard.count 1e9 or null fields is refused; a conflict leaves no directory', async () => {
    mkdirSync('m1', { recursive: true });
    await refused(['merge', 'm1', '--out', 'mo'], /m1\/sweep\.json: not a drainlab sweep manifest/, { 'm1/sweep.json': { schema: 'drainlab/sweep-run@1', configHash: 'a'.repeat(64), lab: { version: '0.1.0' }, shard: { index: 0, count: 1e9 }, sweep: {}, totals: null, startedAt: 'x' } });
    expect(existsSync('mo')).toBe(false);
  });

  it('a sweep named "." or ".." writes under its own directory', async () => {
    const { safeName } = await import('../src/sweep/command.ts');
    expect(safeName('..')).toBe('__');
    expect(safeName('.')).toBe('_');
    expect(safeName('../../etc')).not.toMatch(/^\.|\//);
  });

  it('--workers far above the cores warns', async () => {
    stderr = '';
    expect(await main(['sweep', '--file', 'missing.json', '--workers', '256'])).toBe(2);
    expect(stderr).toMatch(/warning: --workers 256 on \d+ core/);
  });
});

describe('pieces', () => {
  it('control characters are escaped for the terminal', () => {
    expect(termSafe('a\u001b]0;x\u0007b\u009bc\u202ed\n')).toBe('a\\x1b]0;x\\x07b\\x9bc\\u{202e}d\n');
  });

  it('a cell line with a damaged byte, or cut short, fails its checksum', () => {
    const line = sealLine(JSON.stringify({ cellId: 'a'.repeat(64), params: {}, replication: 0, record: { runs: [{ x: 12345 }] } }));
    expect(checkCellLine(line)).toEqual({ ok: true, cellId: 'a'.repeat(64) });
    expect(checkCellLine(line.replace('12345', '12346')).ok).toBe(false);
    expect(checkCellLine(line.slice(0, 60)).ok).toBe(false);
  });

  it('the atomic writer leaves the old file when a write fails, and no temporary file', () => {
    writeFileSync('keep.json', 'old');
    expect(() => writeAtomic('keep.json', (function* () {
      yield 'new';
      throw Object.assign(new Error('no space'), { code: 'ENOSPC', syscall: 'write' });
    })(), '--out')).toThrow(/--out keep\.json: cannot write: no space left on the device \(ENOSPC\)/);
    expect(readFileSync('keep.json', 'utf8')).toBe('old');
    expect(readdirSync('.').filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
