/** Below this many slots a list is never compacted (not worth a pass). */
const COMPACT_MIN = 64;

/**
 * Records in insertion order, as a `Set` keeps them, without a hash table: an array of the
 * records with a hole (null) where one was deleted, each record holding its own slot number
 * (the subclass says in which field: `moved`). A delete clears the record's slot and touches
 * nothing else. Holes are squeezed out when they are more than half the slots (amortised O(1)
 * per delete), never during an iteration. Iteration is insertion order, as a Set's (the model's
 * walks over these lists are part of the event order). JobList (an app's jobs in service) and
 * ConnList (a VM's client records) are the two kinds.
 */
export abstract class SlotOrder<T extends object> implements Iterable<T> {
  /**
   * The records (null: a hole) in slots 0 … end − 1; every slot from `end` on is null. The array
   * itself never shrinks: trimming its length and pushing past it again (a list whose newest
   * entry comes and goes, as an app's jobs in service do on every request) reallocated its
   * backing store each time — most of the request path's garbage. It is as long as the list
   * has ever been.
   */
  protected slots: (T | null)[] = [];
  /** One past the last slot in use. */
  protected end = 0;
  protected count = 0;
  /** Iterations in progress (slot numbers must not move under them). */
  private iterating = 0;

  get size(): number {
    return this.count;
  }

  /** `item` now lives at `slot` (an append or a compaction): the subclass records it. */
  protected abstract moved(item: T, slot: number): void;

  /** Append `item` (not in the list). */
  protected append(item: T): void {
    const i = this.end++;
    this.moved(item, i);
    if (i < this.slots.length) this.slots[i] = item;
    else this.slots.push(item);
    this.count++;
  }

  /** Slot `i` was emptied (its record already told): trim or compact when no iteration runs. */
  protected vacate(i: number): void {
    const slots = this.slots;
    slots[i] = null;
    this.count--;
    if (this.iterating !== 0) return;
    if (i === this.end - 1) {
      // The newest left: drop trailing holes (an idle list stays empty and short to walk).
      let n = i;
      while (n > 0 && slots[n - 1] === null) n--;
      this.end = n;
    } else if (this.end > COMPACT_MIN && 2 * this.count < this.end) this.compact();
  }

  /** In insertion order; the record just yielded may be deleted before the next one is asked for. */
  *[Symbol.iterator](): IterableIterator<T> {
    this.iterating++;
    try {
      // Re-read the slots each step: a record added meanwhile is visited, as in a Set.
      for (let i = 0; i < this.end; i++) {
        const item = this.slots[i];
        if (item !== null) yield item;
      }
    } finally {
      this.iterating--;
    }
  }

  /** Squeeze the holes out, keeping the order; each record learns its new slot. */
  private compact(): void {
    const slots = this.slots;
    let kept = 0;
    const end = this.end;
    for (let i = 0; i < end; i++) {
      const item = slots[i];
      if (item === null) continue;
      this.moved(item, kept);
      slots[kept++] = item;
    }
    for (let i = kept; i < end; i++) slots[i] = null;
    this.end = kept;
  }
}
