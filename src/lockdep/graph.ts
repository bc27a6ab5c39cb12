/**
 * A lockdep model (docs/kernel-model.md section F): every acquisition records the ordered edge from the
 * lock taken most recently and still held to the one being acquired (lockdep's check_prevs_add
 * stops at the first non-trylock predecessor), waits on completions included (the cross-release
 * link #3 of the 2017 splat). A cycle in the graph is a possible deadlock.
 */
import type { LockName, LockdepReport } from '../metrics/record.ts';

export class Lockdep {
  private readonly edges = new Map<string, Set<string>>();
  private readonly order: [string, string][] = [];

  /** `held` is the task's stack of held locks; records top -> name. */
  acquire(held: readonly LockName[], name: LockName): void {
    // Not held[-1] on an empty stack: V8 looks a negative index up as the string "-1" on a slow path.
    const top = held.length > 0 ? held[held.length - 1] : undefined;
    if (top !== undefined && top !== name) this.addEdge(top, name);
  }

  addEdge(from: string, to: string): void {
    let out = this.edges.get(from);
    if (!out) this.edges.set(from, (out = new Set()));
    if (out.has(to)) return;
    out.add(to);
    this.order.push([from, to]);
  }

  /** Every elementary cycle once, rotated to start at its smallest lock name. */
  cycles(): string[][] {
    const found = new Map<string, string[]>();
    const nodes = [...new Set(this.order.flat())].sort();
    // Johnson-style enumeration restricted to nodes >= start: each cycle is found from its smallest node.
    for (const start of nodes) {
      const path: string[] = [start];
      const onPath = new Set([start]);
      const dfs = (v: string) => {
        for (const w of [...(this.edges.get(v) ?? [])].sort()) {
          if (w === start) {
            const c = path.slice();
            found.set(c.join('\u0000'), c);
          } else if (w > start && !onPath.has(w)) {
            path.push(w);
            onPath.add(w);
            dfs(w);
            onPath.delete(w);
            path.pop();
          }
        }
      };
      dfs(start);
    }
    return [...found.values()];
  }

  report(): LockdepReport {
    return { edges: this.order.map(([a, b]) => [a, b]), cycles: this.cycles() };
  }
}
