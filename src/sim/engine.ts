/**
 * A deterministic discrete-event engine (SimPy's shape, STYLE): simulated nanoseconds, an event
 * heap ordered by (time, sequence) so ties resolve the same way every run, and processes written
 * as generators that yield what they wait for. Kernel code paths read top to bottom as the kernel
 * does them (src/sim/seal.ts, src/sim/drain.ts).
 */

declare const nsBrand: unique symbol;
/** Simulated nanoseconds since the start of the run. */
export type Ns = number & { readonly [nsBrand]: true };
export const ns = (v: number) => v as Ns;
export const msToNs = (ms: number) => Math.round(ms * 1e6) as Ns;
export const nsToMs = (v: number) => v / 1e6;

interface Event {
  t: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

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
  private heap: Event[] = [];
  private seq = 0;

  /** Schedules fn at absolute time t (never in the past). */
  at(t: number, fn: () => void): Event {
    const e: Event = { t: Math.max(t, this.now), seq: this.seq++, fn, cancelled: false };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], e)) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
    return e;
  }

  after(dt: number, fn: () => void): Event {
    return this.at(this.now + dt, fn);
  }

  cancel(e: Event | undefined): void {
    if (e) e.cancelled = true;
  }

  private pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && less(h[r], h[l]) ? r : l;
        if (less(last, h[c])) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Runs events in (time, sequence) order up to and including `horizon`. */
  run(horizon: number): void {
    for (;;) {
      const e = this.heap[0];
      if (!e || e.t > horizon) return;
      this.pop();
      if (e.cancelled) continue;
      this.now = e.t as Ns;
      this.events++;
      e.fn();
    }
  }

  /** Starts a process now (its first step runs in the current event). */
  spawn<R>(proc: Proc<R>, done?: (r: R) => void): void {
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
          else this.after(w.ns, () => step(undefined));
          return;
        case 'until':
          if (w.t <= this.now) step(undefined);
          else this.at(w.t, () => step(undefined));
          return;
        case 'lock':
          w.lock.acquire(() => step(undefined));
          return;
        case 'wait':
          w.on.onDone(() => step(undefined));
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

function less(a: Event, b: Event): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** A sleeping lock with FIFO hand-off (mutex, rwsem taken for write). */
export class Mutex {
  owner: unknown = undefined;
  private waiters: (() => void)[] = [];
  constructor(
    readonly name: string,
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
  private waiters: (() => void)[] = [];
  onDone(fn: () => void): void {
    if (this.done) fn();
    else this.waiters.push(fn);
  }
  complete(): void {
    if (this.done) return;
    this.done = true;
    for (const w of this.waiters.splice(0)) w();
  }
}
