/** A sorted set of strings with binary-search insert/remove and ordered paging. */
export class SortedIds {
  private ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(id: string): void {
    const i = this.lowerBound(id);
    if (this.ids[i] !== id) this.ids.splice(i, 0, id);
  }

  delete(id: string): void {
    const i = this.lowerBound(id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
  }

  /** Ids strictly after `cursor` (or from the start), in order. */
  *after(cursor?: string): IterableIterator<string> {
    let i = cursor === undefined ? 0 : this.lowerBound(cursor);
    if (cursor !== undefined && this.ids[i] === cursor) i++;
    for (; i < this.ids.length; i++) yield this.ids[i]!;
  }

  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
