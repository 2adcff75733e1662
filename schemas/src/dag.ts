/**
 * The step graph: `needs` edges between steps. All algorithms are iterative (no recursion), so pipelines
 * with tens of thousands of steps cannot overflow the stack. Unknown ids in `needs` are ignored.
 */

/** Above this many steps, reachability queries walk the graph instead of using an n² bit matrix. */
const MAX_BITSET_STEPS = 16_384;

export interface GraphStep {
  readonly id: string;
  readonly needs: readonly string[];
}

export class StepGraph {
  /** Step ids in declaration order (first occurrence wins for duplicates). */
  readonly ids: readonly string[];
  private readonly needsOf = new Map<string, string[]>();
  private readonly neededBy = new Map<string, string[]>();
  private readonly upstreamCache = new Map<string, ReadonlySet<string>>();

  constructor(steps: readonly GraphStep[]) {
    const ids: string[] = [];
    const firsts: GraphStep[] = [];
    for (const step of steps) {
      if (this.needsOf.has(step.id)) continue;
      ids.push(step.id);
      firsts.push(step);
      this.needsOf.set(step.id, []);
      this.neededBy.set(step.id, []);
    }
    const added = new Set<string>();
    for (const step of firsts) {
      const needs = this.needsOf.get(step.id)!;
      for (const need of step.needs) {
        const edge = `${step.id}\u0000${need}`;
        if (!this.needsOf.has(need) || added.has(edge)) continue;
        added.add(edge);
        needs.push(need);
        this.neededBy.get(need)!.push(step.id);
      }
    }
    this.ids = ids;
  }

  has(id: string): boolean {
    return this.needsOf.has(id);
  }

  /** Direct dependencies of `id` (known steps only). */
  needs(id: string): readonly string[] {
    return this.needsOf.get(id) ?? [];
  }

  /** Steps that directly need `id`. */
  dependents(id: string): readonly string[] {
    return this.neededBy.get(id) ?? [];
  }

  /** Every step `id` depends on, directly or transitively (never `id` itself, unless in a cycle). */
  upstreamOf(id: string): ReadonlySet<string> {
    let cached = this.upstreamCache.get(id);
    if (cached === undefined) {
      cached = this.reach(id, this.needsOf);
      this.upstreamCache.set(id, cached);
    }
    return cached;
  }

  /** Every step that depends on `id`, directly or transitively (what a failure of `id` prevents). */
  downstreamOf(id: string): ReadonlySet<string> {
    return this.reach(id, this.neededBy);
  }

  /** Whether `ancestor` is upstream of `id`. Fast for many queries (see `reachability`). */
  isUpstream(ancestor: string, id: string): boolean {
    if (this.needs(id).includes(ancestor)) return true;
    const cached = this.upstreamCache.get(id);
    if (cached) return cached.has(ancestor);
    const bits = this.reachability();
    const i = bits?.index.get(id);
    const j = bits?.index.get(ancestor);
    if (bits && i !== undefined && j !== undefined) {
      return (bits.rows[i * bits.words + (j >>> 5)]! & (1 << (j & 31))) !== 0;
    }
    if (this.order === undefined)
      this.order = new Map(
        this.levels()
          .flat()
          .map((s, k) => [s, k]),
      );
    const a = this.order.get(ancestor);
    const b = this.order.get(id);
    // In a topological order an ancestor always comes first: a quick "no" for large graphs.
    if (a !== undefined && b !== undefined && a >= b) return false;
    return this.reach(id, this.needsOf, ancestor).has(ancestor);
  }

  private order: Map<string, number> | undefined;

  private bits: { index: Map<string, number>; rows: Uint32Array; words: number } | null | undefined;

  /**
   * Transitive closure as one bit row per step (acyclic part only), built once in topological order:
   * a step's row is the union of its needs' rows and bits. Skipped for huge graphs (n² / 8 bytes).
   */
  private reachability(): { index: Map<string, number>; rows: Uint32Array; words: number } | null {
    if (this.bits !== undefined) return this.bits;
    const n = this.ids.length;
    if (n > MAX_BITSET_STEPS) return (this.bits = null);
    const order = this.levels().flat();
    const index = new Map(order.map((id, i) => [id, i]));
    const words = Math.ceil(order.length / 32) || 1;
    const rows = new Uint32Array(order.length * words);
    order.forEach((id, i) => {
      const row = i * words;
      for (const need of this.needs(id)) {
        const j = index.get(need)!;
        rows[row + (j >>> 5)]! |= 1 << (j & 31);
        for (let w = 0; w < words; w++) rows[row + w]! |= rows[j * words + w]!;
      }
    });
    return (this.bits = { index, rows, words });
  }

