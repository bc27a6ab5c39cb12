/**
 * Probe output (JSON lines) -> one typed, validated ProbeRun. Deterministic: the same text gives
 * the same object; line order is kept within each kind. Any bad line is an error naming where.
 */
import type { z } from 'zod';
import {
  probeLine, PROBE_KINDS, type ClockLine, type DrainLine, type EndLine, type HeaderLine, type MetaLine,
  type RecheckLine, type SchedLine, type BusySealLine, type BusySetupLine, type SealerLine, type SkipLine, TruncatedLine, type TraceLine, type VerifyLine, type WalkLine, type GuestLine,
} from './lines.ts';

export interface ProbeRun {
  header?: HeaderLine;
  meta: MetaLine;
  sealer?: SealerLine;
  clock?: ClockLine;
  sched?: SchedLine;
  rechecks: RecheckLine[];
  drains: DrainLine[];
  walks: WalkLine[];
  /** Case e: seals on a busy sealing CPU, and its set-up line. */
  busySeals: BusySealLine[];
  busySetup?: BusySetupLine;
  traces: TraceLine[];
  verifies: VerifyLine[];
  skips: SkipLine[];
  /** Case g (probe/case_guest.c), in probe order. */
  guests: GuestLine[];
  /** Lines the probe had to drop (over its 16 KiB line buffer), by the kind they would have had. */
  truncated: TruncatedLine[];
  /** Absent when the probe was killed before it could say it finished. */
  end?: EndLine;
  traceInstance?: string;
}

export class ProbeOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeOutputError';
  }
}

function issueText(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(line)'}: ${i.message}`)
    .join('; ');
}

/** Parses the probe's stdout (or a recorded fixture). `source` names it in error messages. */
export function parseProbeOutput(text: string, source = 'probe output'): ProbeRun {
  const run: Omit<ProbeRun, 'meta'> & { meta?: MetaLine } = {
    rechecks: [], drains: [], walks: [], busySeals: [], traces: [], verifies: [], skips: [], truncated: [], guests: [],
  };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${source}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ProbeOutputError(`${where}: not JSON: ${line.slice(0, 80)}`);
    }
    const kind = (json as { kind?: unknown })?.kind;
    if (typeof kind !== 'string' || !(PROBE_KINDS as readonly string[]).includes(kind)) {
      throw new ProbeOutputError(`${where}: unknown kind ${JSON.stringify(kind)}; allowed: ${PROBE_KINDS.join(', ')}`);
    }
    const parsed = probeLine.safeParse(json);
    if (!parsed.success) throw new ProbeOutputError(`${where}: bad "${kind}" line: ${issueText(parsed.error.issues)}`);
    const l = parsed.data;
    switch (l.kind) {
      case 'header': run.header = l; break;
      case 'meta':
        if (run.meta) throw new ProbeOutputError(`${where}: a second "meta" line (two runs in one output?)`);
        run.meta = l;
        break;
      case 'sealer': run.sealer = l; break;
      case 'clock': run.clock = l; break;
      case 'sched': run.sched = l; break;
      case 'recheck': run.rechecks.push(l); break;
      case 'drain': run.drains.push(l); break;
      case 'walk': run.walks.push(l); break;
      case 'busyseal': run.busySeals.push(l); break;
      case 'busy-setup': run.busySetup = l; break;
      case 'trace': run.traces.push(l); break;
      case 'trace-setup': run.traceInstance = l.instance; break;
      case 'verify': run.verifies.push(l); break;
      case 'skip': run.skips.push(l); break;
      case 'truncated': run.truncated.push(l); break;
      case 'end': run.end = l; break;
      case 'guest': run.guests.push(l); break;
    }
  });
  if (!run.meta) throw new ProbeOutputError(`${source}: no "meta" line; is this drainprobe output?`);
  return run as ProbeRun;
}
