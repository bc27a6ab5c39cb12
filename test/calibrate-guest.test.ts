// Case g (probe/case_guest.c): its lines parse into GuestCases, on a run recorded on this host.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput, ProbeOutputError } from '../src/calibrate/parse.ts';
import { guestCases } from '../src/calibrate/guest.ts';

const FIXTURE = new URL('./fixtures/probe-guest-6.18-hz250.jsonl', import.meta.url);
const text = readFileSync(FIXTURE, 'utf8');

describe('case g lines', () => {
  it('parse into one GuestCase per line, with the drain targets from the trace', () => {
    const run = parseProbeOutput(text, 'probe-guest fixture');
    const cases = guestCases(run);
    expect(cases.length).toBe(run.guests.length);
    expect(new Set(cases.map((c) => c.test))).toEqual(new Set(['park', 'fill', 'reread', 'pin', 'concurrent']));
    const remote = cases.find((c) => c.id === 'park/remote/rep0')!;
    expect(remote.parkCpus).toEqual([1]);
    expect(remote.targets).toContain(1);
    expect(remote.results).toEqual(['ok']);
    // pages parked on the sealing CPU are drained by the seal's own local drain: no work anywhere
    expect(cases.find((c) => c.id === 'park/seal-cpu/rep0')!.targets).toEqual([]);
    const fills = cases.filter((c) => c.test === 'fill');
    expect(fills.length).toBe(18); // 6 sizes x 3 tries
    expect(fills.every((c) => typeof c.drainedAt === 'number')).toBe(true);
    const pins = cases.filter((c) => c.test === 'pin');
    expect(pins.map((c) => [c.release, c.results[0]])).toEqual([['early', 'ok'], ['before-last', 'ok'], ['after-last', 'EBUSY'], ['after-return', 'EBUSY']]);
  });

  it('a guest line with a bad field is an error naming the line and the field', () => {
    const bad = text.split('\n').map((l) => (l.includes('"id":"park/remote"') ? l.replace('"onLruBefore":', '"onLruBefore":"x","was":') : l)).join('\n');
    expect(() => parseProbeOutput(bad, 'bad')).toThrow(ProbeOutputError);
    expect(() => parseProbeOutput(bad, 'bad')).toThrow(/bad:\d+: bad "guest" line: onLruBefore/);
  });
});