  /**
   * Steps in an order where every step comes after all it needs; among ready steps, declaration order.
   * Throws if the graph has a cycle (a parsed pipeline without error diagnostics never has one).
   */
  topologicalOrder(): string[] {
    const levels = this.levels();
    const order = levels.flat();
    if (order.length !== this.ids.length) {
      const placed = new Set(order);
      const stuck = this.ids.filter((id) => !placed.has(id));
      throw new Error(`the step graph has a cycle through: ${stuck.join(', ')}`);
    }
    return order;
  }

  /**
   * Steps grouped by depth: level 0 needs nothing, level n needs something at level n-1. Steps in a cycle
   * (and those after them) appear in no level.
   */
  levels(): string[][] {
    const remaining = new Map<string, number>();
    for (const id of this.ids) remaining.set(id, this.needs(id).length);
    const index = new Map(this.ids.map((id, i) => [id, i]));
    let current = this.ids.filter((id) => remaining.get(id) === 0);
    const out: string[][] = [];
    while (current.length > 0) {
      out.push(current);
      const next: string[] = [];
      for (const id of current) {
        for (const dependent of this.dependents(id)) {
          const left = remaining.get(dependent)! - 1;
          remaining.set(dependent, left);
          if (left === 0) next.push(dependent);
        }
      }
      next.sort((a, b) => index.get(a)! - index.get(b)!);
      current = next;
    }
    return out;
  }

  /**
   * Steps that can start now: not finished, not excluded (running, failed, skipped…), and every step they
   * need is finished. In declaration order.
   */
  readySteps(finished: Iterable<string>, exclude: Iterable<string> = []): string[] {
    const done = new Set(finished);
    const skip = new Set(exclude);
    return this.ids.filter(
      (id) => !done.has(id) && !skip.has(id) && this.needs(id).every((n) => done.has(n)),
    );
  }

  /**
   * Strongly connected components that contain a cycle (several steps, or one step that needs itself),
   * each in declaration order. Tarjan's algorithm, iteratively.
   */
  cycles(): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const out: string[][] = [];
    const order = new Map(this.ids.map((id, i) => [id, i]));
    let counter = 0;
    for (const root of this.ids) {
      if (index.has(root)) continue;
      const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
      index.set(root, counter);
      low.set(root, counter++);
      stack.push(root);
      onStack.add(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const needs = this.needs(frame.id);
        if (frame.next < needs.length) {
          const w = needs[frame.next++]!;
          if (!index.has(w)) {
            index.set(w, counter);
            low.set(w, counter++);
            stack.push(w);
            onStack.add(w);
            work.push({ id: w, next: 0 });
          } else if (onStack.has(w)) {
            low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
          }
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
        if (low.get(frame.id) === index.get(frame.id)) {
          const component: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            component.push(w);
          } while (w !== frame.id);
          if (component.length > 1 || this.needs(frame.id).includes(frame.id)) {
            out.push(component.sort((a, b) => order.get(a)! - order.get(b)!));
          }
        }
      }
    }
    return out.sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
  }

  /**
   * The shortest chain of `needs` from `from` to `to` (inclusive), staying inside `within` when given.
   * `[from]` when they are equal; undefined when there is none.
   */
  needsPath(from: string, to: string, within?: ReadonlySet<string>): string[] | undefined {
    if (from === to) return [from];
    const previous = new Map<string, string>([[from, from]]);
    const queue = [from];
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head]!;
      for (const need of this.needs(id)) {
        if (previous.has(need) || (within && !within.has(need))) continue;
        previous.set(need, id);
        if (need === to) {
          const path = [to];
          for (let at = to; at !== from;) {
            at = previous.get(at)!;
            path.push(at);
          }
          return path.reverse();
        }
        queue.push(need);
      }
    }
    return undefined;
  }

  private reach(id: string, edges: ReadonlyMap<string, readonly string[]>, stopAt?: string): Set<string> {
    const seen = new Set<string>();
    const stack = [...(edges.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      if (next === stopAt) return seen;
      for (const n of edges.get(next) ?? []) if (!seen.has(n)) stack.push(n);
    }
    return seen;
  }
}

/** Builds the graph of a pipeline's steps (or any `{ id, needs }` list). */
export function stepGraph(steps: readonly GraphStep[]): StepGraph {
  return new StepGraph(steps);
}
