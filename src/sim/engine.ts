/**
 * A deterministic discrete-event engine (the shape of SimPy's core): simulated nanoseconds, an event
 * heap ordered by (time, sequence) so ties resolve the same way every run, and processes written
 * as generators that yield what they wait for. Kernel code paths read top to bottom as the kernel
 * does them (src/sim/seal.ts, src/sim/drain.ts).
 */

import type { LockName } from '../metrics/record.ts';

declare const nsBrand: unique symbol;
/** Simulated nanoseconds since the start of the run. */
export type Ns = number & { readonly [nsBrand]: true };
export const ns = (v: number) => v as Ns;
export const msToNs = (ms: number) => Math.round(ms * 1e6) as Ns;
export const nsToMs = (v: number) => v / 1e6;

/** A scheduled event, for `cancel()`: its sequence number. */
export type EventId = number;

/** What a process can wait for. */
export type Wait =
  | { kind: 'sleep'; ns: number }
  | { kind: 'until'; t: number }
  | { kind: 'lock'; lock: Mutex }
  | { kind: 'wait'; on: Completion }
  /** Sleeps until `t` unless woken early through `wake()` (a fatal signal): resumes with true if woken. */
  | { kind: 'interruptible'; t: number; sleeper: Sleeper };

export type Proc<R = void> = Generator<Wait, R, unknown>;

export class Sleeper {
  wake: (() => void) | undefined;
}

export class Engine {
  now = 0 as Ns;
  events = 0;
  // The pending events: a binary heap ordered by (time, sequence), kept as parallel arrays so
  // that scheduling an event allocates nothing (an object per event was a third of the garbage
  // of an event-bound run, and its sift touched one scattered object per level). The sifts move
  // the three arrays by hand: move/compare helpers measured ~4 % slower on a busy cell.
  private times = new Float64Array(256);
  private seqs = new Float64Array(256);
  private fns: ((() => void) | undefined)[] = [];
  private size = 0;
  private seq = 0;
  /** Sequence numbers of cancelled events still in the heap. */
  private readonly cancelled = new Set<number>();

  /** Schedules fn at absolute time t (never in the past). */
  at(t: number, fn: () => void): EventId {
    const time = Math.max(t, this.now);
    const seq = this.seq++;
    if (this.size === this.times.length) this.grow();
    const { times, seqs, fns } = this;
    // Sift up. Every event in the heap has a smaller sequence number, so a tie in time stops here.
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] <= time) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      fns[i] = fns[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    fns[i] = fn;
    return seq;
  }

  after(dt: number, fn: () => void): EventId {
    return this.at(this.now + dt, fn);
  }

  cancel(e: EventId | undefined): void {
    if (e !== undefined) this.cancelled.add(e);
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const seqs = new Float64Array(this.seqs.length * 2);
    times.set(this.times);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }

  /** Removes the earliest event (the caller has read it). */
  private pop(): void {
    const { times, seqs, fns } = this;
    const n = --this.size;
    const t = times[n];
    const s = seqs[n];
    const f = fns[n];
    fns[n] = undefined;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (times[r] < times[l] || (times[r] === times[l] && seqs[r] < seqs[l])) ? r : l;
      if (t < times[c] || (t === times[c] && s < seqs[c])) break;
      times[i] = times[c];
      seqs[i] = seqs[c];
      fns[i] = fns[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    fns[i] = f;
  }

  /** Runs events in (time, sequence) order up to and including `horizon`. */
  run(horizon: number): void {
    while (this.size > 0 && this.times[0] <= horizon) {
      const t = this.times[0];
      const seq = this.seqs[0];
      const fn = this.fns[0]!;
      this.pop();
      if (this.cancelled.size > 0 && this.cancelled.delete(seq)) continue;
      this.now = t as Ns;
      this.events++;
      fn();
    }
  }

  /** Starts a process now (its first step runs in the current event). */
  spawn<R>(proc: Proc<R>, done?: (r: R) => void): void {
    // One resume callback per process, not one per wait: a drain_all caller waits on every CPU.
    const resume = (): void => step(undefined);
    const step = (value: unknown): void => {
      const r = proc.next(value);
      if (r.done) {
        done?.(r.value);
        return;
      }
      const w = r.value;
      switch (w.kind) {
        case 'sleep':
          if (w.ns <= 0) step(undefined);
          else this.after(w.ns, resume);
          return;
        case 'until':
          if (w.t <= this.now) step(undefined);
          else this.at(w.t, resume);
          return;
        case 'lock':
          w.lock.acquire(resume);
          return;
        case 'wait':
          w.on.onDone(resume);
          return;
        case 'interruptible': {
          let fired = false;
          const ev = this.at(w.t, () => {
            if (fired) return;
            fired = true;
            w.sleeper.wake = undefined;
            step(false);
          });
          w.sleeper.wake = () => {
            if (fired) return;
            fired = true;
            this.cancel(ev);
            w.sleeper.wake = undefined;
            this.after(0, () => step(true));
          };
          return;
        }
      }
    };
    step(undefined);
  }
}


/** A sleeping lock with FIFO hand-off (mutex, rwsem taken for write). */
export class Mutex {
  owner: unknown = undefined;
  private waiters: (() => void)[] = [];
  constructor(
    readonly name: LockName,
    private readonly engine: Engine,
    private readonly handoffNs: number,
  ) {}

  /** Nobody holds or waits for the lock: acquire() would grant it at once. */
  get free(): boolean {
    return this.owner === undefined && this.waiters.length === 0;
  }

  acquire(granted: () => void): void {
    if (this.free) {
      this.owner = true;
      granted();
    } else {
      this.waiters.push(granted);
    }
  }

  release(): void {
    const next = this.waiters.shift();
    if (!next) {
      this.owner = undefined;
      return;
    }
    // The lock stays owned during the hand-off, so nobody can barge in.
    this.engine.after(this.handoffNs, next);
  }

  get contended(): boolean {
    return this.waiters.length > 0;
  }
}

/** A one-shot completion (struct completion / flush_work's barrier). */
export class Completion {
  done = false;
  /** Created by the first waiter (a drain work done before its caller flushes it has none). */
  private waiters: (() => void)[] | undefined = undefined;
  onDone(fn: () => void): void {
    if (this.done) fn();
    else (this.waiters ??= []).push(fn);
  }
  complete(): void {
    if (this.done) return;
    this.done = true;
    const ws = this.waiters;
    this.waiters = undefined;
    if (ws) for (let i = 0; i < ws.length; i++) ws[i]!();
  }
}
