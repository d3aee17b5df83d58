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
  protected slots: (T | null)[] = [];
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
    this.moved(item, this.slots.length);
    this.slots.push(item);
    this.count++;
  }

  /** Slot `i` was emptied (its record already told): trim or compact when no iteration runs. */
  protected vacate(i: number): void {
    const slots = this.slots;
    slots[i] = null;
    this.count--;
    if (this.iterating !== 0) return;
    if (i === slots.length - 1) {
      // The newest left: drop trailing holes (an idle list stays empty and short).
      let n = i;
      while (n > 0 && slots[n - 1] === null) n--;
      slots.length = n;
    } else if (slots.length > COMPACT_MIN && 2 * this.count < slots.length) this.compact();
  }

  /** In insertion order; the record just yielded may be deleted before the next one is asked for. */
  *[Symbol.iterator](): IterableIterator<T> {
    this.iterating++;
    try {
      // Re-read the slots each step: a record added meanwhile is visited, as in a Set.
      for (let i = 0; i < this.slots.length; i++) {
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
    for (let i = 0; i < slots.length; i++) {
      const item = slots[i];
      if (item === null) continue;
      this.moved(item, kept);
      slots[kept++] = item;
    }
    slots.length = kept;
  }
}
