// Host facts: CONFIG_HZ from /proc/config.gz (gzip or text), the re-check tick schedule, and HZ
// inferred from re-check times alone when the kernel exports no config.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hostInfo, hzFromConfig, inferHzFromRechecks } from '../src/calibrate/host.ts';
import { parseProbeOutput } from '../src/calibrate/parse.ts';
import { recheckTickRanges, recheckTicks, recheckTimesNs } from '../src/calibrate/ticks.ts';
import type { RecheckLine } from '../src/calibrate/lines.ts';
import { fixtureText } from './support/calibrate-fixture.ts';

const config = '# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_SMP=y\n';

describe('HZ', () => {
  it('comes from a gzipped or plain kernel config', () => {
    expect(hzFromConfig(gzipSync(config))).toBe(250);
    expect(hzFromConfig(config.replace(/250/g, '1000'))).toBe(1000);
    expect(hzFromConfig('CONFIG_SMP=y\n')).toBeUndefined();
  });

  it('re-checks fall (HZ<<n)/200 + 1 jiffies apart (C2 plus the timer wheel round-up)', () => {
    expect(recheckTicks(250, 0)).toEqual([0, 2, 7, 17, 37]); // the formula alone: 8, 28, 68, 148 ms
    expect(recheckTicks(250)).toEqual([0, 3, 9, 20, 41]);
    expect(recheckTicks(100)).toEqual([0, 2, 5, 10, 19]);
    expect(recheckTimesNs(250, 1e6).map((t) => t / 1e6)).toEqual([0, 11, 35, 79, 163]);
  });

  it('is inferred from the recorded re-check times when there is no config', () => {
    const run = parseProbeOutput(fixtureText());
    expect(inferHzFromRechecks(run.rechecks)).toBe(250);
    const noClock = { ...run, clock: undefined };
    expect(hostInfo(noClock, null)).toMatchObject({ hz: 250, hzSource: 'recheck-times' });
    expect(hostInfo(run, null)).toMatchObject({ hz: 250, hzSource: run.clock ? 'probe-tick' : 'recheck-times' });
    expect(hostInfo(run, 300)).toMatchObject({ hz: 300, hzSource: 'config' });
  });

  it('tells HZ=1000 from HZ=250 on synthetic re-check times', () => {
    const line = (latencyMs: number): RecheckLine => ({
      kind: 'recheck', case: 'a', delayMs: 0, rep: 0, pages: 4, latencyNs: latencyMs * 1e6, result: 'ok', errno: 0,
      releaseNs: 0, plannedReleaseNs: 0,
    });
    // HZ=1000: re-checks 11, 32, 73 ticks of 1 ms after the tick before the seal, then 154..161
    // (the 80-jiffy sleep is in wheel level 1)
    expect(recheckTickRanges(1000)).toEqual([[0, 0], [11, 11], [32, 32], [73, 73], [154, 161]]);
    expect(inferHzFromRechecks([10.6, 31.4, 72.8, 156.5, 159.9].map(line))).toBe(1000);
    expect(inferHzFromRechecks([9.9, 33.8, 77.9, 161.8, 162.3].map(line))).toBe(250);
    expect(inferHzFromRechecks([9.9].map(line))).toBeUndefined();
  });
});
