/**
 * What a QEMU guest said on its serial ports (docs/calibration.md, "Other kernels under QEMU").
 * The guest's /init (probe/guest-init.c) frames every line it forwards as
 *     @@DRAINLAB <length> <json>
 * on the data port (ttyS1; the console ttyS0 when ttyS1 is missing). A line is kept only when the
 * prefix, the byte length and the JSON agree, so kernel messages interleaved on the same port (or a
 * line cut by a dying guest) are dropped and counted, never misread. The console is read for the
 * signs of a dying kernel (Oops, panic, BUG).
 */
import { z } from 'zod';

export const GUEST_PREFIX = '@@DRAINLAB ';

export interface FramedLines {
  /** The JSON texts of the well-framed lines, in order. */
  json: string[];
  /** Lines that carried the prefix but whose length or JSON did not check out. */
  dropped: number;
}

/** The well-framed lines of a serial capture (either port; \r\n or \n). */
export function parseFramed(text: string): FramedLines {
  const json: string[] = [];
  let dropped = 0;
  for (const raw of text.split('\n')) {
    let at = raw.indexOf(GUEST_PREFIX);
    if (at < 0) continue;
    // a kernel message may precede the prefix on the console: start at the last prefix of the line
    for (let next = raw.indexOf(GUEST_PREFIX, at + 1); next >= 0; next = raw.indexOf(GUEST_PREFIX, next + 1)) {
      dropped++; // the earlier one was cut by the later one
      at = next;
    }
    const m = /^(\d{1,7}) /.exec(raw.slice(at + GUEST_PREFIX.length));
    if (!m) {
      dropped++;
      continue;
    }
    const body = Buffer.from(raw.slice(at + GUEST_PREFIX.length + m[0].length).replace(/\r$/, ''), 'utf8');
    const len = Number(m[1]);
    if (body.length < len) {
      dropped++;
      continue;
    }
    const text = body.subarray(0, len).toString('utf8');
    try {
      JSON.parse(text);
    } catch {
      dropped++;
      continue;
    }
    json.push(text);
  }
  return { json, dropped };
}

/** The guest's own lines ("kind":"vm"), written by probe/guest-init.c (the probe's case g prints "kind":"guest"). */
export const guestStartLine = z.object({
  kind: z.literal('vm'),
  phase: z.literal('start'),
  release: z.string(),
  version: z.string(),
  machine: z.string(),
  cpusOnline: z.number().int(),
  cpusConf: z.number().int(),
  memKb: z.number().int(),
  cmdline: z.string(),
  /** /sys/kernel/debug/sched/features ('' when debugfs did not have it). */
  schedFeatures: z.string(),
  /** /sys/kernel/debug/sched/preempt: the PREEMPT_DYNAMIC choices, the active one in brackets ('' without it). */
  preemptDynamic: z.string(),
  rtRuntimeUs: z.number().int().nullable(),
  rtPeriodUs: z.number().int().nullable(),
  /** /sys/kernel/mm/lru_gen/enabled ('' without CONFIG_LRU_GEN). */
  lruGenEnabled: z.string(),
  port: z.string(),
  uptimeMs: z.number(),
});
export const guestExitLine = z.object({ kind: z.literal('vm'), phase: z.literal('probe-exit'), code: z.number().int(), signal: z.number().int(), elapsedMs: z.number() });
export const guestDoneLine = z.object({ kind: z.literal('vm'), phase: z.literal('done'), uptimeMs: z.number() });
export type GuestStart = z.infer<typeof guestStartLine>;
export type GuestExit = z.infer<typeof guestExitLine>;

export interface GuestOutput {
  start?: GuestStart;
  probeExit?: GuestExit;
  /** The guest reached its power-off (the end marker). */
  done: boolean;
  /** The probe's own lines, one JSON text per line (parse.ts reads them). */
  probeText: string;
  dropped: number;
}

/** Splits the framed lines into the guest /init's own ("vm") and the probe's. */
export function readGuestOutput(data: string): GuestOutput {
  const { json, dropped } = parseFramed(data);
  const out: GuestOutput = { done: false, probeText: '', dropped };
  const probe: string[] = [];
  for (const text of json) {
    const v = JSON.parse(text) as { kind?: unknown; phase?: unknown };
    if (v.kind !== 'vm') {
      probe.push(text);
      continue;
    }
    if (v.phase === 'start') {
      const r = guestStartLine.safeParse(v);
      if (r.success) out.start = r.data;
      else out.dropped++;
    } else if (v.phase === 'probe-exit') {
      const r = guestExitLine.safeParse(v);
      if (r.success) out.probeExit = r.data;
      else out.dropped++;
    } else if (v.phase === 'done') {
      if (guestDoneLine.safeParse(v).success) out.done = true;
      else out.dropped++;
    } else out.dropped++;
  }
  out.probeText = probe.length ? `${probe.join('\n')}\n` : '';
  return out;
}

const TROUBLE = [
  /Kernel panic - not syncing[^\n]*/,
  /\bOops:[^\n]*/,
  /\bBUG: [^\n]*/,
  /general protection fault[^\n]*/,
  /\bint3: [^\n]*/,
  /watchdog: BUG: soft lockup[^\n]*/,
  /rcu: INFO: rcu_(?:sched|preempt) detected stalls[^\n]*/,
];

/** The first sign of a dying guest kernel on its console, or undefined. */
export function consoleTrouble(consoleText: string): string | undefined {
  let first: { at: number; text: string } | undefined;
  for (const re of TROUBLE) {
    const m = re.exec(consoleText);
    if (m && (!first || m.index < first.at)) first = { at: m.index, text: m[0].trim() };
  }
  return first?.text.replace(/^\[\s*[\d.]+\]\s*/, '');
}

/** Whether sched_features lists RT_RUNTIME_SHARE on (true), off (NO_..., false), or not at all (undefined). */
export function rtRuntimeShareFromFeatures(features: string): boolean | undefined {
  const words = features.split(/\s+/);
  if (words.includes('RT_RUNTIME_SHARE')) return true;
  if (words.includes('NO_RT_RUNTIME_SHARE')) return false;
  return undefined;
}

/** The active choice of /sys/kernel/debug/sched/preempt ("none (voluntary) full" -> "voluntary"). */
export function activePreempt(s: string): string | undefined {
  return /\((\w+)\)/.exec(s)?.[1];
}
