import type { Conn } from './conn.js';

/** Below this many slots a list is never compacted (not worth a pass). */
const COMPACT_MIN = 64;

/**
 * The Conn field that holds a record's slot in a list of this kind (−1: in none). `vmSlot`:
 * a VM's connections (Backend.conns); `kindSlot`: a VM's HTTP connections (the nginx tally) or
 * its WebSocket sessions (Backend.wsSessions) — never both, a record has one kind for life.
 */
export type ConnSlotField = 'vmSlot' | 'kindSlot';

/**
 * Client records in insertion order, as a `Set<Conn>` keeps them, at a fraction of its memory
 * (issue 14): an array of the records with a hole (null) where one was deleted, each record
 * holding its slot number in one of its own fields. A Set entry costs ~66 bytes at 10k records
 * (its hash table, a large object at that size, grown by doubling); here 8 bytes of the array
 * (twice that with holes) and the record's slot field. Membership is `slots[record.slot] === record`,
 * so the record needs no pointer back to its list. Holes are squeezed out when they are more than
 * half the slots (amortised O(1) per delete), never during an iteration. Iteration is insertion
 * order, as a Set's (closing a VM's connections walks them in that order: it is part of the event
 * order). The per-connection cost of the keyed field access does not matter: a record joins and
 * leaves once per connection, not per request.
 */
export class ConnList implements Iterable<Conn> {
  private slots: (Conn | null)[] = [];
  private count = 0;
  /** Iterations in progress (slot numbers must not move under them). */
  private iterating = 0;

  constructor(private readonly field: ConnSlotField) {}

  get size(): number {
    return this.count;
  }

  has(conn: Conn): boolean {
    const i = conn[this.field];
    return i >= 0 && this.slots[i] === conn;
  }

  /** Append `conn` (a no-op when it is already in this list, like Set.add). */
  add(conn: Conn): this {
    if (this.has(conn)) return this;
    // Another list of the same kind holds the record: its slot would be overwritten.
    if (conn[this.field] >= 0) throw new Error(`ConnList.add: the record is already in another list (${this.field})`);
    conn[this.field] = this.slots.length;
    this.slots.push(conn);
    this.count++;
    return this;
  }

  /** Remove `conn`; false when it is not in this list (like Set.delete). */
  delete(conn: Conn): boolean {
    if (!this.has(conn)) return false;
    const slots = this.slots;
    const i = conn[this.field];
    slots[i] = null;
    conn[this.field] = -1;
    this.count--;
    if (this.iterating === 0) {
      if (i === slots.length - 1) {
        // The newest left: drop trailing holes (an idle VM's list stays empty and short).
        let n = i;
        while (n > 0 && slots[n - 1] === null) n--;
        slots.length = n;
      } else if (slots.length > COMPACT_MIN && 2 * this.count < slots.length) this.compact();
    }
    return true;
  }

  /** In insertion order; the record just yielded may be deleted before the next one is asked for. */
  *[Symbol.iterator](): IterableIterator<Conn> {
    this.iterating++;
    try {
      // Re-read the slots each step: a record added meanwhile is visited, as in a Set.
      for (let i = 0; i < this.slots.length; i++) {
        const conn = this.slots[i];
        if (conn !== null) yield conn;
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
      const conn = slots[i];
      if (conn === null) continue;
      conn[this.field] = kept;
      slots[kept++] = conn;
    }
    slots.length = kept;
  }
}
