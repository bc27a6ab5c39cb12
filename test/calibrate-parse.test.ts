// Probe output parsing: the recorded run parses completely and the same way every time; bad lines
// are rejected with their line number and the field at fault.
import { describe, expect, it } from 'vitest';
import { parseProbeOutput, ProbeOutputError } from '../src/calibrate/parse.ts';
import { FIXTURE, fixtureText } from './support/calibrate-fixture.ts';

const meta = '{"kind":"meta","probe":"drainprobe","version":1,"sysname":"Linux","release":"6.18.0","machine":"x86_64","cpus":2,"model":"m","pageSize":4096,"shmemThp":"[never]","euid":0,"quick":true,"cases":"a","budgetMs":1000,"sealCpu":0,"remoteCpu":1,"startedAtUnixMs":0}';

describe('parseProbeOutput', () => {
  it('reads every kind of line of a recorded run', () => {
    const run = parseProbeOutput(fixtureText(), FIXTURE);
    expect(run.header).toMatchObject({ kind: 'header', hz: 250 });
    expect(run.header!.kernel).toMatch(/^6\.18/);
    expect(run.meta.release).toMatch(/^6\.18/);
    expect(run.sched?.rtRuntimeUs).toBeGreaterThan(0);
    expect(run.rechecks.length).toBeGreaterThanOrEqual(25 * 3); // 25 delays x 3 reps
    expect(run.walks.length).toBeGreaterThanOrEqual(5 * 3);
    expect(new Set(run.drains.map((d) => d.cpuClass))).toEqual(new Set(['idle', 'busy', 'rt']));
    expect(run.traces.length).toBe(run.drains.length);
    expect(run.end).toMatchObject({ interrupted: false });
  });

  it('is deterministic', () => {
    expect(parseProbeOutput(fixtureText())).toEqual(parseProbeOutput(fixtureText()));
  });

  it('names the line of a non-JSON line', () => {
    expect(() => parseProbeOutput(`${meta}\n\nnot json`, 'x.jsonl')).toThrow(/x\.jsonl:3: not JSON/);
  });

  it('names an unknown kind and lists the allowed ones', () => {
    expect(() => parseProbeOutput(`${meta}\n{"kind":"bogus"}`, 'x')).toThrow(/x:2: unknown kind "bogus"; allowed: header, meta, sealer/);
  });

  it('names the bad field of a known kind', () => {
    const bad = '{"kind":"walk","case":"c","pages":"many","rep":0,"latencyNs":1,"result":"ok","errno":0,"fallocateNs":1,"shmemHugeKbDelta":0}';
    const e = (() => { try { parseProbeOutput(`${meta}\n${bad}`, 'x'); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(ProbeOutputError);
    expect((e as Error).message).toMatch(/x:2: bad "walk" line: pages:/);
  });

  it('refuses output without a meta line', () => {
    expect(() => parseProbeOutput('{"kind":"skip","case":"a","reason":"r"}', 'x')).toThrow(/no "meta" line/);
  });

  it('keeps a run that was cut off before its end line', () => {
    const run = parseProbeOutput(`${meta}\n{"kind":"skip","case":"b","reason":"needs two online CPUs"}`);
    expect(run.end).toBeUndefined();
    expect(run.skips).toEqual([{ kind: 'skip', case: 'b', reason: 'needs two online CPUs' }]);
  });
});
