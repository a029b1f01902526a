/**
 * A bounded set of recently stored event keys, oldest evicted first. It is how redelivered events
 * (client retries, a replay after a crash) are dropped before insert, so reads never need FINAL.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  /** Evict in chunks: one iterator per chunk instead of one per added key. */
  private readonly slack: number;

  constructor(readonly capacity: number) {
    this.slack = Math.max(1, Math.min(4096, Math.floor(capacity / 100)));
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds a key; true when it was not there yet. */
  add(id: string): boolean {
    const before = this.ids.size;
    this.ids.add(id);
    if (this.ids.size === before) return false;
    if (this.ids.size > this.capacity + this.slack) this.evict(this.ids.size - this.capacity);
    return true;
  }

  /** Forgets a key (an event that was not stored after all). */
  delete(id: string): void {
    this.ids.delete(id);
  }

  // Sets iterate in insertion order, so the first values are the oldest.
  private evict(count: number): void {
    let left = count;
    for (const id of this.ids) {
      if (left-- <= 0) break;
      this.ids.delete(id);
    }
  }

  /** Keys held; may exceed `capacity` by up to 1 % (at most 4,096) between evictions. */
  get size(): number {
    return this.ids.size;
  }
}
